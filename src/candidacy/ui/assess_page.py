"""Assess a case: header, checklist, live summary, download and resume."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from candidacy.criteria.models import CriteriaSet, Section
from candidacy.draft import absence_items, assess, download_name, draft_json, draft_record, read_draft
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import AnswerSet
from candidacy.reasoning.privacy import identifier_warning
from candidacy.reports.render import escape_markdown
from candidacy.ui import edits, kept_drafts, state
from candidacy.ui.callbacks import callback
from candidacy.ui.case_panel import opened_frozen, read_opened, render_case_panel
from candidacy.ui.layout import require_set
from candidacy.ui.prefill_panel import render_prefill
from candidacy.ui.state import draft_for, key, seed
from candidacy.ui.summary import render_question_links, render_step_line, render_summary
from candidacy.ui.widgets import render_item

__all__ = ["render"]

_TEXT_FIELDS = (("label", "Case label (pseudonym)"), ("assessor", "Assessor"), ("role", "Assessor's role"))
_TEXT_NAMES = ("label", "assessor", "role")
_DATE_FIELDS = (("assessed_on", "Date of assessment"), ("meeting_date", "Meeting date"))


def _pdf(cset: CriteriaSet, draft: AnswerSet) -> bytes:
    from candidacy import reports  # the PDF stack loads on the first download, not with the page

    return reports.render(draft_record(cset, draft), "pdf")


def _markdown(cset: CriteriaSet, draft: AnswerSet) -> bytes:
    from candidacy import reports

    return reports.render(draft_record(cset, draft), "markdown")


def _fhir(cset: CriteriaSet, draft: AnswerSet) -> str:
    from candidacy.fhir import questionnaire_response  # fhir.resources loads on the first FHIR download
    from candidacy.fhir.response import dumps

    return dumps(questionnaire_response(cset, draft, "R5"))


def render() -> None:
    cset = require_set()
    edits.follow_address(cset)
    step_line = st.container(key="step-line")  # filled once the draft is assessed (narrow screens only)
    title, new = st.columns([5, 1], vertical_alignment="bottom")
    title.title("Assess a case")
    new.button("New case", key="new-case", on_click=kept_drafts.start_new, args=(cset,), icon=":material/note_add:")
    _restored_banner(cset)
    _resume(cset)
    draft = draft_for(cset)
    opened = read_opened()  # the open case, read once for this run
    if opened_frozen(opened):  # a signed revision is read as its record (shown by the panel), not as greyed widgets
        render_case_panel(cset, draft, opened)
        return
    render_prefill(cset)
    # The summary starts at the top, beside the case panel and the header: the step for the meeting's
    # question is in the first screen whatever the panel holds.
    checklist, summary = st.columns([3, 2], gap="large")
    with checklist:
        frozen = render_case_panel(cset, draft, opened)
        if frozen:
            return  # signed between the check above and now
        _case_header(cset, draft, frozen)
    result = assess(cset, draft)
    not_applicable = {n.criterion: n for n in result.not_applicable}
    render_step_line(step_line, result)
    with checklist:
        for section in cset.sections:
            st.subheader(section.title)
            if section.description:
                st.caption(escape_markdown(section.description))
            if not frozen:
                _none_of_these(cset, section, draft, set(not_applicable))
            for criterion in section.criteria:
                render_item(cset, criterion, draft, not_applicable.get(criterion.id), frozen)
    with summary, st.container(key="summary"):
        st.markdown("#### Summary for clinician review")
        render_summary(result, cset)
        st.subheader("Take the record away")
        st.download_button(
            "Download the record (PDF, to print and sign)",
            data=lambda: _pdf(cset, draft),  # built on click, outside the script run: from this run's draft
            file_name=download_name(draft, "pdf"),
            mime="application/pdf",
            on_click="ignore",
            key="download-pdf",
            icon=":material/picture_as_pdf:",
        )
        st.download_button(
            "Download the record (Markdown)",
            data=lambda: _markdown(cset, draft),
            file_name=download_name(draft, "md"),
            mime="text/markdown",
            on_click="ignore",
            key="download-markdown",
            icon=":material/description:",
        )
        st.download_button(
            "Download as FHIR R5 QuestionnaireResponse",
            data=lambda: _fhir(cset, draft),
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
    _save_status()


def _save_status() -> None:
    """The last element of the page: how many changes this session made, each saved as it was made."""
    where = "the stored case" if state.opened() is not None else "the draft kept on this machine"
    with st.container(key="save-status"):
        st.caption(f"{state.changes()} change(s) in this page's session, each saved to {where} as it was made.")
        render_question_links()


def _resume(cset: CriteriaSet) -> None:
    """Load a saved answers file; a bad or foreign file is reported and the current work is kept."""
    with st.expander("Resume a saved case", icon=":material/upload_file:"):
        upload = st.file_uploader(
            "Saved answers file (JSON or YAML) or FHIR QuestionnaireResponse (JSON) downloaded from this page",
            type=["json", "yaml", "yml"],
            key=state.UPLOAD,
        )
        if upload is None:
            st.session_state.pop(state.UPLOAD_SEEN, None)
            return
        if st.session_state.get(state.UPLOAD_SEEN) != upload.file_id:
            st.session_state[state.UPLOAD_SEEN] = upload.file_id
            try:
                loaded, migrated = read_draft(upload.getvalue(), upload.name, cset)
            except CandidacyError as error:
                lines = "\n".join(f"- {escape_markdown(str(p))}" for p in error.problems)
                st.session_state[state.UPLOAD_MESSAGE] = (
                    "error",
                    f"Not loaded; the current work is unchanged.\n\n{lines}",
                )
            else:
                try:
                    edits.replace_all(cset, loaded, f"loaded from {upload.name}")
                except CandidacyError as error:
                    message = f"Not loaded into the stored case: {escape_markdown(str(error))}"
                    st.session_state[state.UPLOAD_MESSAGE] = ("error", message)
                    return
                count = sum(1 for a in loaded.answers.values() if a.value is not None)
                message = f"Loaded {count} answers from {escape_markdown(upload.name)}."
                if migrated:
                    message += "\n\n" + "\n".join(f"- {escape_markdown(line)}" for line in migrated)
                st.session_state[state.UPLOAD_MESSAGE] = ("success", message)
        kind, message = st.session_state.get(state.UPLOAD_MESSAGE, ("info", ""))
        if message:
            (st.error if kind == "error" else st.success)(message)


@callback
def _copy_case(cset: CriteriaSet, name: str) -> None:
    value = state.widget_value(key(cset, "case", name))
    edits.change(cset, "header", name, "" if value is None and name in _TEXT_NAMES else value)


@callback
def _none(cset: CriteriaSet, section_id: str) -> None:
    section = next(s for s in cset.sections if s.id == section_id)
    items = absence_items(cset, section, draft_for(cset))
    edits.change_many(cset, dict(items), f"none of these: {section.title}")


def _none_of_these(cset: CriteriaSet, section: Section, draft: AnswerSet, skipped: set[str]) -> None:
    """One action for a block of "is X present?" items: the unanswered ones become "absent" (one audit entry)."""
    items = absence_items(cset, section, draft, skipped)
    if len(items) >= 2:
        st.button(
            f"None of these: mark the {len(items)} unanswered items of this section as absent (No / None)",
            key=f"none-{section.id}",
            on_click=_none,
            args=(cset, section.id),
            icon=":material/done_all:",
            type="tertiary",
        )


def _restored_banner(cset: CriteriaSet) -> None:
    kept = state.restored()
    if kept is None or state.opened() is not None:
        return
    count = sum(1 for a in kept.answers.answers.values() if a.value is not None)
    st.info(
        f"Your unsaved draft was kept on this machine and is back ({count} answers, last change "
        f"{kept.changed:%Y-%m-%d %H:%M} UTC). Save it as a stored case, or start a new case.",
        icon=":material/restore:",
    )


def _case_header(cset: CriteriaSet, draft: AnswerSet, frozen: bool) -> None:
    columns = st.columns(3)  # two rows in the checklist's column: the text fields, then the dates
    for column, (name, label) in zip(columns, _TEXT_FIELDS, strict=False):
        widget_key = key(cset, "case", name)
        seed(widget_key, getattr(draft.case, name))
        with column:
            st.text_input(
                label, key=widget_key, max_chars=120, on_change=_copy_case, args=(cset, name), disabled=frozen
            )
    for column, (name, label) in zip(st.columns(2), _DATE_FIELDS, strict=False):
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
                args=(cset, name),
            )
    warning = identifier_warning(draft.case.label)
    if warning:
        st.warning(warning, icon=":material/privacy_tip:")
