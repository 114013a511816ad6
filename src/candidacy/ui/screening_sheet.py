"""The measurements of one dose, typed on the ward: one time point at a time, stored as typed.

Tone per muscle group and side, spasms, function, a timed walk for walkers, vital signs and a note;
adverse events; the rating of the plan's goals. Every widget stores its value when it changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from candidacy.identity import Identity
from candidacy.reports.render import escape_markdown
from candidacy.screening.chart import chart_points
from candidacy.screening.protocol import Protocol
from candidacy.screening.ward import add_adverse_event, rate_goals, record_time_point
from candidacy.screening.worksheet import AdverseEventEntry, DoseEntry, Person, TimePoint, Worksheet
from candidacy.ui import screening_state

__all__ = ["render_dose"]

NONE = "—"
GOAL_WORDS = {"met": "met", "partly": "partly", "not_met": "not met"}


def _point(ws: Worksheet, dose: int, hour: int, who: Identity) -> TimePoint:
    found = ws.doses[dose].at_hour(hour)
    if found is not None:
        return found.model_copy(deep=True)
    return TimePoint(hour=hour, at=screening_state.now(), by=Person.of(who))


def _store_point(dose: int, hour: int, mutate: Callable[[TimePoint], None]) -> None:
    def edit(protocol: Protocol, ws: Worksheet, who: Identity) -> Worksheet:
        point = _point(ws, dose, hour, who)
        mutate(point)
        return record_time_point(protocol, ws, dose, point)

    screening_state.change(edit)


def _on_tone(widget: str, dose: int, hour: int, group: str, side: str) -> None:
    value = st.session_state.get(widget)

    def mutate(point: TimePoint) -> None:
        sides: dict[str, str] = {s: v for s, v in point.tone.get(group, {}).items() if s != side}
        if value not in (None, NONE):
            sides[side] = str(value)
        rest = {g: dict(s) for g, s in point.tone.items() if g != group}
        point.tone = TimePoint.model_validate(
            {**point.model_dump(), "tone": {**rest, group: sides} if sides else rest}
        ).tone

    _store_point(dose, hour, mutate)


def _on_field(widget: str, dose: int, hour: int, field: str, key: str = "") -> None:
    value = st.session_state.get(widget)
    blank = value in (None, NONE, "")

    def mutate(point: TimePoint) -> None:
        if field in ("function", "vitals"):
            values: dict[str, Any] = dict(getattr(point, field))
            if blank:
                values.pop(key, None)
            else:
                values[key] = value if field == "function" else float(value)  # type: ignore[arg-type]
            setattr(point, field, values)
        elif field == "note":
            point.note = str(value or "")
        elif field == "walk_seconds":
            point.walk_seconds = None if blank else float(value)  # type: ignore[arg-type]
        else:
            point.spasms = None if blank else str(value)

    _store_point(dose, hour, mutate)


def _seed(widget: str, value: Any) -> None:
    if widget not in st.session_state:
        st.session_state[widget] = value


def _select(
    label: str,
    widget: str,
    options: list[str],
    value: str | None,
    on_change: Any,
    args: tuple[Any, ...],
    disabled: bool,
    fmt: Any = None,
) -> None:
    _seed(widget, value if value is not None else NONE)
    st.selectbox(
        label, [NONE, *options], key=widget, on_change=on_change, args=args, disabled=disabled, format_func=fmt or str
    )


def dose_chart(protocol: Protocol, dose: DoseEntry, height: int) -> None:
    """Tone and spasms (and function where measured) against time for one dose; nothing when unmeasured."""
    points = chart_points(protocol, dose)
    if points:
        st.line_chart(
            {
                "hour": [p.hour for p in points],
                "series": [p.series for p in points],
                "value": [p.value for p in points],
            },
            x="hour",
            y="value",
            color="series",
            x_label="hours after the dose",
            y_label="score (0-4)",
            height=height,
        )


def render_dose(protocol: Protocol, ws: Worksheet, dose: int, prefix: str, frozen: bool) -> None:
    entry = ws.doses[dose]
    times = protocol.observation.times_hours if entry.given_at is not None else [0]
    hour_key = f"{prefix}-d{dose}-hour"
    _seed(hour_key, 0)
    hour = st.segmented_control(
        "Time point", times, key=hour_key, format_func=lambda h: "Baseline" if h == 0 else f"{h} h"
    )
    hour = 0 if hour is None else int(hour)
    point = entry.at_hour(hour)
    if point is not None:
        st.caption(f"Measured {point.at:%Y-%m-%d %H:%M} UTC by {escape_markdown(point.by.describe())}")
    else:
        st.caption("Nothing recorded at this time point yet; the first value typed stamps the time and your name.")
    here = f"{prefix}-d{dose}-h{hour}"
    groups = ws.plan.muscle_groups or [g.id for g in protocol.tone.muscle_groups if g.limb == "lower"]
    tone_levels = [level.value for level in protocol.tone.levels]
    with st.container(key=f"{here}-tone"):
        st.markdown(f"**{escape_markdown(protocol.tone.title)}**")
        for group in groups:
            label, left, right = st.columns([2, 1, 1], vertical_alignment="bottom")
            label.markdown(escape_markdown(protocol.muscle_group(group).label))
            for column, side in ((left, "left"), (right, "right")):
                widget = f"{here}-tone-{group}-{side}"
                current = point.tone.get(group, {}).get(side) if point else None  # type: ignore[call-overload]
                with column:
                    _select(
                        side.capitalize(),
                        widget,
                        tone_levels,
                        current,
                        _on_tone,
                        (widget, dose, hour, group, side),
                        frozen,
                    )
    spasm_col, *function_cols = st.columns(1 + len(protocol.function.items))
    with spasm_col:
        widget = f"{here}-spasms"
        levels = {level.value: level.label for level in protocol.spasms.levels}
        _select(
            "Penn spasm frequency",
            widget,
            list(levels),
            point.spasms if point else None,
            _on_field,
            (widget, dose, hour, "spasms"),
            frozen,
            lambda v: levels.get(v, v),
        )
    for column, item in zip(function_cols, protocol.function.items, strict=True):
        if item.walkers_only and not ws.plan.walks:
            continue
        widget = f"{here}-function-{item.id}"
        labels = {level.value: level.label for level in item.levels}
        with column:
            _select(
                item.label,
                widget,
                list(labels),
                point.function.get(item.id) if point else None,
                _on_field,
                (widget, dose, hour, "function", item.id),
                frozen,
                lambda v, labels=labels: labels.get(v, v),
            )
    if ws.plan.walks:
        widget = f"{here}-walk"
        walk = protocol.function.timed_walk
        _seed(widget, point.walk_seconds if point else None)
        st.number_input(
            f"{walk.label} ({walk.unit})",
            min_value=walk.min,
            max_value=walk.max,
            step=0.1,
            key=widget,
            on_change=_on_field,
            args=(widget, dose, hour, "walk_seconds"),
            disabled=frozen,
        )
    vitals = st.columns(len(protocol.vital_signs.items))
    for column, vital in zip(vitals, protocol.vital_signs.items, strict=True):
        widget = f"{here}-vital-{vital.id}"
        _seed(widget, point.vitals.get(vital.id) if point else None)
        with column:
            st.number_input(
                f"{vital.label} ({vital.unit})",
                min_value=vital.min,
                max_value=vital.max,
                step=1.0,
                key=widget,
                on_change=_on_field,
                args=(widget, dose, hour, "vitals", vital.id),
                disabled=frozen,
            )
    widget = f"{here}-note"
    _seed(widget, point.note if point else "")
    st.text_input(
        "Note at this time point",
        key=widget,
        max_chars=4000,
        on_change=_on_field,
        args=(widget, dose, hour, "note"),
        disabled=frozen,
    )
    _adverse_events(protocol, ws, dose, prefix, frozen)
    _goals(ws, dose, prefix, frozen)


def _record_event(dose: int, event_key: str, note_key: str) -> None:
    event = st.session_state.get(event_key)
    if not event:
        screening_state.set_message("Choose the adverse event first.")
        return
    note = str(st.session_state.get(note_key) or "")

    def edit(protocol: Protocol, ws: Worksheet, who: Identity) -> Worksheet:
        entry = AdverseEventEntry(event=str(event), at=screening_state.now(), by=Person.of(who), note=note)
        return add_adverse_event(protocol, ws, dose, entry)

    if screening_state.change(edit):
        st.session_state[note_key] = ""


def _adverse_events(protocol: Protocol, ws: Worksheet, dose: int, prefix: str, frozen: bool) -> None:
    events = {a.id: a.label for a in protocol.adverse_events.items}
    st.markdown("**Adverse events**")
    for entry in ws.doses[dose].adverse_events:
        note = f": {escape_markdown(entry.note)}" if entry.note else ""
        what = escape_markdown(events.get(entry.event, entry.event))
        st.markdown(f"- {what} at {entry.at:%H:%M} ({escape_markdown(entry.by.describe())}){note}")
    if frozen:
        return
    event_key, note_key = f"{prefix}-d{dose}-event", f"{prefix}-d{dose}-event-note"
    pick, detail, go = st.columns([2, 3, 1], vertical_alignment="bottom")
    pick.selectbox("Adverse event", list(events), index=None, key=event_key, format_func=lambda e: events[e])
    detail.text_input("What happened", key=note_key, max_chars=4000)
    go.button("Record", key=f"{prefix}-d{dose}-event-add", on_click=_record_event, args=(dose, event_key, note_key))


def _on_goal(dose: int, prefix: str, count: int) -> None:
    ratings = {
        i: str(st.session_state[f"{prefix}-d{dose}-goal-{i}"])
        for i in range(count)
        if st.session_state.get(f"{prefix}-d{dose}-goal-{i}")
    }
    screening_state.change(lambda protocol, ws, _who: rate_goals(protocol, ws, dose, ratings))


def _goals(ws: Worksheet, dose: int, prefix: str, frozen: bool) -> None:
    if not ws.plan.goals:
        return
    st.markdown("**Goals after this dose**")
    rated = {r.goal: r.rating for r in ws.doses[dose].goals}
    for index, goal in enumerate(ws.plan.goals):
        widget = f"{prefix}-d{dose}-goal-{index}"
        _seed(widget, rated.get(index))
        st.radio(
            goal,
            list(GOAL_WORDS),
            key=widget,
            horizontal=True,
            format_func=GOAL_WORDS.__getitem__,
            on_change=_on_goal,
            args=(dose, prefix, len(ws.plan.goals)),
            disabled=frozen,
        )
