"""Meeting: the agenda of one meeting date, a case at a time, and one PDF for the whole meeting.

Only dates that have cases are offered (the next one to come first, else the latest). Each case is
one structured line (status, team decision, counts, the step for the meeting's question) with links
to open it and to project it. "Previous" and "Next" move the chair through the agenda. The counts
come from :mod:`candidacy.reports.meeting`, so they mean what they mean in the summary and on paper.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy.errors import CandidacyError
from candidacy.reports.meeting import AgendaEntry, agenda_entry, team_decision
from candidacy.reports.pdf import render_meeting_pdf
from candidacy.reports.record import Record
from candidacy.reports.render import escape_markdown
from candidacy.store import CaseStore
from candidacy.ui import cases_state
from candidacy.ui.layout import require_set

__all__ = ["CURRENT_KEY", "DATE_KEY", "agenda", "meeting_dates", "render"]

DATE_KEY = "meeting-date"
CURRENT_KEY = "meeting-current"
PROJECTION_PAGE = "views/projection.py"


def meeting_dates(store: CaseStore) -> list[dt.date]:
    """Every date that has at least one (not archived) case, newest first."""
    return sorted({r.meeting_date for r in store.list_cases() if r.meeting_date is not None}, reverse=True)


def default_date(dates: list[dt.date], today: dt.date) -> dt.date:
    """The next meeting to come (today included), else the most recent one."""
    upcoming = [d for d in dates if d >= today]
    return min(upcoming) if upcoming else max(dates)


def agenda(store: CaseStore, day: dt.date) -> list[tuple[AgendaEntry, Record]]:
    """The cases of one date in agenda order (by case number), each with its record."""
    rows = sorted(store.list_cases(meeting_date=day), key=lambda r: r.id)
    out = []
    for number, row in enumerate(rows, 1):
        record = store.record(row.id)
        entry = agenda_entry(number, row.id, row.label, row.status, row.revision, record, team_decision(record))
        out.append((entry, record))
    return out


def _open(case_id: int) -> None:
    st.session_state[CURRENT_KEY] = case_id
    try:
        cases_state.open_case(require_set(), case_id)
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)
        return
    st.session_state["meeting-go"] = ("views/assess.py", case_id)


def _project(case_id: int) -> None:
    st.session_state[CURRENT_KEY] = case_id
    st.session_state["meeting-go"] = (PROJECTION_PAGE, case_id)


def _move(ids: list[int], step: int) -> None:
    current = st.session_state.get(CURRENT_KEY)
    index = ids.index(current) if current in ids else -1 if step > 0 else len(ids)
    st.session_state[CURRENT_KEY] = ids[max(0, min(len(ids) - 1, index + step))]


def render() -> None:
    st.title("Meeting")
    go = st.session_state.pop("meeting-go", None)
    if go:
        st.switch_page(go[0], query_params={"case": str(go[1])})
    message = cases_state.take_message()
    if message:
        st.error(escape_markdown(message))
    try:
        store = cases_state.store()
        dates = meeting_dates(store)
    except CandidacyError as error:
        st.error(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return
    if not dates:
        st.info("No stored case has a meeting date yet. Give cases a meeting date on the Cases page.")
        return
    if st.session_state.get(DATE_KEY) not in dates:
        st.session_state[DATE_KEY] = default_date(dates, dt.date.today())
    counts = {d: len(store.list_cases(meeting_date=d)) for d in dates}
    day: dt.date = st.selectbox(
        "Meeting date (dates that have cases)",
        dates,
        key=DATE_KEY,
        format_func=lambda d: f"{d.isoformat()} ({counts[d]} case{'s' if counts[d] != 1 else ''})",
    )
    entries = agenda(store, day)
    ids = [entry.case_id for entry, _ in entries]
    st.subheader(f"Agenda, {day.isoformat()}: {len(entries)} case{'s' if len(entries) != 1 else ''}")
    st.caption(
        "Counts: findings by kind; 'not yet answered' = items without an answer; "
        "'missing information' = items answered Unknown. The team decides; the criteria only inform."
    )
    current = st.session_state.get(CURRENT_KEY)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Previous case", key="meeting-previous", icon=":material/arrow_back:", on_click=_move, args=(ids, -1))
        st.button("Next case", key="meeting-next", icon=":material/arrow_forward:", on_click=_move, args=(ids, 1))
        if current in ids:
            st.markdown(f"**Now discussing:** case {ids.index(current) + 1} of {len(ids)}")
    for entry, _record in entries:
        _line(entry, entry.case_id == current)
    st.download_button(
        "Download the meeting pack (one PDF: cover, agenda, every record)",
        data=lambda: render_meeting_pdf(
            [r for _, r in entries], f"Referral meeting {day.isoformat()}", [e for e, _ in entries]
        ),
        file_name=f"meeting-{day.isoformat()}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="download-meeting-pdf",
        icon=":material/picture_as_pdf:",
    )


def _line(entry: AgendaEntry, now: bool) -> None:
    """One agenda entry: number and label, then status, decision, counts and step, then its links."""
    with st.container(border=True, key=f"agenda-{entry.case_id}"):
        text, links = st.columns([4, 1], vertical_alignment="top")
        marker = ":blue-badge[:material/record_voice_over: now]" if now else ""
        blocking = f" :red-badge[:material/block: {entry.counts.blocking} blocking]" if entry.counts.blocking else ""
        facts = entry.facts()
        text.markdown(
            f"**{entry.number}. {escape_markdown(entry.label)}** `#{entry.case_id}` {marker}{blocking}"
            f" · **Status:** {escape_markdown(facts[0])}"
            f" · **Decision:** {escape_markdown(entry.decision or 'not recorded')}  \n"
            f"**Answered:** {entry.counts.answered} of {entry.counts.applicable} · "
            f"**Findings:** {escape_markdown(facts[3])}  \n"
            f"**Step for the meeting:** {escape_markdown(entry.step or 'none yet')}"
        )
        with links, st.container(horizontal=True, horizontal_alignment="right"):
            st.button("Open", key=f"agenda-open-{entry.case_id}", on_click=_open, args=(entry.case_id,))
            st.button("Project", key=f"agenda-project-{entry.case_id}", on_click=_project, args=(entry.case_id,))
