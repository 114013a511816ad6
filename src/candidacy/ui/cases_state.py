"""The stored case open in this session, and autosave: every settled change is saved as it happens.

The store is opened once per server process, when a case is first saved or opened: an unsaved draft
never loads the store stack (SQLAlchemy, Alembic), so the page starts without it. A session remembers
which case it has open and the lock version it last saw; a save that finds another version is refused
by the store, the draft is reloaded from the database, the message says what the other change was,
and text the clinician typed is kept beside the widget to copy or merge (nothing typed is lost).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

from candidacy.case import Change, SetHeader, SetNote, as_changes
from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError, ConflictError, FrozenError
from candidacy.identity import Identity
from candidacy.ui import kept_drafts, state
from candidacy.ui.identity import current_identity, require_identity
from candidacy.ui.resources import catalogue, settings
from candidacy.ui.state import replace_draft

if TYPE_CHECKING:
    from candidacy.store import CaseDetail, CaseStore

__all__ = ["autosave", "close_case", "known_actor", "open_case", "read_open", "saved_as_case", "store"]

# The session's names for the case panel and the Cases page (kept in candidacy.ui.state).
MESSAGE_KEY = state.MESSAGE
actor = require_identity
opened = state.opened
set_lock = state.set_lock
take_message = state.take_message


@st.cache_resource(show_spinner=False)
def _store(url: str, reviewer_must_differ: bool) -> CaseStore:
    from candidacy.store import CaseStore  # SQLAlchemy and Alembic load when a case is first used

    return CaseStore(url, catalogue().sets, reviewer_must_differ=reviewer_must_differ)


_STORES: dict[tuple[str, bool], CaseStore] = {}  # a plain look-up first: asked several times a run


def store() -> CaseStore:
    """The process's case store; raises a CandidacyError (bad settings, newer schema) for the page to show."""
    chosen = settings()
    wanted = (chosen.database, chosen.require_distinct_reviewer)
    found = _STORES.get(wanted)
    if found is None:  # opened once, under Streamlit's lock (two first sessions do not both migrate)
        found = _STORES[wanted] = _store(*wanted)
    return found


def known_actor() -> Identity | None:
    """Who is acting, or None when nobody is known yet (for showing, not for saving)."""
    return current_identity()


def open_case(cset: CriteriaSet, case_id: int) -> None:
    """Show a stored case: its answers become the draft, and the address names it."""
    detail = store().get(case_id)
    store().check(case_id)  # once, on opening: a broken chain is TAMPERED here as in verify
    replace_draft(cset, detail.answers.model_copy(deep=True))
    state.set_opened(case_id, detail.row.lock_version, detail)
    state.move_to({state.CASE_PARAM: str(case_id)})


def read_open(number: int | None = None) -> CaseDetail:
    """A revision of the open case (the current one by default), as a page rerun reads it.

    The session knows a lock version at which the case's seal holds: the one it opened the case at
    (checked in full) or its own last write left (a write checks the seal inside its transaction and
    seals what it wrote). At that version a read does not hash the whole case again; at any other
    (another session wrote), or after a failed write, it does. A change made outside the application
    under an unchanged lock version is named by the next write, or by opening the case. The current
    revision as opened or as the session's own write left it is not read again while the case's lock
    version is still the one it was held at (one column is read: another writer moves it)."""
    current = state.opened()
    if current is None:
        raise CandidacyError("no stored case is open")
    return store().get(current[0], number, trusted_lock=state.sealed_at(), held=state.held())


def saved_as_case(cset: CriteriaSet, case_id: int) -> None:
    """An unsaved draft became a stored case: its kept copy on disk is no longer needed."""
    kept_drafts.forget_kept(cset)
    open_case(cset, case_id)


def close_case(cset: CriteriaSet) -> None:
    kept_drafts.start_new(cset)


def autosave(cset: CriteriaSet, change: Change | Sequence[Change]) -> None:
    """Save one change of the open case, or the changes of one action together, in the store; the
    session's draft then shows what the store accepted. Refused or failed, the page shows exactly what is
    stored, with the reason said (a typed note or header text is kept beside it, so nothing typed is lost)."""
    current = state.opened()
    if current is None:
        return
    changes = as_changes(change)
    case_id, lock = current
    try:
        saved = store().apply(case_id, lock, changes, actor())
    except CandidacyError as error:
        state.distrust()
        refused = isinstance(error, (ConflictError, FrozenError))
        state.say(str(error) if refused else f"Not saved: {error}")
        for one in changes:
            if isinstance(one, SetNote) and one.note:
                state.refuse_text(state.key(cset, "note", one.criterion), one.note)
            elif isinstance(one, SetHeader) and isinstance(one.value, str) and one.value:
                state.refuse_text(state.key(cset, "case", one.field), one.value)
        # Show what is stored now; a case that cannot be opened (changed outside the application) is read
        # in full by the page, which says so.
        with contextlib.suppress(CandidacyError):
            open_case(cset, case_id)
        return
    state.set_lock(saved.lock_version, saved.detail)
    state.set_draft(cset, saved.content.answers)  # what the store accepted
