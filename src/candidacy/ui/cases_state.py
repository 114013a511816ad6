"""The stored case open in this session, and autosave: every widget change is saved as it happens.

The store is opened once per server process. A session remembers which case it has open and the
lock version it last saw; a save that finds another version is refused by the store, the draft is
reloaded from the database, and the message says what the other change was.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.settings import load_settings
from candidacy.store import CaseStore, ConflictError, FrozenError
from candidacy.ui.identity import current_identity, require_identity
from candidacy.ui.state import catalogue, replace_draft

__all__ = [
    "actor",
    "autosave",
    "close_case",
    "known_actor",
    "open_case",
    "opened",
    "store",
    "take_message",
]

OPEN_KEY = "open-case"
LOCK_KEY = "open-case-lock"
MESSAGE_KEY = "store-message"


@st.cache_resource(show_spinner=False)
def _store(url: str, reviewer_must_differ: bool) -> CaseStore:
    return CaseStore(url, catalogue().sets, reviewer_must_differ=reviewer_must_differ)


def store() -> CaseStore:
    """The process's case store; raises a CandidacyError (bad settings, newer schema) for the page to show."""
    settings = load_settings()
    return _store(settings.database, settings.require_distinct_reviewer)


def actor() -> Identity:
    """Who is acting (personal profile or signed-in person); NoIdentityError when nobody is known yet,
    so that nothing is saved under a blank name."""
    return require_identity()


def known_actor() -> Identity | None:
    """Who is acting, or None when nobody is known yet (for showing, not for saving)."""
    return current_identity()


def opened() -> tuple[int, int] | None:
    case_id = st.session_state.get(OPEN_KEY)
    return (int(case_id), int(st.session_state[LOCK_KEY])) if case_id is not None else None


def open_case(cset: CriteriaSet, case_id: int) -> None:
    detail = store().get(case_id)
    replace_draft(cset, detail.answers.model_copy(deep=True))
    st.session_state[OPEN_KEY] = case_id
    st.session_state[LOCK_KEY] = detail.row.lock_version


def close_case(cset: CriteriaSet) -> None:
    from candidacy.draft import new_draft

    st.session_state.pop(OPEN_KEY, None)
    st.session_state.pop(LOCK_KEY, None)
    replace_draft(cset, new_draft(cset))


def set_lock(lock: int) -> None:
    st.session_state[LOCK_KEY] = lock


def autosave(cset: CriteriaSet, kind: str, name: str, value: Any) -> None:
    """Save one change of the open case (answer, note or header field); nothing when no case is open."""
    current = opened()
    if current is None:
        return
    case_id, lock = current
    cases = store()
    try:
        if kind == "answer":
            lock = cases.save_answer(case_id, lock, name, value, actor())
        elif kind == "note":
            lock = cases.save_note(case_id, lock, name, value, actor())
        else:
            lock = cases.save_header(case_id, lock, name, value, actor())
    except (ConflictError, FrozenError) as error:
        st.session_state[MESSAGE_KEY] = str(error)
        open_case(cset, case_id)  # show what is stored now; the refused change is named in the message
        return
    except CandidacyError as error:
        st.session_state[MESSAGE_KEY] = f"Not saved: {error}"
        return
    set_lock(lock)


def take_message() -> str | None:
    message = st.session_state.pop(MESSAGE_KEY, None)
    return str(message) if message else None
