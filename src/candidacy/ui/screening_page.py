"""Screening test: plan, measurements per dose, result with chart, the team's confirmation, print.

The page reads widgets and calls the core (``candidacy.screening``); the result, the chart data and
the PDF all come from there, so the app and ``python -m candidacy screening`` agree.

The case and its worksheet are kept in the address (``/screening?case=12&worksheet=3``; without a
worksheet, the case's latest), so reload, back/forward, a link and a bookmark open the same worksheet;
a bare ``/screening`` asks for a case. A case or worksheet the address names wrongly is said so.
"""

from __future__ import annotations

import streamlit as st

from candidacy.case.worksheet_changes import MarkGiven, PrepareDose
from candidacy.errors import CandidacyError
from candidacy.reports.render import escape_markdown
from candidacy.screening.pdf import render_worksheet_pdf
from candidacy.screening.protocol import OUTCOMES, Protocol
from candidacy.screening.result import ScreeningResult, compute_result
from candidacy.screening.worksheet import Worksheet
from candidacy.store.screening import StoredWorksheet
from candidacy.ui import address, cases_state, screening_state
from candidacy.ui.screening_grid import apply_pending
from candidacy.ui.screening_plan import render_plan
from candidacy.ui.screening_sheet import dose_chart, render_dose
from candidacy.ui.state import (
    CASE_PARAM,
    SCREENING_ADDRESS,
    SCREENING_CASE,
    SCREENING_WORKSHEET,
    WORKSHEET_PARAM,
)

__all__ = ["render"]

PARAMS = (CASE_PARAM, WORKSHEET_PARAM)
_STATUS_ICONS = {"met": ":material/check_circle:", "not_met": ":material/cancel:", "cannot_tell": ":material/pending:"}


def render() -> None:
    st.title("Screening test")
    st.caption("Plan the test dose, type the measurements on the ward, read the result by the team's own definition.")
    message = screening_state.take_message()
    if message:
        st.error(escape_markdown(message))
    protocols, problems = screening_state.protocols()
    for problem in problems:
        st.error(escape_markdown(problem))
    if not protocols:
        st.warning("No screening protocol is available (criteria/screening/*.yaml).")
        return
    notices = st.container()
    arrival = address.arrived(SCREENING_ADDRESS, PARAMS, SCREENING_CASE)
    unusable: list[str] = []  # what the address names that cannot be shown
    try:
        case_id = _pick_case(arrival, unusable)
        stored = _pick_worksheet(case_id, protocols, arrival, unusable) if case_id is not None else None
    except CandidacyError as error:
        st.error(escape_markdown(str(error)))
        return
    with notices:
        address.warn(unusable)
    shown = {CASE_PARAM: str(case_id)} if case_id is not None else {}
    if stored is not None:
        shown[WORKSHEET_PARAM] = str(stored.id)
    address.settle(SCREENING_ADDRESS, PARAMS, shown)
    if stored is None:
        return
    if apply_pending(stored, f"scr{stored.id}"):  # cells typed on the grid since the last run
        stored = screening_state.opened()
        message = screening_state.take_message()
        if message:
            st.error(escape_markdown(message))
        if stored is None:
            return
    protocol = protocols[stored.worksheet.protocol]
    ws = stored.worksheet
    result = compute_result(protocol, ws)
    frozen = stored.status == "confirmed"
    st.info(escape_markdown(result.next_step), icon=":material/arrow_forward:")
    plan, doses, outcome = st.tabs(["Plan", "Measurements", "Result and chart"])
    with plan:
        render_plan(protocol, ws, result, f"scr{stored.id}", frozen)
    with doses:
        _doses(protocol, ws, result, f"scr{stored.id}", frozen)
    with outcome:
        _result(protocol, stored, result)


def _pick_case(arrival: dict[str, str] | None, problems: list[str]) -> int | None:
    rows = cases_state.store().list_cases()
    labels = {row.id: f"{row.label} (case {row.id})" for row in rows}
    if arrival is not None:  # the address changed outside the page: it says which case
        raw = arrival.get(CASE_PARAM)
        wanted = address.number(raw) if raw is not None else None
        if raw is not None and wanted not in labels:
            problems.append(
                f"The address names the case {address.echo(raw)}, which is not a stored case "
                "(archived cases are not listed here): choose a case from the list."
            )
        st.session_state[SCREENING_CASE] = wanted if wanted in labels else None
    if not rows:
        st.info("Save the case on the Assess page first; its screening worksheets are kept with it.")
        return None
    chosen = st.selectbox(
        "Case",
        list(labels),
        index=None,
        key=SCREENING_CASE,
        format_func=labels.__getitem__,
        placeholder="Choose a stored case",
    )
    return int(chosen) if chosen is not None else None


def _new(case_id: int, protocol_id: str) -> None:
    try:
        worksheet_id = screening_state.screening_store().create(case_id, protocol_id, cases_state.actor())
    except CandidacyError as error:
        screening_state.set_message(str(error))
        return
    st.session_state[SCREENING_WORKSHEET] = worksheet_id


def _pick_worksheet(
    case_id: int, protocols: dict[str, Protocol], arrival: dict[str, str] | None, problems: list[str]
) -> StoredWorksheet | None:
    sheets = {s.id: s for s in screening_state.screening_store().worksheets(case_id)}
    raw = arrival.get(WORKSHEET_PARAM) if arrival is not None else None
    if raw is not None:  # the address names a worksheet; without one, the case's latest is shown
        wanted = address.number(raw)
        if wanted in sheets:
            st.session_state[SCREENING_WORKSHEET] = wanted
        else:
            problems.append(
                f"The address names the worksheet {address.echo(raw)}, which is not a screening worksheet "
                f"of case {case_id}: its latest worksheet is shown."
            )
            st.session_state.pop(SCREENING_WORKSHEET, None)
    elif arrival is not None:
        st.session_state.pop(SCREENING_WORKSHEET, None)
    protocol_id = next(iter(protocols))
    left, right = st.columns([5, 2], vertical_alignment="bottom")
    right.button(
        "New worksheet", key="screening-new", on_click=_new, args=(case_id, protocol_id), icon=":material/add:"
    )
    if not sheets:
        left.caption("No screening worksheet for this case yet.")
        return None
    if st.session_state.get(SCREENING_WORKSHEET) not in sheets:
        st.session_state[SCREENING_WORKSHEET] = max(sheets)
    with left:
        chosen = st.selectbox(
            "Worksheet",
            list(sheets),
            key=SCREENING_WORKSHEET,
            format_func=lambda i: f"Worksheet {i} ({sheets[i].status})",
        )
    screening_state.open_worksheet(chosen)
    return screening_state.opened()


# -- doses ---------------------------------------------------------------------------------------


def _on_prepare(micrograms: int) -> None:
    screening_state.change(lambda ws: PrepareDose(ws, micrograms))


def _on_given(dose: int) -> None:
    screening_state.change(lambda ws: MarkGiven(ws, dose))


def _doses(protocol: Protocol, ws: Worksheet, result: ScreeningResult, prefix: str, frozen: bool) -> None:
    for index, entry in enumerate(ws.doses):
        dose_result = result.doses[index] if index < len(result.doses) else None
        status = f" · {dose_result.status_label}" if dose_result else ""
        given = (
            f"given {entry.given_at:%Y-%m-%d %H:%M} UTC by {entry.given_by.describe()}"
            if entry.given_at is not None and entry.given_by is not None
            else "not given yet"
        )
        with st.expander(
            f"Dose {index + 1}: {entry.micrograms} micrograms, {given}{status}", expanded=index == len(ws.doses) - 1
        ):
            render_dose(protocol, ws, index, prefix, frozen)
            if entry.given_at is None and not frozen:
                st.button(
                    f"Dose given now: {entry.micrograms} micrograms",
                    key=f"{prefix}-d{index}-given",
                    on_click=_on_given,
                    args=(index,),
                    type="primary",
                    icon=":material/vaccines:",
                )
    if result.next_dose is not None and not frozen:
        st.button(
            f"Prepare dose {len(ws.doses) + 1}: {result.next_dose} micrograms (measure the baseline first)",
            key=f"{prefix}-prepare",
            on_click=_on_prepare,
            args=(result.next_dose,),
            type="primary",
            icon=":material/add:",
        )


# -- result --------------------------------------------------------------------------------------


def _on_confirm(shown: StoredWorksheet, outcome_key: str, comment_key: str) -> None:
    store = screening_state.screening_store()
    cases = cases_state.store()
    stored = screening_state.opened()  # the latest save (a note typed just before counts)
    if stored is None or stored.id != shown.id:
        return
    try:
        store.confirm(
            stored.id,
            stored.lock_version,
            str(st.session_state.get(outcome_key)),
            str(st.session_state.get(comment_key) or ""),
            cases_state.actor(),
            cases.get(stored.case_id).row.lock_version,
        )
    except CandidacyError as error:
        screening_state.set_message(str(error))


def _on_reopen(shown: StoredWorksheet, reason_key: str) -> None:
    stored = screening_state.opened()
    if stored is None or stored.id != shown.id:
        return
    try:
        screening_state.screening_store().reopen(
            stored.id, stored.lock_version, str(st.session_state.get(reason_key) or ""), cases_state.actor()
        )
    except CandidacyError as error:
        screening_state.set_message(str(error))


def _result(protocol: Protocol, stored: StoredWorksheet, result: ScreeningResult) -> None:
    ws = stored.worksheet
    for dose, dose_result in zip(ws.doses, result.doses, strict=True):
        st.subheader(f"Dose {dose_result.number}: {dose_result.micrograms} micrograms", anchor=False)
        st.markdown(f"{_STATUS_ICONS[dose_result.status]} **{escape_markdown(dose_result.sentence)}**")
        st.markdown("\n".join(f"- {escape_markdown(k)}: {escape_markdown(v)}" for k, v in dose_result.numbers))
        for loss in dose_result.function_lost:
            st.warning(escape_markdown(f"Function lost: {loss.sentence()}"), icon=":material/warning:")
        for event in dose_result.adverse_events:
            st.markdown(f"- Adverse event: {escape_markdown(event)}")
        for deviation in dose_result.deviations:
            st.markdown(f"- Deviation: {escape_markdown(deviation)}")
        for correction in dose_result.corrections:
            st.markdown(f"- Correction: {escape_markdown(correction)}")
        dose_chart(protocol, dose, height=260)
    st.markdown(
        f"**Computed outcome, for the team to confirm:** {escape_markdown(result.computed_label)}. "
        f"{escape_markdown(result.outcome_sentence)}"
    )
    _confirmation(protocol, stored, result)
    st.download_button(
        "Worksheet PDF",
        render_worksheet_pdf(protocol, ws, result),
        file_name=f"screening-{stored.id}.pdf",
        mime="application/pdf",
        key=f"scr{stored.id}-pdf",
        icon=":material/print:",
    )
    st.download_button(
        "Worksheet file (JSON)",
        ws.model_dump_json(indent=2),
        file_name=f"screening-{stored.id}.json",
        mime="application/json",
        key=f"scr{stored.id}-json",
        icon=":material/download:",
    )


def _confirmation(protocol: Protocol, stored: StoredWorksheet, result: ScreeningResult) -> None:
    prefix = f"scr{stored.id}"
    if result.confirmed:
        st.success(escape_markdown(result.confirmed), icon=":material/verified:")
        row = cases_state.store().get(stored.case_id).row
        step = escape_markdown(row.next_step or "none")
        st.markdown(f"**The case's screening answer is recorded; its next step now:** {step}")
        with st.expander("Reopen the worksheet (needs a reason)"):
            reason = f"{prefix}-reopen-reason"
            st.text_input("Reason", key=reason, max_chars=4000)
            st.button("Reopen", key=f"{prefix}-reopen", on_click=_on_reopen, args=(stored, reason))
        return
    if not stored.worksheet.doses:
        return
    labels = {o.id: o.label for o in protocol.outcomes}
    # the key names the computed outcome, so the choice starts from it again whenever it changes
    outcome, comment = f"{prefix}-outcome-{result.computed}", f"{prefix}-comment"
    st.radio(
        "Outcome the team confirms",
        list(OUTCOMES),
        index=OUTCOMES.index(result.computed),
        key=outcome,
        format_func=labels.__getitem__,
    )
    st.text_input("Comment (needed when it differs from the computed outcome)", key=comment, max_chars=4000)
    st.button(
        "Confirm the outcome and record it as the case's screening answer",
        key=f"{prefix}-confirm",
        on_click=_on_confirm,
        args=(stored, outcome, comment),
        type="primary",
    )
