"""One dose on the ward: the measurement grids, adverse events, the rating of the plan's goals.

Every value is stored when it changes (the grids: :mod:`candidacy.ui.screening_grid`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from candidacy.case.worksheet_changes import AddAdverseEvent, RateGoals
from candidacy.reports.render import escape_markdown
from candidacy.screening.chart import chart_points
from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import DoseEntry, Worksheet
from candidacy.ui import screening_state
from candidacy.ui.screening_grid import render_grids

__all__ = ["render_dose"]

NONE = "—"
GOAL_WORDS = {"met": "met", "partly": "partly", "not_met": "not met"}


def _seed(widget: str, value: Any) -> None:
    if widget not in st.session_state:
        st.session_state[widget] = value


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
    render_grids(protocol, ws, dose, prefix, frozen)
    _adverse_events(protocol, ws, dose, prefix, frozen)
    _goals(ws, dose, prefix, frozen)


def _record_event(dose: int, event_key: str, note_key: str) -> None:
    event = st.session_state.get(event_key)
    if not event:
        screening_state.set_message("Choose the adverse event first.")
        return
    note = str(st.session_state.get(note_key) or "")
    if screening_state.change(lambda ws: AddAdverseEvent(ws, dose, str(event), note)):
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
    screening_state.change(lambda ws: RateGoals(ws, dose, ratings))


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
