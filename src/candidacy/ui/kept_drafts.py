"""Unsaved drafts kept on this machine, and the address that says what the Assess page shows.

An unsaved draft is written to disk (atomically) under its token, per owner, after every change, so
that a reload or a restart loses nothing. The address (``?case=12`` or ``?draft=<token>``) says what is
open, so reload, back/forward, links and bookmarks land on the same case: :func:`follow_address` makes
the session show what the address names, and :func:`start_new` starts an empty draft under a new
token. The session's own keys (the token, the draft restored, a pending move) are read and written
through :mod:`candidacy.ui.state`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from candidacy.criteria.models import CriteriaSet
from candidacy.draft import discard_kept, keep_draft, kept_draft, new_draft
from candidacy.errors import CandidacyError
from candidacy.ui import state
from candidacy.ui.callbacks import callback
from candidacy.ui.identity import draft_owner
from candidacy.ui.resources import settings
from candidacy.ui.state import CASE_PARAM, DRAFT_PARAM

__all__ = ["follow_address", "forget_kept", "keep", "start_new"]


def drafts_folder() -> Path:
    return settings().data_dir / "drafts" / draft_owner()


def keep(cset: CriteriaSet) -> None:
    """Write the unsaved draft to disk (atomically), so that a reload or a restart loses nothing."""
    try:
        keep_draft(drafts_folder(), state.draft_token(), state.draft_for(cset))
    except (OSError, CandidacyError) as error:
        state.say(f"The unsaved draft could not be kept on disk: {error}")


def forget_kept(cset: CriteriaSet) -> None:
    token = state.existing_draft_token()
    if token:
        discard_kept(drafts_folder(), token, cset.id)


@callback
def start_new(cset: CriteriaSet) -> None:
    """A new, empty case: a new draft under a new token; the previous draft stays kept on disk."""
    state.set_opened(None)
    token = state.new_draft_token()
    state.set_restored(None)
    state.forget_refused()
    state.replace_draft(cset, new_draft(cset))
    state.move_to({DRAFT_PARAM: token})


def follow_address(cset: CriteriaSet, open_case: Callable[[CriteriaSet, int], None]) -> None:
    """Make the session show what the address names: a stored case (opened with ``open_case``), or an
    unsaved draft by token.

    Runs at the top of every run of the assessment page, so back/forward (which changes only the
    address) opens what the address names. An address without either gets the session's draft.
    """
    moved = state.take_move()
    if moved is not None:
        st.query_params.from_dict(moved)  # a new entry in the browser's history: back returns
        return
    wanted_case = st.query_params.get(CASE_PARAM)
    wanted_draft = st.query_params.get(DRAFT_PARAM)
    current = state.opened()
    if wanted_case is None and wanted_draft is None:  # a bare address (the page link): keep what is open
        if current is not None:
            st.query_params[CASE_PARAM] = str(current[0])
        else:
            st.query_params[DRAFT_PARAM] = state.draft_token()
        return
    if wanted_case is not None:
        if current is not None and str(current[0]) == wanted_case:
            return
        if wanted_case.isdigit():
            try:
                open_case(cset, int(wanted_case))
            except CandidacyError as error:
                state.say(f"Case {wanted_case} could not be opened: {error}")
            else:
                # The address already names the case: no move is pending. Left pending, it would
                # be written at the next run of this page, over the address of a case opened by
                # a link from another page (the Meeting agenda), and reopen this one instead.
                state.take_move()
                return
        else:
            state.say(f"The address names case '{wanted_case}', which is not a case number.")
        del st.query_params[CASE_PARAM]
    if current is not None:  # the address names a draft now (back from a case): show that draft
        state.set_opened(None)
        state.replace_draft(cset, new_draft(cset))
        state.set_draft_token(None)
    if wanted_draft and wanted_draft != state.existing_draft_token():
        state.set_draft_token(wanted_draft)
        state.set_restored(None)
        try:
            kept = kept_draft(drafts_folder(), wanted_draft, cset)
        except CandidacyError as error:
            state.say(f"The unsaved draft kept on this machine could not be read: {error}")
            kept = None
        state.replace_draft(cset, kept.answers if kept is not None else new_draft(cset))
        if kept is not None and kept.answers.answers:
            state.set_restored(kept)
    if st.query_params.get(DRAFT_PARAM) != state.draft_token():
        st.query_params[DRAFT_PARAM] = state.draft_token()
