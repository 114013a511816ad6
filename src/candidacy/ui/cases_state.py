"""The stored case open in this session, and autosave: every settled change is saved as it happens.

The store is opened once per server process, when a case is first saved or opened: an unsaved draft
never loads the store stack (SQLAlchemy, Alembic), so the page starts without it. A session remembers
which case it has open and the lock version it last saw; a save that finds another version is refused
by the store, the draft is reloaded from the database, the message says what the other change was,
and text the clinician typed is kept beside the widget to copy or merge (nothing typed is lost).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError, ConflictError, FrozenError
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet
from candidacy.ui import state
from candidacy.ui.identity import current_identity
from candidacy.ui.state import Kind, catalogue, replace_draft

if TYPE_CHECKING:
    from candidacy.store import CaseStore

__all__ = ["autosave", "close_case", "known_actor", "open_case", "save_whole", "saved_as_case", "store"]

# The session's names for the case panel and the Cases page (kept in candidacy.ui.state).
MESSAGE_KEY = state.MESSAGE
actor = state.actor
opened = state.opened
set_lock = state.set_lock
take_message = state.take_message


@st.cache_resource(show_spinner=False)
def _store(url: str, reviewer_must_differ: bool) -> CaseStore:
    from candidacy.store import CaseStore  # SQLAlchemy and Alembic load when a case is first used

    return CaseStore(url, catalogue().sets, reviewer_must_differ=reviewer_must_differ)


def store() -> CaseStore:
    """The process's case store; raises a CandidacyError (bad settings, newer schema) for the page to show."""
    settings = state.settings()
    return _store(settings.database, settings.require_distinct_reviewer)


def known_actor() -> Identity | None:
    """Who is acting, or None when nobody is known yet (for showing, not for saving)."""
    return current_identity()


def open_case(cset: CriteriaSet, case_id: int) -> None:
    """Show a stored case: its answers become the draft, and the address names it."""
    detail = store().get(case_id)
    replace_draft(cset, detail.answers.model_copy(deep=True))
    state.set_opened(case_id, detail.row.lock_version)
    state.move_to({state.CASE_PARAM: str(case_id)})


def saved_as_case(cset: CriteriaSet, case_id: int) -> None:
    """An unsaved draft became a stored case: its kept copy on disk is no longer needed."""
    state.forget_kept(cset)
    open_case(cset, case_id)


def close_case(cset: CriteriaSet) -> None:
    state.start_new(cset)


def _save(kind: Kind, name: str, value: Any, case_id: int, lock: int) -> int:
    cases = store()
    if kind == "answer":
        return cases.save_answer(case_id, lock, name, value, state.actor())
    if kind == "note":
        return cases.save_note(case_id, lock, name, value, state.actor())
    return cases.save_header(case_id, lock, name, value, state.actor())


def autosave(cset: CriteriaSet, kind: Kind, name: str, value: Any) -> None:
    """Save one change of the open case (answer, note or header field)."""
    current = state.opened()
    if current is None:
        return
    case_id, lock = current
    try:
        lock = _save(kind, name, value, case_id, lock)
    except (ConflictError, FrozenError) as error:
        state.say(str(error))
        if kind in ("note", "header") and isinstance(value, str) and value:
            role = "note" if kind == "note" else "case"
            state.refuse_text(state.key(cset, role, name), value)
        open_case(cset, case_id)  # show what is stored now; the refused change is named in the message
        return
    except CandidacyError as error:
        state.say(f"Not saved: {error}")
        return
    state.set_lock(lock)


def save_whole(cset: CriteriaSet, draft: AnswerSet, reason: str) -> None:
    """Save the whole draft into the open case at once: one audit entry naming the reason."""
    current = state.opened()
    if current is None:
        return
    case_id, lock = current
    try:
        lock = store().save_all(case_id, lock, draft, state.actor(), reason)
    except (ConflictError, FrozenError) as error:
        state.say(str(error))
        open_case(cset, case_id)
        return
    except CandidacyError as error:
        state.say(f"Not saved: {error}")
        return
    state.set_lock(lock)
