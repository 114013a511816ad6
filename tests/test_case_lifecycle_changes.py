"""The pure change function for a case's life beyond its answers: a new revision with its reason,
archiving, confirming a screening outcome (the case's answers with it) and reopening it. Each is applied,
each refusal said, and the content handed in is never changed."""

from __future__ import annotations

import datetime as dt

import pytest

from candidacy import CriteriaSet
from candidacy.case import Archive, CaseContent, Context, Revise, SetDecision, SignOffRevision, apply_change
from candidacy.case.worksheet_changes import ConfirmOutcome, ReopenWorksheet, SetValue
from candidacy.errors import FrozenError, WorksheetError
from candidacy.identity import Identity
from candidacy.reports.signoff import Decision
from candidacy.screening.loader import load_worksheet

from .case_support import applying, empty_content, refused
from .screening_support import EXAMPLE, protocol

ME = Identity("Dr A", "Consultant", "personal")
NOW = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 20)


def _signed(itb: CriteriaSet) -> CaseContent:
    """A reviewed revision 1 holding a decision and its signed record."""
    decision = Decision(outcome="deferred", until="the MRI", decided_on=DAY)
    content = apply_change(empty_content(itb), SetDecision(decision), Context(itb)).content
    content = CaseContent(content.answers, "ready", decision, case_id=7)
    gaps = tuple(itb.criteria_by_id)
    return apply_change(content, SignOffRevision("", gaps), Context(itb, ME, NOW)).content


# -- a new revision ------------------------------------------------------------------------------
def test_a_new_revision_of_a_signed_case_is_a_draft_holding_its_answers_and_decision(itb: CriteriaSet) -> None:
    signed = _signed(itb)
    applied = applying(signed, Revise("new MRI report"), Context(itb))
    after = applied.content
    assert (after.revision, after.status, after.reason, after.record) == (2, "draft", "new MRI report", None)
    assert after.decision == signed.decision and after.answers.answers == signed.answers.answers
    assert after.answers.version == itb.version
    assert applied.action == "revise"
    assert [(line.item, line.old, line.new) for line in applied.lines] == [(None, "1", "new MRI report")]


def test_a_new_revision_takes_the_criteria_version_loaded_now(itb: CriteriaSet) -> None:
    signed = _signed(itb)
    older = CaseContent(signed.answers.model_copy(update={"version": "0.9"}), "reviewed", case_id=7)
    assert applying(older, Revise("criteria updated"), Context(itb)).content.answers.version == itb.version


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_new_revision_needs_a_reason(itb: CriteriaSet, reason: str) -> None:
    assert "a new revision needs a reason" in str(refused(_signed(itb), Revise(reason), Context(itb)))
    assert "a new revision needs a reason" in str(refused(empty_content(itb), Revise(reason), Context(itb)))


@pytest.mark.parametrize("status", ["draft", "ready"])
def test_only_a_reviewed_revision_starts_a_new_one(itb: CriteriaSet, status: str) -> None:
    error = refused(empty_content(itb, status), Revise("why not"), Context(itb))
    assert f"case 7 is {status}: 'revise' is not possible now" in str(error)


def test_a_new_revision_needs_the_criteria_set(itb: CriteriaSet) -> None:
    assert "needs the case's criteria set" in str(refused(_signed(itb), Revise("new MRI report"), Context()))


# -- archiving -----------------------------------------------------------------------------------
@pytest.mark.parametrize("status", ["draft", "ready", "reviewed"])
def test_archiving_keeps_the_status_and_the_content(itb: CriteriaSet, status: str) -> None:
    content = empty_content(itb, status)
    applied = applying(content, Archive(), Context())
    assert applied.content.archived and applied.content.status == status
    assert applied.content.answers == content.answers
    assert (applied.action, [(x.item, x.old, x.new) for x in applied.lines]) == ("archive", [(None, None, None)])


# -- confirming a screening outcome --------------------------------------------------------------
def _with_worksheet(itb: CriteriaSet, status: str = "draft") -> tuple[CaseContent, Context]:
    proto = protocol()
    ws = load_worksheet(EXAMPLE, proto)
    content = empty_content(itb, status, worksheets={3: ws})
    return content, Context(itb, ME, NOW, {proto.id: proto})


def test_confirming_answers_the_case_then_freezes_the_worksheet(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb, "ready")
    applied = applying(content, ConfirmOutcome(3, "positive_function_kept"), context)
    answers = applied.content.answers.answers
    assert answers["screening_test"].value == "positive"
    assert answers["screening_test"].note.startswith("From screening worksheet 3 (")
    assert answers["screening_definition"].value == "ashworth_1"
    assert answers["screening_reaction"].value == "mild_transient"
    steps = [(step.action, step.lines[0].item) for step in applied.earlier]
    assert steps[:2] == [("answer", "screening_test"), ("note", "screening_test")]
    assert ("answer", "screening_definition") in steps and ("answer", "screening_reaction") in steps
    assert applied.earlier[-1].content.answers == applied.content.answers  # the steps build on each other
    ws = applied.content.worksheet(3)
    assert ws.confirmation is not None and ws.confirmation.outcome == "positive_function_kept"
    assert (ws.confirmation.by.name, ws.confirmation.at) == ("Dr A", NOW)
    assert applied.action == "screening" and applied.content.status == "draft"  # the answers took it back
    assert (applied.lines[-1].item, applied.lines[-1].old, applied.lines[-1].new) == (
        "worksheet 3",
        "open",
        "confirmed",
    )
    assert all(line.item and line.item.startswith("ws3:") for line in applied.lines[:-1])


def test_an_outcome_other_than_the_computed_one_needs_a_comment(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    error = refused(content, ConfirmOutcome(3, "unclear"), context)
    assert isinstance(error, WorksheetError) and "differs from the one computed" in str(error)
    applied = applying(content, ConfirmOutcome(3, "unclear", "the 4 h values were taken late"), context)
    assert applied.content.answers.answers["screening_test"].value != "positive"


def test_an_unknown_outcome_is_refused(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    error = refused(content, ConfirmOutcome(3, "cured", "a comment"), context)
    assert isinstance(error, WorksheetError) and "unknown outcome 'cured'" in str(error)


def test_confirming_on_a_signed_revision_is_refused_and_nothing_is_confirmed(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb, "reviewed")
    assert isinstance(refused(content, ConfirmOutcome(3, "positive_function_kept"), context), FrozenError)


def test_a_confirmed_worksheet_changes_only_after_reopening_with_a_reason(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    confirmed = apply_change(content, ConfirmOutcome(3, "positive_function_kept"), context).content
    again = refused(confirmed, ConfirmOutcome(3, "positive_function_kept"), context)
    assert isinstance(again, FrozenError) and "already confirmed" in str(again)
    typed = refused(confirmed, SetValue(3, 0, 0, "spasms", "1"), context)
    assert isinstance(typed, FrozenError) and "reopen it with a reason" in str(typed)
    no_reason = refused(confirmed, ReopenWorksheet(3, " "), context)
    assert isinstance(no_reason, WorksheetError) and "needs a reason" in str(no_reason)
    reopened = applying(confirmed, ReopenWorksheet(3, "a 4 h value was typed in the wrong row"), context)
    ws = reopened.content.worksheet(3)
    assert ws.confirmation is None and ws.plan.amendments[-1].reason == "a 4 h value was typed in the wrong row"
    assert reopened.content.answers == confirmed.answers  # the case keeps its answers until confirmed again
    assert (reopened.lines[-1].item, reopened.lines[-1].old, reopened.lines[-1].new) == (
        "worksheet 3",
        "confirmed",
        "open",
    )
    assert apply_change(content, ReopenWorksheet(3, "nothing to reopen"), context).lines == ()


def test_confirming_again_after_reopening_writes_only_what_moved(itb: CriteriaSet) -> None:
    content, context = _with_worksheet(itb)
    first = apply_change(content, ConfirmOutcome(3, "positive_function_kept"), context).content
    reopened = apply_change(first, ReopenWorksheet(3, "checked the doses"), context).content
    again = applying(reopened, ConfirmOutcome(3, "positive_function_kept"), context)
    assert again.content.answers == first.answers
    assert [step.action for step in again.earlier] == []  # the same answers and note: nothing to audit
