"""The stored-case panel of the assessment page: save a draft as a case, autosave status, workflow
(ready, review sign-off, new revision), criteria drift and the audit trail."""

from __future__ import annotations

import json

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.render import escape_markdown
from candidacy.ui import cases_state
from candidacy.ui.state import draft_for

__all__ = ["render_case_panel"]


def _act(action: str, cset: CriteriaSet, **fields: str) -> None:
    """Run one workflow action from a button callback; problems become the message shown next."""
    current = cases_state.opened()
    store = cases_state.store()
    try:
        if action == "save-new":
            draft = draft_for(cset)
            label = draft.case.label.strip() or "unlabelled case"
            case_id = store.create_case(cset.id, label, draft.case.meeting_date, cases_state.actor())
            lock = store.get(case_id).row.lock_version
            store.save_all(case_id, lock, draft, cases_state.actor(), "saved from an unsaved draft")
            cases_state.saved_as_case(cset, case_id)
            return
        assert current is not None
        case_id, lock = current
        if action == "ready":
            store.mark_ready(case_id, lock, cases_state.actor())
        elif action == "review":
            store.review(case_id, lock, fields["name"], fields["role"], fields.get("comment", ""))
        elif action == "revise":
            store.revise(case_id, lock, fields["reason"], cases_state.actor())
        elif action == "close":
            cases_state.close_case(cset)
            return
        cases_state.open_case(cset, case_id)
    except CandidacyError as error:
        st.session_state[cases_state.MESSAGE_KEY] = str(error)


def _review(cset: CriteriaSet) -> None:
    _act(
        "review",
        cset,
        name=st.session_state.get("review-name", ""),
        role=st.session_state.get("review-role", ""),
        comment=st.session_state.get("review-comment", ""),
    )


def _revise(cset: CriteriaSet) -> None:
    _act("revise", cset, reason=st.session_state.get("revise-reason", ""))


def render_case_panel(cset: CriteriaSet, draft: AnswerSet) -> bool:
    """Show the panel; return True when the open revision is reviewed (frozen: widgets disabled)."""
    message = cases_state.take_message()
    if message:
        st.error(escape_markdown(message), icon=":material/sync_problem:")
    try:
        store = cases_state.store()
    except CandidacyError as error:
        st.warning(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return False
    current = cases_state.opened()
    if current is None:
        with st.container(border=True):
            st.markdown("**Unsaved draft.** Answers live in this browser session only.")
            st.button(
                "Save as a stored case (autosaves from then on)",
                key="case-save-new",
                on_click=_act,
                args=("save-new", cset),
                icon=":material/save:",
            )
        return False
    case_id, _ = current
    detail = store.get(case_id)
    row = detail.row
    frozen = bool(detail.content_hash)
    with st.container(border=True):
        st.markdown(
            f"**Stored case #{row.id}** · {escape_markdown(row.label)} · revision {row.revision} · "
            f"status **{row.status}** · every change is saved as you make it"
        )
        if frozen:
            reviewer = f"{detail.reviewed_by or ''} ({detail.reviewed_role or ''})"
            st.success(
                f"Reviewed by {escape_markdown(reviewer)} "
                f"on {detail.reviewed_at:%Y-%m-%d %H:%M} UTC. This revision is frozen; content hash "
                f"`{detail.content_hash}`.",
                icon=":material/verified:",
            )
        drift = store.drift(case_id)
        if drift is not None:
            st.warning(
                "The criteria have changed since this revision was assessed:\n\n"
                + "\n".join(f"- {escape_markdown(line)}" for line in drift.lines()),
                icon=":material/difference:",
            )
        columns = st.columns(3)
        with columns[0]:
            if row.status == "draft":
                st.button("Mark ready for review", key="case-ready", on_click=_act, args=("ready", cset))
        with columns[2]:
            st.button("Close this case", key="case-close", on_click=_act, args=("close", cset))
        if row.status == "ready":
            with st.expander("Review and sign off this revision", icon=":material/draw:"):
                st.text_input("Reviewer's name", key="review-name", max_chars=120)
                st.text_input("Reviewer's role", key="review-role", max_chars=120)
                st.text_area("Comment (optional)", key="review-comment", max_chars=2000)
                st.button("Sign off: freeze this revision", key="case-review", on_click=_review, args=(cset,))
        if frozen:
            with st.expander("Change this case: start a new revision", icon=":material/edit_note:"):
                st.text_input("Reason for the new revision (required)", key="revise-reason", max_chars=500)
                st.button("Start a new revision", key="case-revise", on_click=_revise, args=(cset,))
        with st.expander("Audit trail", icon=":material/history:"):
            trail = store.audit_trail(case_id)
            st.markdown("\n".join(f"- {escape_markdown(e.describe())}" for e in trail[-200:]) or "Empty.")
            st.download_button(
                "Download the audit trail (JSON)",
                data=json.dumps([{**e.__dict__, "at": e.at.isoformat()} for e in trail], indent=2, ensure_ascii=False),
                file_name=f"case-{case_id}-audit.json",
                mime="application/json",
                on_click="ignore",
                key="download-audit",
            )
    return frozen
