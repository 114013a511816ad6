"""The session's one path for a change to the case on the Assess page: an answer, a note, a header
field, several answers at once, or a loaded file, and opening what the address names.

Each change is data (:mod:`candidacy.case`). For a stored case it goes to the store first
(:func:`candidacy.ui.cases_state.autosave`) and the session's draft then shows what the store accepted;
an unsaved draft is changed in the session by the same :func:`candidacy.case.apply_change`, with the
same rules, and kept on this machine. This module sits above
both :mod:`candidacy.ui.state` (the session's keys and draft) and :mod:`candidacy.ui.cases_state`
(the open case), so neither needs the other at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import streamlit as st

from candidacy.case import CaseContent, Change, Context, ReplaceAll, SetAnswer, SetHeader, SetNote, apply_change
from candidacy.criteria.models import CriteriaSet
from candidacy.draft import attribution
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import AnswerSet, GivenValue
from candidacy.ui import cases_state, kept_drafts, state
from candidacy.ui.identity import current_identity

__all__ = ["PERSON_FIELDS", "Kind", "accept", "change", "change_many", "follow_address", "replace_all"]

Kind = Literal["answer", "note", "header"]
#: Header fields that say who assessed: typing in them never triggers filling them from the identity.
PERSON_FIELDS = ("assessor", "role")


def follow_address(cset: CriteriaSet) -> None:
    """Show what the address names (see :func:`candidacy.ui.kept_drafts.follow_address`)."""
    kept_drafts.follow_address(cset, cases_state.open_case)


def _change_of(kind: Kind, name: str, value: Any) -> Change:
    if kind == "answer":
        return SetAnswer(name, value)
    if kind == "note":
        return SetNote(name, str(value or ""))
    return SetHeader(name, value)


def change(cset: CriteriaSet, kind: Kind, name: str, value: Any) -> None:
    """Apply one change: to an open case, in the store first (the draft then shows what it accepted);
    to an unsaved draft, in the session and the kept copy. A refused change leaves both as they were."""
    state.counted()
    if not (kind == "header" and name in PERSON_FIELDS) and not _attribute(cset):
        if kind in ("note", "header") and isinstance(value, str) and value:  # refused: what was typed is kept
            state.refuse_text(state.key(cset, "note" if kind == "note" else "case", name), value)
        return
    if state.opened() is not None:
        cases_state.autosave(cset, _change_of(kind, name, value))
        return
    try:
        answers = _applied(cset, state.draft_for(cset), [_change_of(kind, name, value)])
    except CandidacyError as error:
        state.say(f"Not changed: {error}")
        return
    state.set_draft(cset, answers)
    kept_drafts.keep(cset)


def _applied(cset: CriteriaSet, draft: AnswerSet, changes: Sequence[Change]) -> AnswerSet:
    """The draft's answers after ``changes``, applied as the store applies them (the same rules)."""
    content = CaseContent(draft)
    for one in changes:
        content = apply_change(content, one, Context(cset)).content
    return content.answers


def _attribute(cset: CriteriaSet) -> bool:
    """Before a change, name its author as the case's assessor while the case names none, through the same
    path (an audited header change in a stored case, so the change itself stays the latest entry).

    False when the store refused it (another session changed the case: the page reloads it and says so);
    the change that was to follow is then refused too, as it would have been.
    """
    who = current_identity()
    if who is None:
        return True
    for field, value in attribution(state.draft_for(cset).case, who.name, who.role).items():
        st.session_state.pop(state.key(cset, "case", field), None)  # the header's widget is seeded again
        if state.opened() is None:  # an unsaved draft: kept on disk with the change that follows
            state.set_draft(cset, _applied(cset, state.draft_for(cset), [SetHeader(field, value)]))
            continue
        before = st.session_state.get(state.MESSAGE)
        cases_state.autosave(cset, SetHeader(field, value))
        if st.session_state.get(state.MESSAGE) != before:
            st.session_state.get(state.REFUSED, {}).pop(state.key(cset, "case", field), None)  # not typed
            return False
    return True


def change_many(
    cset: CriteriaSet, answers: dict[str, GivenValue], reason: str, notes: dict[str, str] | None = None
) -> None:
    """Several answers (and notes) at once (e.g. "none of these"): one change, one save, one audit entry."""
    state.counted()
    if not _attribute(cset):
        return
    edits: list[Change] = [SetAnswer(crit_id, value) for crit_id, value in answers.items()]
    edits += [SetNote(crit_id, note) for crit_id, note in (notes or {}).items()]
    after = _applied(cset, state.draft_for(cset), edits)
    for crit_id, value in answers.items():
        st.session_state[state.key(cset, "answer", crit_id)] = value
    if state.opened() is not None:
        cases_state.autosave(cset, ReplaceAll(after, reason))
    else:
        state.set_draft(cset, after)
        kept_drafts.keep(cset)


def accept(cset: CriteriaSet, changes: Sequence[Change], reason: str) -> None:
    """Proposals a clinician accepted, as their answer and note changes: for one proposal its changes in
    one transaction (each audited with its old and new value), for several one change and one save, so
    an answer's provenance is never saved without it, nor it without its provenance. The items' widgets
    are dropped, so they are drawn again from the draft with the accepted answer.

    The changes are first applied to the draft as it stands, so one that would be refused (a note over
    the limit) writes nothing."""
    try:
        after = _applied(cset, state.draft_for(cset), changes)
    except CandidacyError as error:
        state.say(f"Not changed: {error}")
        return
    for item in changes:
        if isinstance(item, SetAnswer | SetNote):
            for role in ("answer", "unknown", "note", "notes"):
                st.session_state.pop(state.key(cset, role, item.criterion), None)
    criteria = {c.criterion for c in changes if isinstance(c, SetAnswer | SetNote)}
    if len(criteria) == 1:  # one proposal: its answer and note, each audited, saved together or not at all
        state.counted()
        if not _attribute(cset):
            return
        if state.opened() is not None:
            cases_state.autosave(cset, changes)
        else:
            state.set_draft(cset, after)
            kept_drafts.keep(cset)
        return
    answers = {c.criterion: c.value for c in changes if isinstance(c, SetAnswer)}
    notes = {c.criterion: c.note for c in changes if isinstance(c, SetNote)}
    change_many(cset, answers, reason, notes)


def replace_all(cset: CriteriaSet, answers: AnswerSet, reason: str) -> None:
    """A whole new draft (a loaded file): saved into the open case first; raises when the store refuses."""
    current = state.opened()
    if current is not None:
        try:
            saved = cases_state.store().apply(current[0], current[1], ReplaceAll(answers, reason), cases_state.actor())
        except CandidacyError:
            state.distrust()  # it may have found the case changed outside the application: read it in full
            raise
        state.set_lock(saved.lock_version, saved.detail)
        answers = saved.content.answers  # what the store accepted
    state.replace_draft(cset, answers)
    if current is None:
        kept_drafts.keep(cset)
