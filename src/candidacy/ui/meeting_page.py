"""Meeting: the agenda of one meeting date, a case at a time, and one PDF for the whole meeting.

Only dates that have cases are offered (the next one to come first, else the latest), and the date
is kept in the address (``/meeting?date=2026-12-03``), so reload, back and a bookmark show the same
agenda. Each case is one structured line (status, team decision, counts, the step for the meeting's
question) with two links: "Open" (the case's own address, ``/?case=12``) and "Project"
(``/projection?case=12``). Being links, they open in the same tab on a click, and in a new tab, a
copy or a bookmark as any link does. "Previous" and "Next" move the chair through the agenda; the
case opened from it becomes the one being discussed. The counts come from
:mod:`candidacy.reports.meeting`, so they mean what they mean in the summary and on paper.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy import clock
from candidacy.errors import CandidacyError
from candidacy.reports.meeting import AgendaEntry, agenda_entry, team_decision
from candidacy.reports.pdf import render_meeting_pdf
from candidacy.reports.record import Record
from candidacy.reports.render import escape_markdown
from candidacy.store import CaseStore
from candidacy.ui import cases_state, state
from candidacy.ui.callbacks import callback

__all__ = ["ASSESS_PAGE", "CURRENT_KEY", "DATE_KEY", "PROJECTION_PAGE", "agenda", "meeting_dates", "render"]

DATE_KEY = state.MEETING_DATE
CURRENT_KEY = state.MEETING_CURRENT
ASSESS_PAGE = "views/assess.py"
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


@callback
def _move(ids: list[int], step: int) -> None:
    current = st.session_state.get(CURRENT_KEY)
    index = ids.index(current) if current in ids else -1 if step > 0 else len(ids)
    st.session_state[CURRENT_KEY] = ids[max(0, min(len(ids) - 1, index + step))]


def _forward_case_address() -> None:
    """``/meeting?case=12``, opened in a new tab or from a bookmark, opens case 12.

    Streamlit writes a link to the default page (the assessment) as the relative address
    ``?case=12``, which a new tab or a copied link reads as ``/meeting?case=12``. Only a new session
    is forwarded: going back to a bare ``/meeting`` keeps the parameters of the page left, and a
    session that has a case open or has shown the agenda already came here on purpose.
    """
    wanted = st.query_params.get(state.CASE_PARAM)
    fresh = state.opened() is None and state.MEETING_SHOWN_DATE not in st.session_state
    if wanted is not None and fresh:
        st.switch_page(ASSESS_PAGE, query_params={state.CASE_PARAM: wanted})


def _date_from_address(dates: list[dt.date]) -> None:
    """Show the date the address names; a bare address keeps the date this session last showed.

    The address is read only when it differs from what this page last wrote to it (a reload, back
    or forward, a link), so that a date just picked in the box is not undone by the old address.
    """
    raw = st.query_params.get(state.DATE_PARAM)
    shown: dt.date | None = st.session_state.get(state.MEETING_SHOWN_DATE)
    if raw is not None and raw != (shown.isoformat() if shown else None):
        try:
            wanted = dt.date.fromisoformat(raw)
        except ValueError:
            state.say(f"The address names the meeting date '{raw}', which is not a date (YYYY-MM-DD).")
        else:
            if wanted in dates:
                st.session_state[DATE_KEY] = wanted
            else:
                state.say(f"No stored case has the meeting date {raw}; pick one of the dates listed.")
    if st.session_state.get(DATE_KEY) not in dates:  # first visit, or the box was forgotten on another page
        st.session_state[DATE_KEY] = shown if shown in dates else default_date(dates, clock.today())


def _date_to_address(day: dt.date) -> None:
    """Write a date picked in the box (or one the address got wrong) to the address.

    A bare ``/meeting`` stays bare: writing to it would add a second history entry for the same
    page, and back would land on the agenda again instead of the page before it.
    """
    raw = st.query_params.get(state.DATE_PARAM)
    shown = st.session_state.get(state.MEETING_SHOWN_DATE)
    st.session_state[state.MEETING_SHOWN_DATE] = day
    picked = shown is not None and day != shown
    if (raw is not None or picked) and raw != day.isoformat():
        st.query_params[state.DATE_PARAM] = day.isoformat()


def _follow_open_case(ids: list[int]) -> None:
    """The case opened from the agenda (a link, so no callback runs) becomes the one discussed."""
    opened = state.opened()
    opened_id = opened[0] if opened is not None else None
    if opened_id != st.session_state.get(state.MEETING_SEEN_OPEN):
        st.session_state[state.MEETING_SEEN_OPEN] = opened_id
        if opened_id in ids:
            st.session_state[CURRENT_KEY] = opened_id


def render() -> None:
    _forward_case_address()
    st.title("Meeting")
    try:
        store = cases_state.store()
        dates = meeting_dates(store)
    except CandidacyError as error:
        st.error(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return
    if not dates:
        st.info("No stored case has a meeting date yet. Give cases a meeting date on the Cases page.")
        return
    _date_from_address(dates)
    message = cases_state.take_message()
    if message:
        st.error(escape_markdown(message))
    counts = {d: len(store.list_cases(meeting_date=d)) for d in dates}
    day: dt.date = st.selectbox(
        "Meeting date (dates that have cases)",
        dates,
        key=DATE_KEY,
        format_func=lambda d: f"{d.isoformat()} ({counts[d]} case{'s' if counts[d] != 1 else ''})",
    )
    _date_to_address(day)
    entries = agenda(store, day)
    ids = [entry.case_id for entry, _ in entries]
    _follow_open_case(ids)
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
            + (
                f"**Decisive unknowns ({len(entry.decisive)}):** {escape_markdown('; '.join(entry.decisive))}  \n"
                if entry.decisive
                else ""
            )
            + f"**Step for the meeting:** {escape_markdown(entry.step or 'none yet')}"
        )
        address = {state.CASE_PARAM: str(entry.case_id)}
        with links, st.container(horizontal=True, horizontal_alignment="right"):
            with st.container(key=f"agenda-open-{entry.case_id}", width="content"):
                st.page_link(ASSESS_PAGE, label="Open", icon=":material/open_in_browser:", query_params=address)
            with st.container(key=f"agenda-project-{entry.case_id}", width="content"):
                st.page_link(PROJECTION_PAGE, label="Project", icon=":material/present_to_all:", query_params=address)
