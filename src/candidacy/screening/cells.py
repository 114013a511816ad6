"""The measurements of a time point as cells: one key per measure, read and written one at a time.

The ward enters a dose on a grid of time points by measures. Each cell is addressed by its time point
and a measure key (``tone.hip_adductors.left``, ``spasms``, ``function.standing``, ``walk_seconds``,
``vitals.heart_rate``, ``note``), so a value can only ever land in the time point and measure it was typed
in. :func:`measures` lists the grid's columns for a worksheet's plan, with the cells the chosen
definition and the function reading need marked as required.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from candidacy.screening.protocol import MeanToneDrop, Protocol, ToneOrSpasmDrop
from candidacy.screening.worksheet import TimePoint, Worksheet, WorksheetError

__all__ = ["Measure", "Value", "cell_text", "measures", "read_cell", "write_cell"]

Value = str | float | None


@dataclass(frozen=True)
class Measure:
    """One column of the grid: what is measured, its levels or range, and whether the reading needs it."""

    key: str
    label: str
    kind: Literal["level", "number", "text"]
    options: tuple[str, ...] = ()
    option_labels: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    required: bool = False


def _groups(protocol: Protocol, ws: Worksheet) -> list[str]:
    return ws.plan.muscle_groups or [g.id for g in protocol.tone.muscle_groups if g.limb == "lower"]


def measures(protocol: Protocol, ws: Worksheet) -> list[Measure]:
    """The grid's columns for this plan, in the order the ward measures them."""
    definition = protocol.definition(ws.plan.definition) if ws.plan.definition else None
    rule = definition.rule if definition else None
    tone_needed = isinstance(rule, (MeanToneDrop, ToneOrSpasmDrop))
    tone_levels = tuple(level.value for level in protocol.tone.levels)
    tone_labels = tuple(level.label for level in protocol.tone.levels)
    found: list[Measure] = []
    for group in _groups(protocol, ws):
        label = protocol.muscle_group(group).label
        for side in ("left", "right"):
            found.append(
                Measure(
                    f"tone.{group}.{side}", f"{label}, {side}", "level", tone_levels, tone_labels, required=tone_needed
                )
            )
    spasm_levels = protocol.spasms.levels
    found.append(
        Measure(
            "spasms",
            "Penn spasm frequency",
            "level",
            tuple(level.value for level in spasm_levels),
            tuple(level.label for level in spasm_levels),
            required=isinstance(rule, ToneOrSpasmDrop),
        )
    )
    for item in protocol.function.items:
        if item.walkers_only and not ws.plan.walks:
            continue
        found.append(
            Measure(
                f"function.{item.id}",
                item.label,
                "level",
                tuple(level.value for level in item.levels),
                tuple(level.label for level in item.levels),
                required=True,
            )
        )
    if ws.plan.walks:
        walk = protocol.function.timed_walk
        found.append(Measure("walk_seconds", walk.label, "number", (), (), walk.min, walk.max, walk.unit, True))
    for vital in protocol.vital_signs.items:
        found.append(Measure(f"vitals.{vital.id}", vital.label, "number", (), (), vital.min, vital.max, vital.unit))
    found.append(Measure("note", "Note", "text"))
    return found


def read_cell(point: TimePoint | None, key: str) -> Value:
    """The value stored at ``key`` in a time point (None when empty or when there is no time point)."""
    if point is None:
        return None
    head, _, rest = key.partition(".")
    if head == "tone":
        group, _, side = rest.partition(".")
        return point.tone.get(group, {}).get(side)  # type: ignore[call-overload, no-any-return]
    if head == "spasms":
        return point.spasms
    if head == "function":
        return point.function.get(rest)
    if head == "walk_seconds":
        return point.walk_seconds
    if head == "vitals":
        return point.vitals.get(rest)
    if key == "note":
        return point.note or None
    raise WorksheetError(f"unknown measure '{key}'")


def write_cell(point: TimePoint, key: str, value: Value) -> TimePoint:
    """A copy of the time point with ``key`` set to ``value`` (None clears it); nothing else moves."""
    data = point.model_dump()
    head, _, rest = key.partition(".")
    if head == "tone":
        group, _, side = rest.partition(".")
        if side not in ("left", "right") or not group:
            raise WorksheetError(f"unknown measure '{key}'")
        sides = {s: v for s, v in data["tone"].get(group, {}).items() if s != side}
        if value is not None:
            sides[side] = str(value)
        data["tone"] = {g: v for g, v in data["tone"].items() if g != group} | ({group: sides} if sides else {})
    elif head == "spasms" and not rest:
        data["spasms"] = None if value is None else str(value)
    elif head == "walk_seconds" and not rest:
        data["walk_seconds"] = None if value is None else _number(key, value)
    elif key == "note":
        data["note"] = "" if value is None else str(value)
    elif head in ("function", "vitals") and rest:
        values = {k: v for k, v in data[head].items() if k != rest}
        if value is not None:
            values[rest] = str(value) if head == "function" else _number(key, value)
        data[head] = values
    else:
        raise WorksheetError(f"unknown measure '{key}'")
    return TimePoint.model_validate(data)


def _number(key: str, value: str | float) -> float:
    try:
        return float(value)
    except ValueError:
        raise WorksheetError(f"{key}: '{value}' is not a number") from None


def cell_text(value: Value) -> str:
    """A stored value as the audit and the corrections show it."""
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)
