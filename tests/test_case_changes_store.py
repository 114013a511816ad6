"""The store applies a change exactly as the pure function does: any sequence of answers, notes,
decisions, "ready", sign-offs, new revisions and archiving gives the same content, status, revision and
audit lines in the database as
:func:`candidacy.case.apply_change` gives on the content, and a refused change leaves both as they were."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from candidacy import CriteriaSet, clock
from candidacy.case import (
    Archive,
    Change,
    Context,
    MarkReady,
    Revise,
    SetAnswer,
    SetDecision,
    SetNote,
    SignOffRevision,
    apply_change,
)
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.reasoning.answers import MAX_NOTE
from candidacy.reports.signoff import Decision
from candidacy.store import CaseStore
from candidacy.store.commit import content_of

DR_A = Identity("Dr A", "Specialty registrar", "personal")
DAY = dt.date(2026, 11, 20)

ANSWERS = st.builds(
    SetAnswer,
    st.sampled_from(["seizures", "active_infection", "cause"]),
    st.sampled_from([None, "none", "uncontrolled", "yes", "no", "stroke", "not a value"]),  # some refused
)
NOTES = st.builds(SetNote, st.sampled_from(["seizures", "cause"]), st.sampled_from(["", "seen", "x" * (MAX_NOTE + 1)]))
DECISIONS = st.builds(
    SetDecision,
    st.sampled_from(
        [
            None,
            Decision(outcome="deferred", until="the MRI", decided_on=DAY),
            Decision(outcome="screening_offered", decided_on=DAY),  # departs while items are open: refused
            Decision(outcome="screening_offered", reasons="the team knows the gaps", decided_on=DAY),
            Decision(outcome="not_offered", decided_on=DAY),
        ]
    ),
)
LIFE = st.sampled_from([MarkReady(), Revise("new MRI report"), Revise(" "), Archive()])  # an empty reason: refused


def _sign_offs(itb: CriteriaSet) -> st.SearchStrategy[SignOffRevision]:
    """A sign-off acknowledging every gap there may be, or none (refused while any item is open)."""
    return st.sampled_from([SignOffRevision("read at the meeting", tuple(itb.criteria_by_id)), SignOffRevision()])


@settings(max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_store_and_the_pure_function_agree_on_any_sequence(
    store: CaseStore, itb: CriteriaSet, data: st.DataObject
) -> None:
    steps = st.one_of(ANSWERS, NOTES, DECISIONS, LIFE, LIFE, _sign_offs(itb))
    changes: list[Change] = data.draw(st.lists(steps, min_size=1, max_size=8))
    if data.draw(st.booleans(), label="signed first"):  # so that a new revision is often possible
        changes = [MarkReady(), SignOffRevision("", tuple(itb.criteria_by_id)), *changes]
    case_id = store.create_case(itb.id, "hypothesis", None, DR_A)
    with store.engine.connect() as conn:
        model = content_of(conn, store.get(case_id))
    for change in changes:
        lock = store.get(case_id).row.lock_version
        rows = len(store.audit_trail(case_id))
        try:
            applied = apply_change(model, change, Context(itb, DR_A, clock.now()))
        except CandidacyError:
            applied = None
        try:
            store.apply(case_id, lock, change, DR_A)
        except CandidacyError:
            assert applied is None, f"the store refused what the function accepts: {change}"
            stored = store.get(case_id)
            assert (stored.row.lock_version, len(store.audit_trail(case_id))) == (lock, rows)
        else:
            assert applied is not None, f"the store accepted what the function refuses: {change}"
            event(f"accepted: {applied.action}")
            model = applied.content
            trail = store.audit_trail(case_id)
            written = [(e.action, e.item, e.old, e.new) for e in trail[rows:]]
            assert written == [(applied.action, line.item, line.old, line.new) for line in applied.lines]
        stored = store.get(case_id)
        assert stored.answers == model.answers
        assert stored.decision == model.decision
        assert stored.row.status == stored.status == model.status
        assert (stored.number, stored.row.revision, stored.reason) == (model.revision, model.revision, model.reason)
        assert stored.row.archived == model.archived
        assert stored.record == model.record
    store.check(case_id)  # the chain and the seal hold after every sequence
