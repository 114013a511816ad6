"""Cases: the stored cases with filters and a one-line summary each; create, open, duplicate, archive."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy.errors import CandidacyError
from candidacy.reports.render import escape_markdown
from candidacy.store.summary import summary_line
from candidacy.ui import cases_state, state
from candidacy.ui.layout import require_set

__all__ = ["render"]

SHOWN = 200


@state.callback
def _open(case_id: int) -> None:
    cset = require_set()
    try:
        cases_state.open_case(cset, case_id)
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)
        return
    st.session_state[state.GO_TO_ASSESS] = case_id


@state.callback
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


@state.callback
def _duplicate(case_id: int) -> None:
    try:
        cases_state.store().duplicate(case_id, cases_state.actor())
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)


@state.callback
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
    with st.form("new-case", clear_on_submit=True, border=True):
        st.markdown(f"**New case** ({escape_markdown(cset.title)})")
        left, right = st.columns(2)
        left.text_input("Case label (pseudonym)", key=state.NEW_CASE_LABEL, max_chars=120)
        right.date_input("Meeting date", key=state.NEW_CASE_MEETING, value=None, format="YYYY-MM-DD")
        st.form_submit_button("Create and open", on_click=_create, key="new-case-create")
    filters = st.columns(4)
    meeting: dt.date | None = filters[0].date_input(
        "Meeting date", key="filter-meeting", value=None, format="YYYY-MM-DD"
    )
    status = filters[1].selectbox("Status", ["any", "draft", "ready", "reviewed"], key="filter-status")
    search = filters[2].text_input("Label contains", key="filter-search", max_chars=120)
    archived = filters[3].checkbox("Include archived", key="filter-archived")
    rows = store.list_cases(meeting, None if status == "any" else status, search, archived, limit=SHOWN + 1)
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
