"""The one pure change function: each change of a case applied to its content, each refusal, and the
content handed in never changed (a refused change leaves nothing half-applied)."""

from __future__ import annotations

import datetime as dt

import pytest

from candidacy import CriteriaSet
from candidacy.case import (
    CaseContent,
    Context,
    MarkReady,
    SetAnswer,
    SetDecision,
    SetNote,
    SignOffRevision,
    apply_change,
)
from candidacy.case.worksheet_changes import ChooseDefinition, MarkGiven, PrepareDose, SetValue
from candidacy.errors import FrozenError, StoreError, WorksheetError
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.departure import gaps_of
from candidacy.reports.record import build_record
from candidacy.reports.signoff import Decision
from candidacy.screening.ward import new_worksheet

from .case_support import applying, empty_content, refused
from .screening_support import START, protocol

ASSESSOR = Identity("Dr A", "Specialty registrar", "personal", permissions=frozenset({"assessor"}))
REVIEWER = Identity("Dr R", "Consultant", "personal", permissions=frozenset({"assessor", "reviewer"}))
NURSE = Identity("N. Example", "Ward nurse", "personal")
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 20)


# -- the team decision ---------------------------------------------------------------------------
def test_a_decision_is_recorded_and_takes_a_ready_case_back_to_draft(itb: CriteriaSet) -> None:
    decision = Decision(outcome="deferred", until="the MRI", decided_on=DAY)
    applied = applying(empty_content(itb, "ready"), SetDecision(decision), Context(itb, ASSESSOR, NOW))
    assert applied.content.decision == decision and applied.content.status == "draft"
    assert applied.action == "decision"
    [line] = applied.lines
    assert (line.item, line.old, line.new) == (None, None, decision.model_dump_json())


def test_a_decision_that_departs_from_the_criteria_needs_its_reasons(itb: CriteriaSet) -> None:
    offered = Decision(outcome="screening_offered", decided_on=DAY)  # with every item unanswered
    error = refused(empty_content(itb), SetDecision(offered), Context(itb, ASSESSOR, NOW))
    assert isinstance(error, StoreError)
    assert "a decision that departs from the criteria needs its reasons" in str(error)
    with_reasons = offered.model_copy(update={"reasons": "seen in clinic; the gaps are known"})
    assert apply_change(empty_content(itb), SetDecision(with_reasons), Context(itb)).content.decision == with_reasons


def test_a_decision_is_cleared(itb: CriteriaSet) -> None:
    decision = Decision(outcome="deferred", until="the MRI", decided_on=DAY)
    applied = applying(empty_content(itb, decision=decision), SetDecision(None), Context(itb))
    assert applied.content.decision is None
    assert (applied.lines[0].old, applied.lines[0].new) == (decision.model_dump_json(), None)


def test_a_decision_on_a_signed_revision_is_refused(itb: CriteriaSet) -> None:
    decision = Decision(outcome="deferred", until="the MRI", decided_on=DAY)
    assert isinstance(refused(empty_content(itb, "reviewed"), SetDecision(decision), Context(itb)), FrozenError)


# -- ready ---------------------------------------------------------------------------------------
def test_ready_moves_a_draft_to_ready(itb: CriteriaSet) -> None:
    applied = applying(empty_content(itb), MarkReady(), Context())
    assert applied.content.status == "ready"
    assert [(line.item, line.old, line.new) for line in applied.lines] == [(None, "draft", "ready")]


@pytest.mark.parametrize(("status", "refusal"), [("ready", "'ready' is not possible now"), ("reviewed", "frozen")])
def test_ready_is_refused_unless_the_case_is_a_draft(itb: CriteriaSet, status: str, refusal: str) -> None:
    assert refusal in str(refused(empty_content(itb, status), MarkReady(), Context()))


# -- the sign-off --------------------------------------------------------------------------------
def _all_gaps(itb: CriteriaSet, content: CaseContent) -> tuple[str, ...]:
    return tuple(g.criterion for g in gaps_of(build_record(itb, content.answers, decision=content.decision)))


def test_a_sign_off_freezes_the_record_with_the_signature(itb: CriteriaSet) -> None:
    content = empty_content(itb, "ready")
    change = SignOffRevision("read at the meeting", _all_gaps(itb, content))
    applied = applying(content, change, Context(itb, REVIEWER, NOW))
    record = applied.content.record
    assert record is not None and record.sign_off is not None
    assert (record.sign_off.reviewer, record.sign_off.signed_at, record.sign_off.revision) == ("Dr R", NOW, 1)
    assert applied.content.status == "reviewed"
    assert [(line.old, line.new) for line in applied.lines] == [("ready", record.sha256())]
    again = apply_change(content, change, Context(itb, REVIEWER, NOW)).content.record
    assert again is not None and again.sha256() == record.sha256()  # the same inputs sign the same record


def test_a_sign_off_refuses_an_assessor_and_a_nameless_reviewer(itb: CriteriaSet) -> None:
    content = empty_content(itb, "ready")
    change = SignOffRevision("", _all_gaps(itb, content))
    assert "Dr A is not a reviewer" in str(refused(content, change, Context(itb, ASSESSOR, NOW)))
    roleless = Identity("Dr R", " ", "personal", permissions=frozenset({"reviewer"}))
    assert "needs the reviewer's name and role" in str(refused(content, change, Context(itb, roleless, NOW)))


def test_a_sign_off_needs_the_case_ready(itb: CriteriaSet) -> None:
    content = empty_content(itb)
    error = refused(content, SignOffRevision("", _all_gaps(itb, content)), Context(itb, REVIEWER, NOW))
    assert "mark it ready for review before signing off" in str(error)


def test_a_sign_off_must_acknowledge_every_gap(itb: CriteriaSet) -> None:
    content = empty_content(itb, "ready")
    gaps = _all_gaps(itb, content)
    error = refused(content, SignOffRevision("", gaps[1:]), Context(itb, REVIEWER, NOW))
    assert "1 applicable item(s) are unanswered" in str(error) and "acknowledge each gap" in str(error)


def test_a_sign_off_refuses_a_departing_decision_without_reasons(itb: CriteriaSet) -> None:
    content = empty_content(itb, "ready", decision=Decision(outcome="screening_offered", decided_on=DAY))
    error = refused(content, SignOffRevision("", _all_gaps(itb, content)), Context(itb, REVIEWER, NOW))
    assert "departs from the criteria" in str(error) and "gives no reasons" in str(error)


def test_a_sign_off_by_the_last_editor_is_refused_when_another_reviewer_must_sign(itb: CriteriaSet) -> None:
    content = empty_content(itb, "ready", last_editor="Dr R")
    change = SignOffRevision("", _all_gaps(itb, content))
    strict = Context(itb, REVIEWER, NOW, reviewer_must_differ=True)
    assert "another reviewer must sign it off" in str(refused(content, change, strict))
    assert apply_change(content, change, Context(itb, REVIEWER, NOW)).content.status == "reviewed"


# -- a screening worksheet value -----------------------------------------------------------------
def _with_worksheet(itb: CriteriaSet, given: bool = True) -> tuple[CaseContent, Context]:
    proto = protocol()
    ws = new_worksheet(proto, "T-1", 7)
    content = CaseContent(AnswerSet(criteria=itb.id, version=itb.version), case_id=7, worksheets={3: ws})
    context = Context(itb, NURSE, START - dt.timedelta(hours=1), {proto.id: proto})
    for change in (ChooseDefinition(3, "mean_lower_limb_ashworth_1"), PrepareDose(3, 50)):
        content = apply_change(content, change, context).content
    content = apply_change(content, SetValue(3, 0, 0, "spasms", "2"), context).content
    if given:
        content = apply_change(content, MarkGiven(3, 0), Context(itb, NURSE, START, {proto.id: proto})).content
    return content, Context(itb, NURSE, START + dt.timedelta(hours=1), {proto.id: proto})


def test_a_worksheet_value_is_stored_at_its_time_point_with_one_audit_line_per_field(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    applied = applying(content, SetValue(3, 0, 1, "spasms", "1", seen=(None,)), context)
    point = applied.content.worksheet(3).doses[0].at_hour(1)
    assert point is not None and point.spasms == "1"
    assert applied.action == "screening" and applied.content.status == content.status
    lines = {line.item: (line.old, line.new) for line in applied.lines}
    assert lines["ws3:doses.0.observations.1h.spasms"] == (None, "1")


def test_a_value_someone_else_stored_meanwhile_is_refused(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    error = refused(content, SetValue(3, 0, 0, "spasms", "3", seen=(None,)), context)
    assert isinstance(error, WorksheetError) and "changed to '2' by someone else" in str(error)


def test_a_correction_after_the_dose_needs_a_reason(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    error = refused(content, SetValue(3, 0, 0, "spasms", "3", seen=("2",)), context)
    assert "a correction needs a reason" in str(error)
    corrected = apply_change(content, SetValue(3, 0, 0, "spasms", "3", ("2",), "typed in the wrong row"), context)
    baseline = corrected.content.worksheet(3).doses[0].at_hour(0)
    assert baseline is not None and baseline.spasms == "3" and baseline.corrections[-1].reason


def test_a_value_the_same_as_stored_changes_nothing(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    assert apply_change(content, SetValue(3, 0, 0, "spasms", "2", seen=("2",)), context).lines == ()


def test_a_worksheet_the_case_does_not_hold_is_refused(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    assert "worksheet 4 is not part of this case" in str(refused(content, SetValue(4, 0, 0, "spasms", "1"), context))


# -- answers (the draft's and the store's) -------------------------------------------------------
def test_an_answer_is_checked_against_the_criteria_when_they_are_given(itb: CriteriaSet) -> None:
    content = empty_content(itb)
    assert "unknown criterion 'no_such_item'" in str(refused(content, SetAnswer("no_such_item", "yes"), Context(itb)))
    applied = applying(content, SetAnswer("seizures", "none"), Context(itb))
    assert applied.answers.answers["seizures"].value == "none" and applied.content.status == "draft"


def test_an_answer_on_a_signed_revision_is_refused_and_an_empty_note_changes_nothing(itb: CriteriaSet) -> None:
    assert isinstance(refused(empty_content(itb, "reviewed"), SetNote("seizures", "x"), Context(itb)), FrozenError)
    assert apply_change(empty_content(itb), SetNote("seizures", ""), Context(itb)).lines == ()
