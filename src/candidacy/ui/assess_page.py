"""Assess a case: header, checklist, live summary, download and resume."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy import reports
from candidacy.criteria.models import CriteriaSet
from candidacy.draft import assess, download_name, draft_json, draft_record, load_draft
from candidacy.errors import CandidacyError
from candidacy.fhir import questionnaire_response
from candidacy.fhir.response import dumps
from candidacy.reasoning.answers import AnswerSet, CaseHeader
from candidacy.reasoning.privacy import identifier_warning
from candidacy.reports.render import escape_markdown
from candidacy.ui import cases_state
from candidacy.ui.case_panel import render_case_panel
from candidacy.ui.cases_state import autosave
from candidacy.ui.layout import require_set
from candidacy.ui.state import draft_for, key, replace_draft, seed
from candidacy.ui.summary import render_summary
from candidacy.ui.widgets import render_item

__all__ = ["render"]

UPLOAD_KEY = "resume-upload"
UPLOAD_SEEN = "resume-upload-seen"
UPLOAD_MESSAGE = "resume-upload-message"
_TEXT_FIELDS = (("label", "Case label (pseudonym)"), ("assessor", "Assessor"), ("role", "Assessor's role"))
_DATE_FIELDS = (("assessed_on", "Date of assessment"), ("meeting_date", "Meeting date"))


def render() -> None:
    cset = require_set()
    st.title("Assess a case")
    _resume(cset)
    draft = draft_for(cset)
    frozen = render_case_panel(cset, draft)
    if frozen:
        return  # a signed revision is read as its record (shown by the panel), not as greyed widgets
    _case_header(cset, draft, frozen)
    result = assess(cset, draft)
    not_applicable = {n.criterion: n for n in result.not_applicable}
    checklist, summary = st.columns([3, 2], gap="large")
    with checklist:
        for section in cset.sections:
            st.subheader(section.title)
            if section.description:
                st.caption(escape_markdown(section.description))
            for criterion in section.criteria:
                render_item(cset, criterion, draft, not_applicable.get(criterion.id), frozen)
    with summary, st.container(key="summary"):
        st.subheader("Summary for clinician review")
        render_summary(result, cset)
        st.subheader("Take the record away")
        st.download_button(
            "Download the record (PDF, to print and sign)",
            data=lambda: reports.render(draft_record(cset, draft), "pdf"),  # built on click, from the draft
            file_name=download_name(draft, "pdf"),
            mime="application/pdf",
            on_click="ignore",
            key="download-pdf",
            icon=":material/picture_as_pdf:",
        )
        st.download_button(
            "Download the record (Markdown)",
            data=lambda: reports.render(draft_record(cset, draft), "markdown"),
            file_name=download_name(draft, "md"),
            mime="text/markdown",
            on_click="ignore",
            key="download-markdown",
            icon=":material/description:",
        )
        st.download_button(
            "Download as FHIR R5 QuestionnaireResponse",
            data=lambda: dumps(questionnaire_response(cset, draft, "R5")),
            file_name=download_name(draft, "fhir.json"),
            mime="application/fhir+json",
            on_click="ignore",
            key="download-fhir",
            icon=":material/share:",
        )
        st.download_button(
            "Download the answers (JSON, to resume later)",
            data=lambda: draft_json(draft),
            file_name=download_name(draft, "json"),
            mime="application/json",
            on_click="ignore",
            key="download-json",
            icon=":material/save:",
        )


def _resume(cset: CriteriaSet) -> None:
    """Load a saved answers file; a bad or foreign file is reported and the current work is kept."""
    with st.expander("Resume a saved case", icon=":material/upload_file:"):
        upload = st.file_uploader(
            "Saved answers file (JSON or YAML) or FHIR QuestionnaireResponse (JSON) downloaded from this page",
            type=["json", "yaml", "yml"],
            key=UPLOAD_KEY,
        )
        if upload is None:
            st.session_state.pop(UPLOAD_SEEN, None)
            return
        if st.session_state.get(UPLOAD_SEEN) != upload.file_id:
            st.session_state[UPLOAD_SEEN] = upload.file_id
            try:
                loaded = load_draft(upload.getvalue(), upload.name, cset)
            except CandidacyError as error:
                lines = "\n".join(f"- {escape_markdown(str(p))}" for p in error.problems)
                st.session_state[UPLOAD_MESSAGE] = ("error", f"Not loaded; the current work is unchanged.\n\n{lines}")
            else:
                opened = cases_state.opened()
                if opened is not None:
                    try:
                        lock = cases_state.store().save_all(
                            opened[0], opened[1], loaded, cases_state.actor(), f"loaded from {upload.name}"
                        )
                    except CandidacyError as error:
                        st.session_state[UPLOAD_MESSAGE] = (
                            "error",
                            f"Not loaded into the stored case: {escape_markdown(str(error))}",
                        )
                        return
                    cases_state.set_lock(lock)
                replace_draft(cset, loaded)
                count = sum(1 for a in loaded.answers.values() if a.value is not None)
                st.session_state[UPLOAD_MESSAGE] = (
                    "success",
                    f"Loaded {count} answers from {escape_markdown(upload.name)}.",
                )
        kind, message = st.session_state.get(UPLOAD_MESSAGE, ("info", ""))
        if message:
            (st.error if kind == "error" else st.success)(message)


def _copy_case(cset: CriteriaSet, draft: AnswerSet, name: str) -> None:
    value = st.session_state[key(cset, "case", name)]
    draft.case = CaseHeader.model_validate({**draft.case.model_dump(), name: value})
    autosave(cset, "header", name, value)


def _case_header(cset: CriteriaSet, draft: AnswerSet, frozen: bool) -> None:
    columns = st.columns(5)
    for column, (name, label) in zip(columns, _TEXT_FIELDS, strict=False):
        widget_key = key(cset, "case", name)
        seed(widget_key, getattr(draft.case, name))
        with column:
            st.text_input(
                label, key=widget_key, max_chars=120, on_change=_copy_case, args=(cset, draft, name), disabled=frozen
            )
    for column, (name, label) in zip(columns[3:], _DATE_FIELDS, strict=False):
        widget_key = key(cset, "case", name)
        seed(widget_key, getattr(draft.case, name))
        with column:
            st.date_input(
                label,
                key=widget_key,
                value=None,
                min_value=dt.date(2000, 1, 1),
                max_value=dt.date(2100, 12, 31),
                format="YYYY-MM-DD",
                disabled=frozen,
                on_change=_copy_case,
                args=(cset, draft, name),
            )
    warning = identifier_warning(draft.case.label)
    if warning:
        st.warning(warning, icon=":material/privacy_tip:")
