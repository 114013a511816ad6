"""The measurement grid of one dose: time points down, measures across, typed from cell to cell.

Two grids per dose (what the reading uses: tone, spasms, function and the timed walk; then vital signs
and a note), each a keyed ``st.data_editor``. A row is a time point, so a value typed in a row can only
be stored at that time point. The page calls :func:`apply_pending` before it draws anything: every
cell changed since the last run is handed to the store at once, one value at a time, as a
:class:`~candidacy.case.worksheet_changes.SetValue` with the value the writer had on screen, which the
store applies to the worksheet it holds, so a value someone else stored meanwhile is never
overwritten. A refused value (a correction with no reason, a stale screen) is said, and the grid is
drawn again from the store.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd  # type: ignore[import-untyped]  # no stubs shipped; used only to type the grid's columns
import streamlit as st

from candidacy.case.worksheet_changes import SetValue
from candidacy.screening.cells import Measure, Value, measures, read_cell
from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import DoseEntry, Worksheet
from candidacy.store.screening import StoredWorksheet
from candidacy.ui import screening_state

__all__ = ["apply_pending", "pending", "render_grids"]

GRIDS: dict[str, str] = {"reading": "Tone, spasms and function", "vitals": "Vital signs and note"}
TIME = "time"


def _grid_of(measure: Measure) -> str:
    return "vitals" if measure.key.startswith("vitals.") or measure.key == "note" else "reading"


def _hours(protocol: Protocol, dose: DoseEntry) -> list[int]:
    return protocol.observation.times_hours if dose.given_at is not None else [0]


def _base(prefix: str, dose: int, grid: str) -> str:
    return f"{prefix}-d{dose}-{grid}"


def _version(prefix: str, dose: int, grid: str) -> int:
    return int(st.session_state.get(f"{_base(prefix, dose, grid)}-version", 0))


def _widget(prefix: str, dose: int, grid: str, rows: int) -> str:
    return f"{_base(prefix, dose, grid)}-r{rows}-v{_version(prefix, dose, grid)}"


def _redraw(prefix: str, dose: int, grid: str) -> None:
    """Drop this screen's edits of the grid and draw it again from the store."""
    base = _base(prefix, dose, grid)
    st.session_state[f"{base}-version"] = _version(prefix, dose, grid) + 1
    st.session_state.pop(f"{base}-applied", None)
    st.session_state.pop(f"{base}-shown", None)


def _clean(value: Any) -> Value:
    """A cell as the editor hands it back: empty text and NaN are an empty cell."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def pending(
    edited_rows: Mapping[Any, Mapping[str, Any]], hours: list[int], keys: set[str], applied: Mapping[str, Value]
) -> list[tuple[int, str, Value]]:
    """The cells changed since they were last stored, as (hour, measure, value), in row then column order.

    Rows map to hours by position; a column that is not a measure of this grid is ignored."""
    found: list[tuple[int, str, Value]] = []
    for row in sorted(edited_rows, key=int):
        index = int(row)
        if not 0 <= index < len(hours):
            continue
        for column, raw in edited_rows[row].items():
            if column not in keys:
                continue
            value = _clean(raw)
            cell = f"{hours[index]}|{column}"
            if cell in applied and applied[cell] == value:
                continue
            found.append((hours[index], column, value))
    return found


def apply_pending(stored: StoredWorksheet, prefix: str) -> bool:
    """Store every cell typed since the last run, before the page draws anything; True when there was one."""
    tried = False
    ws = stored.worksheet
    protocol = screening_state.screening_store().protocol(ws.protocol)
    columns = measures(protocol, ws)
    for dose, entry in enumerate(ws.doses):
        hours = _hours(protocol, entry)
        for grid in GRIDS:
            state = st.session_state.get(_widget(prefix, dose, grid, len(hours)))
            if not isinstance(state, Mapping):
                continue
            keys = {m.key for m in columns if _grid_of(m) == grid}
            applied: dict[str, Value] = st.session_state.setdefault(f"{_base(prefix, dose, grid)}-applied", {})
            kept = st.session_state.get(f"{_base(prefix, dose, grid)}-shown")
            shown: dict[str, Value] = kept[1] if isinstance(kept, tuple) else {}
            for hour, measure, value in pending(state.get("edited_rows", {}), hours, keys, applied):
                tried = True
                cell = f"{hour}|{measure}"
                if not _store(dose, hour, measure, value, applied.get(cell, shown.get(cell)), prefix):
                    _redraw(prefix, dose, grid)
                    break
                applied[cell] = value
    return tried


def _store(dose: int, hour: int, measure: str, value: Value, seen: Value, prefix: str) -> bool:
    """Hand the value, its place, the value this screen showed there and the reason to the store."""
    reason = str(st.session_state.get(f"{prefix}-d{dose}-reason") or "")
    return screening_state.change(lambda ws: SetValue(ws, dose, hour, measure, value, seen=(seen,), reason=reason))


def _label(measure: Measure) -> str:
    unit = f" ({measure.unit})" if measure.unit else ""
    return f"{measure.label}{unit}{' *' if measure.required else ''}"


def _column(measure: Measure) -> Any:
    need = " Needed to read the dose." if measure.required else ""
    if measure.kind == "level":
        meanings = "; ".join(measure.option_labels)
        labels = dict(zip(measure.options, measure.option_labels, strict=True))
        short = measure.key.startswith("function.")
        return st.column_config.SelectboxColumn(
            _label(measure),
            options=list(measure.options),
            help=f"{meanings}.{need}",
            format_func=(lambda v: labels.get(str(v), str(v))) if short else None,
        )
    if measure.kind == "number":
        return st.column_config.NumberColumn(
            _label(measure),
            min_value=measure.minimum,
            max_value=measure.maximum,
            step=0.1 if measure.key == "walk_seconds" else 1.0,
            help=f"Between {measure.minimum:g} and {measure.maximum:g} {measure.unit}.{need}",
        )
    return st.column_config.TextColumn(_label(measure), max_chars=4000, width="large")


def _snapshot(
    entry: DoseEntry, hours: list[int], columns: list[Measure], prefix: str, dose: int, grid: str
) -> dict[str, Value]:
    """The values the grid is drawn with, kept while the store agrees with what this screen typed.

    Passing the same data on every run leaves the editor in the browser untouched, so typing goes on
    while the page reruns; when the store holds something else (another writer), it is drawn afresh."""
    base = _base(prefix, dose, grid)
    stored = {f"{h}|{m.key}": read_cell(entry.at_hour(h), m.key) for h in hours for m in columns}
    widget = _widget(prefix, dose, grid, len(hours))
    kept = st.session_state.get(f"{base}-shown")
    if isinstance(kept, tuple) and kept[0] == widget:
        expected = kept[1] | st.session_state.get(f"{base}-applied", {})
        if all(expected.get(cell) == value for cell, value in stored.items()):
            return dict(kept[1])
        _redraw(prefix, dose, grid)  # someone else stored a value: show the store
        widget = _widget(prefix, dose, grid, len(hours))
    st.session_state[f"{base}-shown"] = (widget, stored)
    return stored


def render_grids(protocol: Protocol, ws: Worksheet, dose: int, prefix: str, frozen: bool) -> None:
    """The dose's grids, drawn from the store (with this screen's stored edits kept on top)."""
    entry = ws.doses[dose]
    hours = _hours(protocol, entry)
    columns = measures(protocol, ws)
    for grid, title in GRIDS.items():
        shown_columns = [m for m in columns if _grid_of(m) == grid]
        snapshot = _snapshot(entry, hours, shown_columns, prefix, dose, grid)
        data = pd.DataFrame({TIME: pd.Series(["Baseline" if h == 0 else f"{h} h" for h in hours], dtype="string")})
        for measure in shown_columns:
            values = [snapshot[f"{h}|{measure.key}"] for h in hours]
            data[measure.key] = pd.Series(values, dtype="float64" if measure.kind == "number" else "string")
        st.markdown(f"**{title}**")
        st.data_editor(
            data,
            key=_widget(prefix, dose, grid, len(hours)),
            hide_index=True,
            num_rows="fixed",
            placeholder="",
            disabled=True if frozen else [TIME],
            column_order=[TIME, *(m.key for m in shown_columns)],
            column_config={
                TIME: st.column_config.TextColumn("Time", pinned=True, width="small"),
                **{m.key: _column(m) for m in shown_columns},
            },
        )
    stamps = [
        f"{'Baseline' if p.hour == 0 else f'{p.hour} h'}: {p.at:%H:%M} by {p.by.describe()}"
        + (f" ({len(p.corrections)} correction{'s' if len(p.corrections) > 1 else ''})" if p.corrections else "")
        for p in entry.observations
    ]
    st.caption(
        "Each value is stored as you type it, in the time point of its row: type a level, then Tab for the "
        "next measure or Enter for the next time point; arrow keys move between cells. * needed to read the dose. "
        + ("First recorded: " + "; ".join(stamps) if stamps else "Nothing recorded yet.")
    )
    if entry.given_at is not None and not frozen:
        st.text_input(
            "Reason for a correction (needed to change a value once a later time point exists)",
            key=f"{prefix}-d{dose}-reason",
            max_chars=4000,
        )
