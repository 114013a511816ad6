"""The plan of a screening test on its page: the response definition (changed after the first dose only
with a reason), the goals, the affected side, the walks, the first dose and the muscle groups.

Each widget hands its value to the store as a ward change (:mod:`candidacy.case.worksheet_changes`);
widgets are seeded from the stored worksheet.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from candidacy.case.worksheet_changes import ChooseDefinition, SetPlan
from candidacy.reports.render import escape_markdown
from candidacy.screening.protocol import Protocol
from candidacy.screening.result import ScreeningResult
from candidacy.screening.worksheet import Worksheet
from candidacy.ui import screening_state

__all__ = ["render_plan"]


def _on_definition(widget: str) -> None:
    chosen = st.session_state.get(widget)
    if chosen:
        screening_state.change(lambda ws: ChooseDefinition(ws, str(chosen)))


def _on_amend(widget: str, reason_key: str) -> None:
    chosen, reason = st.session_state.get(widget), str(st.session_state.get(reason_key) or "")
    if chosen and screening_state.change(lambda ws: ChooseDefinition(ws, str(chosen), reason)):
        st.session_state[reason_key] = ""


def _on_plan(widget: str, field: str) -> None:
    value: Any = st.session_state.get(widget)
    if field == "goals":
        value = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    _write_plan({field: value})


def _on_start(start: str, reason: str, low: int) -> None:
    """The first dose and, for the low dose, its reason are one change: the low dose without a reason is not
    a plan the protocol accepts, so nothing is written until the reason box below the choice is answered."""
    dose, why = st.session_state.get(start), st.session_state.get(reason)
    if dose == low and not why:
        return
    _write_plan({"start_dose": dose, "low_start_reason": why if dose == low else None})


def _write_plan(fields: dict[str, Any]) -> None:
    screening_state.change(lambda ws: SetPlan(ws, fields))


def _seed(widget: str, value: Any) -> None:
    if widget not in st.session_state:
        st.session_state[widget] = value


def render_plan(protocol: Protocol, ws: Worksheet, result: ScreeningResult, prefix: str, frozen: bool) -> None:
    started = ws.started is not None
    labels = {d.id: d.label for d in protocol.definitions}
    widget = f"{prefix}-definition"
    _seed(widget, ws.plan.definition)
    st.radio(
        "Response definition, chosen by the team before the first dose",
        list(labels),
        key=widget,
        index=None,
        format_func=labels.__getitem__,
        on_change=_on_definition,
        args=(widget,),
        disabled=started or frozen,
    )
    st.caption(escape_markdown(result.definition_sentence))
    if result.definition is not None:
        source = "; ".join(f"[{r.source}] {r.locator} ({r.strength})" for r in result.definition.sources)
        st.caption(escape_markdown(f"{result.definition.description.strip()} Source: {source}"))
    for line in result.amendments:
        st.warning(escape_markdown(f"Changed after the test started: {line}"))
    if started and not frozen:
        with st.expander("Change the definition after the first dose (needs a reason, kept with the result)"):
            amend, reason = f"{prefix}-amend", f"{prefix}-amend-reason"
            st.selectbox("New definition", list(labels), key=amend, index=None, format_func=labels.__getitem__)
            st.text_input("Reason", key=reason, max_chars=4000)
            st.button("Change the definition", key=f"{prefix}-amend-go", on_click=_on_amend, args=(amend, reason))
    locked = started or frozen
    goals = f"{prefix}-goals"
    _seed(goals, "\n".join(ws.plan.goals))
    st.text_area(
        "Goals for the test, one per line (used by the goal-based definition)",
        key=goals,
        on_change=_on_plan,
        args=(goals, "goals"),
        disabled=locked,
        height=90,
    )
    side, walks, start = st.columns(3)
    with side:
        widget = f"{prefix}-side"
        _seed(widget, ws.plan.affected_side)
        st.radio(
            "Affected side",
            ["both", "left", "right"],
            key=widget,
            horizontal=True,
            on_change=_on_plan,
            args=(widget, "affected_side"),
            disabled=locked,
        )
    with walks:
        widget = f"{prefix}-walks"
        _seed(widget, ws.plan.walks)
        st.checkbox(
            "Walks (time a 10-metre walk)", key=widget, on_change=_on_plan, args=(widget, "walks"), disabled=locked
        )
    low = protocol.dosing.low_start
    start_widget, reason_widget = f"{prefix}-start", f"{prefix}-low-reason"
    start_args = (start_widget, reason_widget, low.micrograms)
    with start:
        _seed(start_widget, ws.plan.start_dose)
        st.radio(
            "First dose (micrograms)",
            [protocol.dosing.sequence[0].micrograms, low.micrograms],
            key=start_widget,
            horizontal=True,
            on_change=_on_start,
            args=start_args,
            disabled=locked,
        )
    if st.session_state.get(start_widget) == low.micrograms:  # the choice shown, stored or waiting for its reason
        reasons = {r.id: r.label for r in low.considered_for}
        _seed(reason_widget, ws.plan.low_start_reason)
        st.selectbox(
            "Why the low first dose",
            list(reasons),
            key=reason_widget,
            index=None,
            format_func=reasons.__getitem__,
            placeholder="Choose a reason: the low first dose is planned once it is given",
            on_change=_on_start,
            args=start_args,
            disabled=locked,
        )
        if ws.plan.start_dose != low.micrograms:
            st.caption(f"Not planned yet: the {low.micrograms} microgram first dose needs its reason.")
    widget = f"{prefix}-groups"
    groups = {g.id: f"{g.label} ({g.limb} limb)" for g in protocol.tone.muscle_groups}
    _seed(widget, ws.plan.muscle_groups)
    st.multiselect(
        "Muscle groups measured (each side)",
        list(groups),
        key=widget,
        format_func=groups.__getitem__,
        on_change=_on_plan,
        args=(widget, "muscle_groups"),
        disabled=frozen,
    )
    st.caption(escape_markdown(protocol.dosing.how.strip()))
