"""Cases: the stored cases with filters and a one-line summary each; create, open, duplicate, archive.

The filters are kept in the address (``/cases?date=2026-12-03&status=ready&label=MS&archived=yes``,
each left out while it filters nothing), so reload, back/forward, a link and a bookmark show the same
list; a bare ``/cases`` lists every case. A filter value the page cannot use is named, and not applied.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy.case.workflow import STATUSES
from candidacy.errors import CandidacyError
from candidacy.reports.render import escape_markdown
from candidacy.store.summary import summary_line
from candidacy.text import printable
from candidacy.ui import address, cases_state, state
from candidacy.ui.callbacks import callback
from candidacy.ui.layout import require_set

__all__ = ["render"]

SHOWN = 200
LABEL_LONGEST = 120  # characters of the "Label contains" filter, as in its text box
ANY = "any"
YES, NO = ("yes", "true", "1"), ("no", "false", "0")
FILTERS = (state.DATE_PARAM, state.STATUS_PARAM, state.LABEL_PARAM, state.ARCHIVED_PARAM)


@callback
def _open(case_id: int) -> None:
    cset = require_set()
    try:
        cases_state.open_case(cset, case_id)
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)
        return
    st.session_state[state.GO_TO_ASSESS] = case_id


@callback
def _create() -> None:
    cset = require_set()
    label = str(st.session_state.get(state.NEW_CASE_LABEL) or "").strip()
    if not label:
        st.session_state[cases_state.MESSAGE_KEY] = "Give the new case a pseudonymous label."
        return
    store = cases_state.store()
    try:
        case_id = store.create_case(cset.id, label, st.session_state.get(state.NEW_CASE_MEETING), cases_state.actor())
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)
        return
    _open(case_id)


@callback
def _duplicate(case_id: int) -> None:
    try:
        cases_state.store().duplicate(case_id, cases_state.actor())
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)


@callback
def _archive(case_id: int) -> None:
    store = cases_state.store()
    try:
        store.archive(case_id, store.get(case_id).row.lock_version, cases_state.actor())
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)


def render() -> None:
    cset = require_set()
    st.title("Cases")
    opened_id = st.session_state.pop(state.GO_TO_ASSESS, None)
    if opened_id is not None:  # the case's own address, so that reload and back land on it
        st.switch_page("views/assess.py", query_params={state.CASE_PARAM: str(opened_id)})
    message = cases_state.take_message()
    if message:
        st.error(escape_markdown(message))
    try:
        store = cases_state.store()
    except CandidacyError as error:
        st.error(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return
    address.warn(_filters_from_address())
    with st.form("new-case", clear_on_submit=True, border=True):
        st.markdown(f"**New case** ({escape_markdown(cset.title)})")
        left, right = st.columns(2)
        left.text_input("Case label (pseudonym)", key=state.NEW_CASE_LABEL, max_chars=120)
        right.date_input("Meeting date", key=state.NEW_CASE_MEETING, value=None, format="YYYY-MM-DD")
        st.form_submit_button("Create and open", on_click=_create, key="new-case-create")
    filters = st.columns(4)
    meeting: dt.date | None = filters[0].date_input(
        "Meeting date", key=state.FILTER_MEETING, value=None, format="YYYY-MM-DD"
    )
    status = filters[1].selectbox("Status", [ANY, *STATUSES], key=state.FILTER_STATUS)
    search = filters[2].text_input("Label contains", key=state.FILTER_SEARCH, max_chars=LABEL_LONGEST)
    archived = filters[3].checkbox("Include archived", key=state.FILTER_ARCHIVED)
    _filters_to_address(meeting, status, search, archived)
    rows = store.list_cases(meeting, None if status == ANY else status, search, archived, limit=SHOWN + 1)
    st.caption(
        f"{min(len(rows), SHOWN)} case(s) shown"
        + (f" (first {SHOWN}; narrow the filters)" if len(rows) > SHOWN else "")
    )
    for row in rows[:SHOWN]:
        with st.container(border=True, key=f"case-row-{row.id}"):
            st.markdown(escape_markdown(summary_line(row)))
            buttons = st.columns(3)
            buttons[0].button("Open", key=f"open-{row.id}", on_click=_open, args=(row.id,))
            buttons[1].button("Duplicate", key=f"duplicate-{row.id}", on_click=_duplicate, args=(row.id,))
            if not row.archived:
                buttons[2].button("Archive", key=f"archive-{row.id}", on_click=_archive, args=(row.id,))


def _filters_from_address() -> list[str]:
    """Set the filters from the address when it changed outside the page; say what could not be used."""
    arrival = address.arrived(state.CASES_ADDRESS, FILTERS, state.FILTER_STATUS)
    if arrival is None:
        return []
    problems = []
    raw = arrival.get(state.DATE_PARAM)
    meeting = address.day(raw) if raw is not None else None
    if raw is not None and meeting is None:
        problems.append(
            f"The address names the meeting date {address.echo(raw)}, which is not a date (YYYY-MM-DD): "
            "cases of every meeting date are listed."
        )
    raw = arrival.get(state.STATUS_PARAM, ANY)
    status = raw if raw in (ANY, *STATUSES) else ANY
    if status != raw:
        problems.append(
            f"The address names the status {address.echo(raw)}, which is none of {', '.join(STATUSES)}: "
            "cases of every status are listed."
        )
    search = arrival.get(state.LABEL_PARAM, "")
    if len(search) > LABEL_LONGEST:
        problems.append(
            f"The address gives a label filter of {len(search)} characters, longer than the {LABEL_LONGEST} "
            "a label filter can have: it is not applied."
        )
        search = ""
    elif printable(search) != search:  # a NUL, say, that a database would refuse
        problems.append("The address gives a label filter with control or direction characters: it is not applied.")
        search = ""
    raw = arrival.get(state.ARCHIVED_PARAM, NO[0])
    if raw not in YES + NO:
        problems.append(
            f"The address says {address.echo(raw)} for including archived cases, which is neither yes nor no: "
            "archived cases are left out."
        )
    st.session_state[state.FILTER_MEETING] = meeting
    st.session_state[state.FILTER_STATUS] = status
    st.session_state[state.FILTER_SEARCH] = search
    st.session_state[state.FILTER_ARCHIVED] = raw in YES
    return problems


def _filters_to_address(meeting: dt.date | None, status: str, search: str, archived: bool) -> None:
    """The filters in use, in the address (a filter that filters nothing is left out)."""
    shown = {
        state.DATE_PARAM: meeting.isoformat() if meeting else "",
        state.STATUS_PARAM: status if status != ANY else "",
        state.LABEL_PARAM: search,
        state.ARCHIVED_PARAM: YES[0] if archived else "",
    }
    address.settle(state.CASES_ADDRESS, FILTERS, {name: value for name, value in shown.items() if value})
