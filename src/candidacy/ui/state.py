"""Session state in one place: every session key and query parameter, and the session's reads and writes.

Nothing else in the app reads or writes ``st.session_state`` under a name not declared here
(``tests/test_architecture.py`` checks it). The session holds the drafts (one per criteria set), the
open case with the lock version it was read at, the token of the unsaved draft, and what a callback
leaves for the next run: a message, text a conflict refused, a move of the address.

Widgets are views of the draft. Streamlit forgets a widget's state when it is not rendered (another
page, an item that stops applying), so the draft, not the widget, is the source of truth, and a
widget's state is seeded from the draft whenever Streamlit has dropped it. Callbacks look the draft
up when they run, never through an object captured at render time: a draft replaced in between (a
case opened, a conflict reloaded) cannot swallow a change.

What is not session state lives beside this module: the process's settings and criteria
(:mod:`.resources`), the callback guard (:mod:`.callbacks`), the one path of a change (:mod:`.edits`),
the unsaved drafts kept on disk and the address that names them (:mod:`.kept_drafts`).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Final

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.draft import KeptDraft, new_draft
from candidacy.reasoning.answers import AnswerSet
from candidacy.ui.callbacks import callback
from candidacy.ui.resources import catalogue

if TYPE_CHECKING:
    from candidacy.store import CaseDetail  # the store loads when a case is first used

__all__ = [
    "ARCHIVED_PARAM",
    "CASE_PARAM",
    "DATE_PARAM",
    "DRAFT_PARAM",
    "LABEL_PARAM",
    "MESSAGE",
    "SET_KEY",
    "STATUS_PARAM",
    "TAB_PARAM",
    "TEACHING_PARAM",
    "VIGNETTE_PARAM",
    "WORKSHEET_PARAM",
    "current_set",
    "draft_for",
    "forget_widgets",
    "key",
    "seed",
    "set_draft",
]

# Session keys: nothing else in the app reads or writes st.session_state under another name.
SET_KEY: Final = "criteria-set"  # the criteria set picked in the sidebar (a widget key)
DRAFTS: Final = "drafts"  # criteria set id -> AnswerSet
DRAFT_TOKEN: Final = "draft-token"  # noqa: S105 - a session key; the token of the unsaved draft in this session
RESTORED: Final = "draft-restored"  # when the draft was taken back from disk: its time, for the banner
OPEN_CASE: Final = "open-case"  # id of the stored case open in this session
OPEN_LOCK: Final = "open-case-lock"  # the lock version this session last saw
OPEN_SEALED: Final = "open-case-sealed"  # the lock version at which this session checked the seal, or wrote
OPEN_HELD: Final = "open-case-held"  # the current revision as read or written at OPEN_SEALED (CaseDetail)
MESSAGE: Final = "store-message"  # a problem to show once, at the top of the next page
REFUSED: Final = "refused-text"  # widget key -> text typed but refused by a conflict (to copy or merge)
# The case panel's review, revision and team-decision forms (widget keys read in their callbacks).
REVIEW_COMMENT: Final = "review-comment"
REVISE_REASON: Final = "revise-reason"
DECISION_OUTCOME: Final = "decision-outcome"
DECISION_UNTIL: Final = "decision-until"
DECISION_REASONS: Final = "decision-reasons"
DECISION_PRESENT: Final = "decision-present"
DECISION_DATE: Final = "decision-date"
UPLOAD: Final = "resume-upload"  # the file uploader of "Resume a saved case"
UPLOAD_SEEN: Final = "resume-upload-seen"
UPLOAD_MESSAGE: Final = "resume-upload-message"
PREFILL_UPLOAD: Final = "prefill-upload"  # "Propose answers from a FHIR record": the record's files (widget key)
PREFILL_SEEN: Final = "prefill-seen"  # the files the proposals were made from
PREFILL_RESULT: Final = "prefill-result"  # the proposals (a candidacy.fhir.prefill.Prefill), or the error lines
PREFILL_DONE: Final = "prefill-done"  # criterion ids whose proposal was accepted or rejected: no longer listed
CHANGES: Final = "changes"  # how many changes this session has applied (shown: the page is up to date)
NEW_ADDRESS: Final = "new-address"  # the address a callback moved to, written at the top of the next run
GO_TO_ASSESS: Final = "go-to-assess"  # a case was opened from another page: show it
NEW_CASE_LABEL: Final = "new-case-label"
NEW_CASE_MEETING: Final = "new-case-meeting"
MEETING_DATE: Final = "meeting-date"  # the Meeting page's date (a widget key; the address keeps it too)
MEETING_SHOWN_DATE: Final = "meeting-shown-date"  # the date last written to the Meeting page's address
MEETING_CURRENT: Final = "meeting-current"  # id of the case the meeting is discussing now
MEETING_SEEN_OPEN: Final = "meeting-seen-open"  # the open case when the Meeting page last ran
PROFILE_NAME: Final = "profile-name"  # personal mode: the clinician's name and role (widget keys)
PROFILE_ROLE: Final = "profile-role"
PROFILE_MESSAGE: Final = "profile-message"
REVIEW_ACKNOWLEDGE: Final = "review-acknowledge"  # the reviewer ticks that the decision departs from the criteria
READ_REVISION: Final = "read-revision"  # which revision of the open case is shown as a record
REVISIONS: Final = "revisions"  # the expander to read a revision as its record (drawn while open)
DECISION_FORM: Final = "decision-form"  # the team decision's expander: open or closed, kept across reruns
DECISION_MESSAGE: Final = "decision-message"  # why the last decision was not recorded, shown in its form
AUDIT_TRAIL: Final = "audit-trail"  # the audit trail's expander: its entries are read only while it is open
LEARN_DRAFTS: Final = "learn-drafts"  # vignette id -> the trainee's practice answers
LEARN_SUBMITTED: Final = "learn-submitted"
LEARN_PROGRESS: Final = "learn-progress"
LEARN_CONFIRM: Final = "learn-confirm"  # the vignette whose submission waits for "compare anyway"
QUIZ_INDEX: Final = "quiz-index"
QUIZ_CHECKED: Final = "quiz-checked"
QUIZ_RESULTS: Final = "quiz-results"
QUIZ_ANSWER: Final = "quiz-answer"
LEARN_SCREENING_CHOSEN: Final = "learn-screening-chosen"
LEARN_SCREENING_SUBMITTED: Final = "learn-screening-submitted"
LEARN_TAB: Final = "learn-tab"  # the Learn page's open tab (a widget key, by its label)
LEARN_CAUSE: Final = "learn-cause"  # the Learn page's filters and its vignette (widget keys)
LEARN_THEME: Final = "learn-theme"
LEARN_VIGNETTE: Final = "learn-vignette"
LEARN_ADDRESS: Final = "learn-address"  # the Learn parameters the page last wrote to the address
SCREENING_CASE: Final = "screening-case"  # the Screening page's case, its open worksheet and message
SCREENING_OPEN: Final = "screening-open"
SCREENING_MESSAGE: Final = "screening-message"
SCREENING_WORKSHEET: Final = "screening-worksheet"
SCREENING_ADDRESS: Final = "screening-address"  # the Screening parameters the page last wrote
FILTER_MEETING: Final = "filter-meeting"  # the Cases page's filters (widget keys)
FILTER_STATUS: Final = "filter-status"
FILTER_SEARCH: Final = "filter-search"
FILTER_ARCHIVED: Final = "filter-archived"
CASES_ADDRESS: Final = "cases-address"  # the filter parameters the Cases page last wrote

# Query parameters: the address of what is open. A page leaves out a parameter at its default, so
# that the page's own link (a bare address) shows the defaults and adds no second history entry.
CASE_PARAM: Final = "case"  # a stored case: ``/?case=12``, ``/projection?case=12``, ``/screening?case=12``
DRAFT_PARAM: Final = "draft"
DATE_PARAM: Final = "date"  # a meeting date: ``/meeting?date=2026-12-03``, the Cases filter ``/cases?date=...``
WORKSHEET_PARAM: Final = "worksheet"  # Screening: the case's worksheet, ``/screening?case=12&worksheet=3``
STATUS_PARAM: Final = "status"  # the Cases filters: ``/cases?status=ready&label=MS&archived=yes``
LABEL_PARAM: Final = "label"  # (text the label contains)
ARCHIVED_PARAM: Final = "archived"
TAB_PARAM: Final = "tab"  # Learn: the tab, ``/learn?tab=screening``
VIGNETTE_PARAM: Final = "vignette"  # Learn: the vignette practised, ``/learn?vignette=v09_true_allergy``
TEACHING_PARAM: Final = "teaching"  # Learn: the teaching screening worksheet, ``/learn?tab=screening&teaching=t02_...``


def current_set() -> CriteriaSet | None:
    cat = catalogue()
    chosen = st.session_state.get(SET_KEY) or cat.default_id
    return cat.sets.get(chosen) if chosen else None


def draft_for(cset: CriteriaSet) -> AnswerSet:
    drafts: dict[str, AnswerSet] = st.session_state.setdefault(DRAFTS, {})
    if cset.id not in drafts:
        drafts[cset.id] = new_draft(cset)
    return drafts[cset.id]


def set_draft(cset: CriteriaSet, draft: AnswerSet) -> None:
    """The draft after a change its widgets already show (their values stay)."""
    st.session_state.setdefault(DRAFTS, {})[cset.id] = draft


def replace_draft(cset: CriteriaSet, draft: AnswerSet) -> None:
    st.session_state.setdefault(DRAFTS, {})[cset.id] = draft
    forget_widgets(cset)


def key(cset: CriteriaSet, role: str, name: str = "", scope: str = "") -> str:
    """Widget key, e.g. ``itb_pump-answer-cause``: stable, so tests can find widgets by key.

    ``scope`` keeps other checklists (the Learn page's practice) apart from the assessment's.
    """
    return f"{scope}{cset.id}-{role}-{name}" if name else f"{scope}{cset.id}-{role}"


def seed(widget_key: str, value: Any) -> None:
    """Give a widget its value from the draft when Streamlit has none for it."""
    if widget_key not in st.session_state:
        st.session_state[widget_key] = value


def forget_widgets(cset: CriteriaSet) -> None:
    """Drop every widget value of a set, so that widgets are seeded again from a new draft."""
    prefix = f"{cset.id}-"
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[name]


def widget_value(widget_key: str) -> Any:
    return st.session_state.get(widget_key)


# ---- the changes this session has applied ----------------------------------------------------


def counted() -> None:
    st.session_state[CHANGES] = changes() + 1


def changes() -> int:
    """Changes applied in this session; the page shows it last, so a shown count means all is drawn."""
    return int(st.session_state.get(CHANGES, 0))


# ---- the open case and the lock it was read at --------------------------------------------------


def opened() -> tuple[int, int] | None:
    case_id = st.session_state.get(OPEN_CASE)
    return (int(case_id), int(st.session_state[OPEN_LOCK])) if case_id is not None else None


def set_opened(case_id: int | None, lock: int = 0, held: CaseDetail | None = None) -> None:
    """The case this session shows, opened (its seal and chain checked in full) at ``lock``; ``held``: its
    current revision as read then, shown again while nobody writes."""
    if case_id is None:
        for name in (OPEN_CASE, OPEN_LOCK, OPEN_SEALED, OPEN_HELD):
            st.session_state.pop(name, None)
    else:
        st.session_state[OPEN_CASE] = case_id
        set_lock(lock, held)


def set_lock(lock: int, held: CaseDetail | None = None) -> None:
    """The lock version after this session's own write (which checked the seal and sealed what it wrote),
    with the current revision as the write left it (None: read it)."""
    st.session_state[OPEN_LOCK] = lock
    st.session_state[OPEN_SEALED] = lock
    st.session_state[OPEN_HELD] = held


def held() -> CaseDetail | None:
    """The open case's current revision as this session last read or wrote it (None: read it)."""
    found: CaseDetail | None = st.session_state.get(OPEN_HELD)
    return found


def sealed_at() -> int | None:
    """The lock version at which this session knows the open case's seal holds (None: read it in full)."""
    sealed = st.session_state.get(OPEN_SEALED)
    return None if sealed is None else int(sealed)


def distrust() -> None:
    """A write of the open case failed or was refused (it may have found the case changed outside the
    application): the next read checks the seal in full again."""
    st.session_state.pop(OPEN_SEALED, None)
    st.session_state.pop(OPEN_HELD, None)


def say(message: str) -> None:
    """A message for the next page render (problems from callbacks)."""
    st.session_state[MESSAGE] = message


def take_message() -> str | None:
    message = st.session_state.pop(MESSAGE, None)
    return str(message) if message else None


def refuse_text(widget_key: str, text: str) -> None:
    """Keep text that a conflict refused, so that the clinician can copy or merge it."""
    st.session_state.setdefault(REFUSED, {})[widget_key] = text


def refused_text(widget_key: str) -> str | None:
    refused: dict[str, str] = st.session_state.get(REFUSED, {})
    return refused.get(widget_key)


@callback
def drop_refused(widget_key: str) -> None:
    st.session_state.get(REFUSED, {}).pop(widget_key, None)


def forget_refused() -> None:
    """Drop all refused text (a new case starts)."""
    st.session_state.pop(REFUSED, None)


# ---- the unsaved draft's token, the draft restored, and a pending move of the address ------------


def draft_token() -> str:
    """The token of this session's unsaved draft (made on first use)."""
    token = st.session_state.get(DRAFT_TOKEN)
    if not token:
        token = secrets.token_urlsafe(12)
        st.session_state[DRAFT_TOKEN] = token
    return str(token)


def existing_draft_token() -> str | None:
    """The token of this session's unsaved draft, None when it has none yet."""
    token = st.session_state.get(DRAFT_TOKEN)
    return str(token) if token else None


def new_draft_token() -> str:
    """A new token: the session's draft from now on is another one."""
    token = st.session_state[DRAFT_TOKEN] = secrets.token_urlsafe(12)
    return token


def set_draft_token(token: str | None) -> None:
    if token is None:
        st.session_state.pop(DRAFT_TOKEN, None)
    else:
        st.session_state[DRAFT_TOKEN] = token


def restored() -> KeptDraft | None:
    """The draft taken back from disk in this session (its time is shown in a banner), if any."""
    kept: KeptDraft | None = st.session_state.get(RESTORED)
    return kept


def set_restored(kept: KeptDraft | None) -> None:
    if kept is None:
        st.session_state.pop(RESTORED, None)
    else:
        st.session_state[RESTORED] = kept


def move_to(params: dict[str, str]) -> None:
    """Change the address. From a callback, Streamlit does not send a changed address to the browser,
    so the change is kept and written by :func:`candidacy.ui.kept_drafts.follow_address` at the top of
    the next run."""
    st.session_state[NEW_ADDRESS] = params


def take_move() -> dict[str, str] | None:
    """The address a callback moved to, taken (it is written once), or None."""
    moved: dict[str, str] | None = st.session_state.pop(NEW_ADDRESS, None)
    return moved
