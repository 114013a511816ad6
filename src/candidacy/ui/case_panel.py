"""The stored-case panel of the assessment page: save a draft as a case, autosave status, the team's
decision, sign-off (with the unanswered items acknowledged), new revisions, every revision readable as
its record, criteria drift and the audit trail. Every action is a change (:mod:`candidacy.case`) handed
to the store in one call; the panel then shows what the store holds, a refusal said beside it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import streamlit as st

from candidacy import clock, reports
from candidacy.case import MarkReady, SetDecision, SignOffRevision
from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError, TamperError
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.departure import departure
from candidacy.reports.markdown import render_markdown
from candidacy.reports.record import Record
from candidacy.reports.render import escape_markdown
from candidacy.reports.signoff import OUTCOMES, Decision, SignOff
from candidacy.ui import cases_state
from candidacy.ui.callbacks import callback
from candidacy.ui.state import (
    AUDIT_TRAIL,
    DECISION_DATE,
    DECISION_FORM,
    DECISION_MESSAGE,
    DECISION_OUTCOME,
    DECISION_PRESENT,
    DECISION_REASONS,
    DECISION_UNTIL,
    READ_REVISION,
    REVIEW_ACKNOWLEDGE,
    REVIEW_COMMENT,
    REVISE_REASON,
    REVISIONS,
    distrust,
    draft_for,
)

if TYPE_CHECKING:
    from candidacy.store import CaseDetail, CaseStore

__all__ = ["render_case_panel"]

AUDIT_SHOWN = 50  # the latest entries shown; the whole trail is a download (built on click)
DECISION_FIELDS = (DECISION_OUTCOME, DECISION_UNTIL, DECISION_REASONS, DECISION_PRESENT, DECISION_DATE)


@callback
def _act(action: str, cset: CriteriaSet) -> None:
    """Run one workflow action from a button callback; problems become the message shown next."""
    current = cases_state.opened()
    session = st.session_state
    session.pop(DECISION_MESSAGE, None)
    try:
        store = cases_state.store()
    except CandidacyError as error:  # an unsaved draft learns it here, when it is first saved
        session[cases_state.MESSAGE_KEY] = f"Stored cases are unavailable: {error}"
        return
    try:
        actor = cases_state.actor()
        if action == "save-new":
            draft = draft_for(cset)
            label = draft.case.label.strip() or "unlabelled case"
            case_id = store.create_case(cset.id, label, draft.case.meeting_date, actor, answers=draft)
            cases_state.saved_as_case(cset, case_id)
            return
        assert current is not None
        case_id, lock = current
        if action == "ready":
            store.apply(case_id, lock, MarkReady(), actor)
        elif action == "review":
            gaps = [criterion for criterion, _ in store.gaps(case_id)] if session.get(REVIEW_ACKNOWLEDGE) else []
            store.apply(case_id, lock, SignOffRevision(str(session.get(REVIEW_COMMENT) or ""), tuple(gaps)), actor)
        elif action == "decide":
            store.apply(case_id, lock, SetDecision(_decision_from_form(actor.name)), actor)
        elif action == "revise":
            store.revise(case_id, lock, str(session.get(REVISE_REASON) or ""), actor)
        elif action == "close":
            cases_state.close_case(cset)
            return
        cases_state.open_case(cset, case_id)
    except (CandidacyError, ValueError) as error:
        distrust()  # the write may have found the case changed outside the application: read it in full
        # A refused decision is said inside its form, where the person is typing; the rest at the panel's top.
        session[DECISION_MESSAGE if action == "decide" else cases_state.MESSAGE_KEY] = str(error)


def _decision_from_form(recorded_by: str) -> Decision:
    session = st.session_state
    present = [p.strip() for p in str(session.get(DECISION_PRESENT) or "").replace(";", "\n").splitlines()]
    try:
        return Decision(
            outcome=session.get(DECISION_OUTCOME) or "other",
            until=str(session.get(DECISION_UNTIL) or ""),
            reasons=str(session.get(DECISION_REASONS) or ""),
            present=tuple(p for p in present if p),
            decided_on=session.get(DECISION_DATE) or clock.today(),
            recorded_by=recorded_by,
        )
    except ValueError as error:  # pydantic's message names the field
        raise ValueError("Decision not recorded: " + "; ".join(e["msg"] for e in error.errors())) from None  # type: ignore[attr-defined]


def sign_off_text(sign: SignOff, digest: str | None) -> str:
    """The sign-off as shown on screen (the record prints the same facts)."""
    lines = [
        f"**Signed off by {escape_markdown(sign.reviewer)}** ({escape_markdown(sign.role)}), "
        f"{escape_markdown(sign.source_label())}",
        f"on {sign.signed_at:%Y-%m-%d %H:%M} UTC ({escape_markdown(sign.signed_at_local)} local)",
    ]
    if sign.comment:
        lines.append(f"Comment: {escape_markdown(sign.comment)}")
    if sign.acknowledged_gaps:
        named = ", ".join(escape_markdown(g.title) for g in sign.acknowledged_gaps)
        lines.append(f"Signed with {len(sign.acknowledged_gaps)} item(s) unanswered, acknowledged: {named}")
    if digest:
        lines.append(f"Revision hash `{digest}`")
    return "  \n".join(lines)


def read_opened() -> CaseDetail | CandidacyError | None:
    """The open case's current revision, read once for the whole page run (None when no case is open)."""
    if cases_state.opened() is None:
        return None
    try:
        return cases_state.read_open()
    except CandidacyError as error:
        return error


def opened_frozen(opened: CaseDetail | CandidacyError | None) -> bool:
    """Whether the open case's current revision is signed (or its signed record fails its check): the page
    then shows it as its record, at full width, instead of the checklist beside the summary."""
    if isinstance(opened, TamperError):
        return True
    return not isinstance(opened, CandidacyError) and opened is not None and opened.frozen


def render_case_panel(cset: CriteriaSet, draft: AnswerSet, opened: CaseDetail | CandidacyError | None) -> bool:
    """Show the panel for the open case as read by :func:`read_opened`; return True when the open
    revision is reviewed (frozen: shown as its record)."""
    message = cases_state.take_message()
    if message:
        st.error(escape_markdown(message), icon=":material/sync_problem:")
    if opened is None:  # no store needed (nor loaded) until the draft is saved
        with st.container(border=True):
            st.markdown("**Unsaved draft**, kept on this machine at this page's address; not yet a stored case.")
            st.button(
                "Save as a stored case (autosaves from then on)",
                key="case-save-new",
                on_click=_act,
                args=("save-new", cset),
                icon=":material/save:",
            )
        return False
    try:
        store = cases_state.store()
    except CandidacyError as error:
        st.warning(f"Stored cases are unavailable: {escape_markdown(str(error))}")
        return False
    if isinstance(opened, TamperError):
        st.error(
            f"**This case was changed outside the application.** {escape_markdown(str(opened))}. "
            "Do not rely on it; run `python -m candidacy cases verify` and restore from a backup.",
            icon=":material/gpp_bad:",
        )
        st.button("Close this case", key="case-close", on_click=_act, args=("close", cset))
        return True
    if isinstance(opened, CandidacyError):
        raise opened
    detail = opened
    case_id = detail.row.id
    row = detail.row
    with st.container(border=True):
        state_line = (
            "signed and frozen: read-only, shown below as its record"
            if detail.frozen
            else "every change is saved as you make it"
        )
        st.markdown(
            f"**Stored case #{row.id}** · {escape_markdown(row.label)} · revision {row.revision} · "
            f"status **{row.status}** · {state_line}"
        )
        if detail.sign_off is not None:
            st.success(sign_off_text(detail.sign_off, detail.content_hash), icon=":material/verified:")
        elif detail.frozen:
            st.success(f"Reviewed by {escape_markdown(detail.reviewed_by or '')}; hash `{detail.content_hash}`")
        drift = store.drift(case_id, detail)  # the revision just read: the case is read once per run
        if drift is not None:
            st.warning(
                "The criteria have changed since this revision was assessed:\n\n"
                + "\n".join(f"- {escape_markdown(line)}" for line in drift.lines()),
                icon=":material/difference:",
            )
        columns = st.columns(2)  # the panel sits in the checklist's column: two buttons to a row
        with columns[0]:
            if row.status == "draft":
                st.button("Mark ready for review", key="case-ready", on_click=_act, args=("ready", cset))
        with columns[1]:
            st.button("Close this case", key="case-close", on_click=_act, args=("close", cset))
        if not detail.frozen:
            _decision_form(cset, store, detail)
        if row.status == "ready":
            _sign_off_form(cset, store, case_id)
        if detail.frozen:
            with st.expander("Change this case: start a new revision", icon=":material/edit_note:"):
                st.text_input("Reason for the new revision (required)", key=REVISE_REASON, max_chars=500)
                st.button("Start a new revision", key="case-revise", on_click=_act, args=("revise", cset))
        _audit(cset, store, case_id)
    _revisions(store, detail)
    return detail.frozen


def _decision_form(cset: CriteriaSet, store: CaseStore, detail: CaseDetail) -> None:
    """The team decision: the one recorded, and a form that keeps its place (open or closed, under a key
    and a label that do not change) across reruns, a refusal, or a decision just recorded."""
    decision = detail.decision
    st.markdown(f"**Team decision:** {escape_markdown(decision.label()) if decision else 'not recorded'}")
    form = st.expander(
        "Record or change the team's decision", key=DECISION_FORM, on_change="rerun", icon=":material/groups:"
    )
    with form:
        if form.open is False:  # drawn only while open (five fields on every rerun cost as much as the panel)
            _keep_typed()
            return
        refused = st.session_state.get(DECISION_MESSAGE)
        if refused:
            st.error(f"Not recorded: {escape_markdown(str(refused))}", icon=":material/block:")
        if decision is not None:
            why = departure(store.record(detail.row.id, trusted_lock=detail.row.lock_version), decision)
            if why:
                st.info(f"This decision departs from what the criteria point to ({escape_markdown(why)}).")
        outcomes = list(OUTCOMES)
        st.selectbox(
            "Outcome",
            outcomes,
            index=outcomes.index(decision.outcome) if decision else 0,
            format_func=lambda o: OUTCOMES[o],
            key=DECISION_OUTCOME,
        )
        st.text_input("Deferred until (for a deferred decision)", key=DECISION_UNTIL, max_chars=500)
        st.text_area(
            "Reasons (required when the decision departs from what the criteria point to)",
            key=DECISION_REASONS,
            max_chars=4000,
        )
        st.text_area("Who was present (one per line)", key=DECISION_PRESENT, max_chars=2000)
        st.date_input("Date of the decision", key=DECISION_DATE, value=clock.today())
        st.button("Record the decision", key="case-decide", on_click=_act, args=("decide", cset))


def _keep_typed() -> None:
    """Keep what was typed in the closed decision form for when it opens again: Streamlit forgets the value
    of a widget that is not drawn, unless the value is written back under its key."""
    for name in DECISION_FIELDS:
        if name in st.session_state:
            st.session_state[name] = st.session_state[name]


def _sign_off_form(cset: CriteriaSet, store: CaseStore, case_id: int) -> None:
    actor = cases_state.known_actor()
    with st.expander("Review and sign off this revision", icon=":material/draw:", expanded=True):
        if actor is None:
            st.warning("Give your name and role in the sidebar before signing off.")
            return
        if not actor.may("reviewer"):
            st.warning(f"{escape_markdown(actor.name)} is not a reviewer: only a reviewer can sign off.")
            return
        st.markdown(f"You sign as **{escape_markdown(actor.describe())}**.")
        gaps = store.gaps(case_id)
        if gaps:
            st.warning(
                f"{len(gaps)} applicable item(s) are unanswered:\n\n"
                + "\n".join(f"- {escape_markdown(title)}" for _, title in gaps),
                icon=":material/report:",
            )
            st.checkbox(
                f"I have read the {len(gaps)} unanswered item(s) above and sign off knowing they are unanswered "
                "(this acknowledgement is part of the signature)",
                key=REVIEW_ACKNOWLEDGE,
            )
        st.text_area("Comment (optional)", key=REVIEW_COMMENT, max_chars=2000)
        st.button("Sign off: freeze this revision", key="case-review", on_click=_act, args=("review", cset))


def _audit(cset: CriteriaSet, store: CaseStore, case_id: int) -> None:
    """The latest entries, read only while the expander is open (the trail can be long; reruns stay fast)."""
    trail = st.expander("Audit trail", key=AUDIT_TRAIL, on_change="rerun", icon=":material/history:")
    with trail:
        if trail.open is False:
            return
        latest = store.audit_trail(case_id, latest=AUDIT_SHOWN)
        titles = {cid: c.title for cid, c in cset.criteria_by_id.items()}
        st.markdown("\n".join(f"- {escape_markdown(e.describe(titles))}" for e in latest) or "Empty.")
        st.download_button(
            "Download the whole audit trail (JSON)",
            data=lambda: json.dumps([e.to_dict() for e in store.audit_trail(case_id)], indent=2, ensure_ascii=False),
            file_name=f"case-{case_id}-audit.json",
            mime="application/json",
            on_click="ignore",
            key="download-audit",
        )


def _revisions(store: CaseStore, detail: CaseDetail) -> None:
    """Every revision readable as its record, with its sign-off; the open frozen one is shown at once."""
    if detail.frozen:
        _show_revision(store, detail.row.id, detail.number)
    others = [n for n in range(detail.row.revision, 0, -1) if not (detail.frozen and n == detail.number)]
    if not others:
        return
    # The choice is drawn only while its expander is open: a select box on every autosaved change costs
    # as much as the rest of the panel.
    reader = st.expander(
        "Read a revision as its record", key=REVISIONS, on_change="rerun", icon=":material/history_edu:"
    )
    with reader:
        if reader.open is False:
            return
        choice = st.selectbox(
            "Revision",
            [None, *others],
            format_func=lambda n: "choose a revision" if n is None else f"revision {n}",
            key=READ_REVISION,
        )
    if choice is not None:
        _show_revision(store, detail.row.id, choice)


def _show_revision(store: CaseStore, case_id: int, number: int) -> None:
    try:
        shown = cases_state.read_open(number)
    except TamperError as error:
        st.error(f"**{escape_markdown(str(error))}**", icon=":material/gpp_bad:")
        return
    record: Record = shown.record or store.record(case_id, number, trusted_lock=shown.row.lock_version)
    with st.container(border=True, key=f"revision-record-{number}"):
        if shown.sign_off is not None:
            st.success(sign_off_text(shown.sign_off, shown.content_hash), icon=":material/verified:")
        else:
            st.info(f"Revision {number} is not signed off ({shown.status}).")
        st.download_button(
            f"Download revision {number}'s record (PDF)",
            data=lambda: reports.render(record, "pdf"),  # built on click: the PDF stack loads then
            file_name=f"case-{case_id}-revision-{number}.pdf",
            mime="application/pdf",
            on_click="ignore",
            key=f"download-revision-pdf-{number}",
        )
        st.markdown(render_markdown(record))
