"""Meeting: the cases of one meeting date as an agenda, and one combined PDF for the meeting."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy.errors import CandidacyError
from candidacy.reports.pdf import render_meeting_pdf
from candidacy.reports.render import escape_markdown
from candidacy.store import CaseStore
from candidacy.store.summary import summary_line
from candidacy.ui import cases_state

__all__ = ["render"]


def _combined(store: CaseStore, ids: list[int], day: dt.date) -> bytes:
    return render_meeting_pdf([store.record(i) for i in ids], f"Referral meeting {day.isoformat()}")


def render() -> None:
    st.title("Meeting")
    try:
        store = cases_state.store()
    except CandidacyError as error:
        st.error(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return
    day = st.date_input("Meeting date", key="meeting-date", value=dt.date.today(), format="YYYY-MM-DD")
    rows = store.list_cases(meeting_date=day)
    if not rows:
        st.info("No cases for this meeting date. Create them on the Cases page with this meeting date.")
        return
    st.markdown(f"**Agenda, {day.isoformat()}: {len(rows)} case(s)**")
    for number, row in enumerate(sorted(rows, key=lambda r: r.id), 1):
        st.markdown(f"{number}. {escape_markdown(summary_line(row))}")
    ids = [r.id for r in sorted(rows, key=lambda r: r.id)]
    st.download_button(
        "Download all records for this meeting (one PDF)",
        data=lambda: _combined(store, ids, day),
        file_name=f"meeting-{day.isoformat()}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="download-meeting-pdf",
        icon=":material/picture_as_pdf:",
    )
