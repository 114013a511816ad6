"""Every change to a case, and the one pure function that applies it: :func:`apply_change`.

The session's draft, the case store, the screening store and the command line all change a case
through it: an answer, a note, a header field, all answers at once (:mod:`candidacy.reasoning.changes`),
the team's decision, marking a revision ready, the reviewer's sign-off, starting a new revision with a
reason, archiving the case, and the ward's changes to a screening worksheet, its confirmation (which
answers the case's items too, :mod:`candidacy.case.confirmation`) and its reopening
(:mod:`candidacy.case.worksheet_changes`). It takes the content as it stands, the
change and its :class:`~candidacy.case.content.Context`, and returns the new content with the audit
lines, or raises the refusal (the workflow does not allow it now, a decision that departs from the
criteria gives no reasons, a gap is not acknowledged, a new revision or a correction gives no reason, a
confirmed outcome that differs from the computed one gives no comment, ...). It never mutates its input,
so a refused change leaves nothing half-applied anywhere; the store only adds the lock, the write-back,
the chained audit row and the head, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace

from pydantic import ValidationError

from candidacy import clock
from candidacy.case.confirmation import confirmation_changes
from candidacy.case.content import Applied, AuditLine, CaseContent, Context
from candidacy.case.workflow import Status, next_status
from candidacy.case.worksheet_changes import (
    AddAdverseEvent,
    ChooseDefinition,
    ConfirmOutcome,
    MarkGiven,
    PrepareDose,
    RateGoals,
    ReopenWorksheet,
    ReplaceWorksheet,
    SetPlan,
    SetValue,
    WorksheetChange,
    change_worksheet,
    field_changes,
)
from candidacy.errors import AnswersError, Problem, Refused
from candidacy.identity import Identity
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, GivenValue, check_answers
from candidacy.reasoning.changes import AnswerChange, ReplaceAll, SetAnswer, SetHeader, SetNote
from candidacy.reports.departure import departure, gaps_of
from candidacy.reports.record import build_record
from candidacy.reports.signoff import Decision, SignOff
from candidacy.screening.worksheet import Worksheet

__all__ = ["Archive", "Change", "MarkReady", "Revise", "SetDecision", "SignOffRevision", "apply_change", "as_changes"]


@dataclass(frozen=True)
class SetDecision:
    """Record the team's decision on the revision, or clear it (None)."""

    decision: Decision | None
    action = "decision"


@dataclass(frozen=True)
class MarkReady:
    """The revision is ready for review."""

    action = "ready"


@dataclass(frozen=True)
class SignOffRevision:
    """The reviewer signs the revision off: its record is frozen with the sign-off. Every applicable item
    left unanswered must be among ``acknowledged_gaps`` (criterion ids)."""

    comment: str = ""
    acknowledged_gaps: tuple[str, ...] = ()
    action = "review"


@dataclass(frozen=True)
class Revise:
    """Start a new revision of a reviewed case, for the reason given (required): a draft again, holding
    the signed revision's answers and decision, assessed against the criteria set as loaded now."""

    reason: str
    action = "revise"


@dataclass(frozen=True)
class Archive:
    """Take the case off the working lists; its content, status and trail stay as they are."""

    action = "archive"


Change = AnswerChange | SetDecision | MarkReady | SignOffRevision | Revise | Archive | WorksheetChange
_ANSWER_CHANGES = (SetAnswer, SetNote, SetHeader, ReplaceAll)
_WORKSHEET_CHANGES = (SetValue, ChooseDefinition, SetPlan, PrepareDose, MarkGiven, AddAdverseEvent, RateGoals,
                      ReplaceWorksheet, ConfirmOutcome, ReopenWorksheet)  # fmt: skip
_CHANGES = (*_ANSWER_CHANGES, SetDecision, MarkReady, SignOffRevision, Revise, Archive, *_WORKSHEET_CHANGES)


def as_changes(change: Change | Sequence[Change]) -> list[Change]:
    """One change, or the several changes of one user action, as a list (applied in order, together)."""
    if isinstance(change, _CHANGES):
        return [change]
    return list(change)


def apply_change(content: CaseContent, change: Change, context: Context | None = None) -> Applied:
    """The content with ``change`` applied, and its audit lines; ``content`` itself is left as it was.

    Raises the refusal: a CandidacyError that says why (Refused, FrozenError among them, for the workflow
    and the rules of decisions, sign-offs and revisions, AnswersError for an answer the criteria do not
    accept, WorksheetError for the ward's rules)."""
    context = context or Context()
    if isinstance(change, SignOffRevision):
        _may_sign(context.need_actor())  # who may sign is said before what the workflow allows
    if isinstance(change, Revise) and not change.reason.strip():
        raise Refused("a new revision needs a reason")  # before what the workflow allows
    status = next_status(change.action, content.status, content.case_id, content.revision)
    if isinstance(change, _ANSWER_CHANGES):
        answers, line = _edit_answers(content.answers, change)
        if not isinstance(change, ReplaceAll) and answers == content.answers:
            return Applied(content, change.action, ())  # it changes nothing (an empty note saved again)
        if context.criteria is not None:
            check_answers(context.criteria, answers)
        return Applied(replace(content, answers=answers, status=status), change.action, (line,))
    if isinstance(change, SetDecision):
        return _decide(content, change.decision, context, status)
    if isinstance(change, MarkReady):
        return Applied(replace(content, status=status), change.action, (AuditLine(None, content.status, status),))
    if isinstance(change, SignOffRevision):
        return _sign_off(content, change, context, status)
    if isinstance(change, Revise):
        return _revise(content, change.reason, context, status)
    if isinstance(change, Archive):
        return Applied(replace(content, archived=True, status=status), change.action, (AuditLine(None, None, None),))
    return _change_worksheet(content, change, context)


# -- answers -------------------------------------------------------------------------------------
def _value_text(value: GivenValue) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _with(answers: AnswerSet, criterion: str, answer: Answer) -> AnswerSet:
    """A copy of ``answers`` holding ``answer`` for ``criterion``; an empty answer is dropped."""
    kept = dict(answers.answers)
    if answer.value is None and not answer.note:
        kept.pop(criterion, None)
    else:
        kept[criterion] = answer
    return answers.model_copy(update={"answers": kept}, deep=True)


def _answer(criterion: str, value: GivenValue, note: str) -> Answer:
    """The answer the change leaves, or AnswersError naming the item (a note over the limit, say)."""
    try:
        return Answer(value=value, note=note)
    except ValidationError as exc:
        raise AnswersError(
            [Problem(f"{criterion}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}") for e in exc.errors()]
        ) from None


def _edit_answers(answers: AnswerSet, change: AnswerChange) -> tuple[AnswerSet, AuditLine]:
    if isinstance(change, SetAnswer):
        before = answers.answers.get(change.criterion, Answer())
        after = _with(answers, change.criterion, _answer(change.criterion, change.value, before.note))
        return after, AuditLine(change.criterion, _value_text(before.value), _value_text(change.value))
    if isinstance(change, SetNote):
        before = answers.answers.get(change.criterion, Answer())
        after = _with(answers, change.criterion, _answer(change.criterion, before.value, change.note))
        return after, AuditLine(change.criterion, before.note or None, change.note or None)
    if isinstance(change, SetHeader):
        if change.field not in CaseHeader.model_fields:
            raise AnswersError(f"unknown case header field '{change.field}'")
        old = getattr(answers.case, change.field)
        try:
            header = CaseHeader.model_validate({**answers.case.model_dump(), change.field: change.value})
        except ValidationError as exc:
            raise AnswersError(
                [Problem(f"case.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}") for e in exc.errors()]
            ) from None
        after = answers.model_copy(update={"case": header}, deep=True)
        new = change.value
        return after, AuditLine(change.field, None if old is None else str(old), None if new is None else str(new))
    count = len(answers.answers)
    after = answers.model_copy(
        update={"answers": dict(change.answers.answers), "case": change.answers.case.model_copy()}, deep=True
    )
    return after, AuditLine(None, f"{count} answers", f"{len(change.answers.answers)} answers ({change.reason})")


# -- the decision and the sign-off ---------------------------------------------------------------
def _decide(content: CaseContent, decision: Decision | None, context: Context, status: Status) -> Applied:
    """Record or clear the decision; one that departs from what the criteria point to needs its reasons."""
    if decision is not None:
        why = departure(build_record(context.need_criteria(), content.answers), decision)
        if why and not decision.reasons.strip():
            raise Refused(f"{why}; a decision that departs from the criteria needs its reasons")
    before = content.decision.model_dump_json() if content.decision else None
    after = decision.model_dump_json() if decision else None
    return Applied(replace(content, decision=decision, status=status), "decision", (AuditLine(None, before, after),))


def _may_sign(actor: Identity) -> None:
    if not actor.may("reviewer"):
        raise Refused(f"{actor.name or 'this user'} is not a reviewer; only a reviewer can sign off")
    if not actor.name.strip() or not actor.role.strip():
        raise Refused("a sign-off needs the reviewer's name and role")


def _sign_off(content: CaseContent, change: SignOffRevision, context: Context, status: Status) -> Applied:
    """Freeze the revision's record with the sign-off: another reviewer than its last editor when the
    service asks for one, every unanswered applicable item acknowledged, a departing decision's reasons."""
    actor, now = context.need_actor(), context.need_now()
    if context.reviewer_must_differ and content.last_editor == (actor.subject or actor.name):
        raise Refused(f"{actor.name} made the last change to this revision; another reviewer must sign it off")
    record = build_record(context.need_criteria(), content.answers, decision=content.decision)
    gaps = gaps_of(record)
    acknowledged = set(change.acknowledged_gaps)
    unacknowledged = [g for g in gaps if g.criterion not in acknowledged]
    if unacknowledged:
        listed = "; ".join(g.title for g in unacknowledged)  # titles, as the reviewer reads them
        raise Refused(
            f"{len(unacknowledged)} applicable item(s) are unanswered: {listed}. Answer them, or "
            "acknowledge each gap explicitly as part of the sign-off"
        )
    if content.decision is not None:
        why = departure(record, content.decision)
        if why and not content.decision.reasons.strip():
            raise Refused(f"the team decision departs from the criteria ({why}) and gives no reasons")
    sign_off = SignOff(
        reviewer=actor.name,
        role=actor.role,
        source=actor.source,
        subject=actor.subject,
        signed_at=now,
        signed_at_local=clock.local(now).isoformat(timespec="seconds"),  # a conversion: the time is given
        comment=change.comment,
        acknowledged_gaps=gaps,
        revision=content.revision,
    )
    signed = record.model_copy(update={"sign_off": sign_off})
    line = AuditLine(None, content.status, signed.sha256())
    return Applied(replace(content, record=signed, status=status), "review", (line,))


# -- a new revision ------------------------------------------------------------------------------
def _revise(content: CaseContent, reason: str, context: Context, status: Status) -> Applied:
    """A new revision, a draft again: the answers and the decision carried over, the signed record left
    with the revision before, the answers now assessed against the criteria set as loaded."""
    answers = content.answers.model_copy(update={"version": context.need_criteria().version}, deep=True)
    number = content.revision + 1
    after = replace(content, answers=answers, status=status, record=None, revision=number, reason=reason)
    return Applied(after, "revise", (AuditLine(None, str(content.revision), reason),))


# -- a screening worksheet -----------------------------------------------------------------------
def _worksheet_status(ws: Worksheet) -> str:
    return "confirmed" if ws.confirmation is not None else "open"


def _change_worksheet(content: CaseContent, change: WorksheetChange, context: Context) -> Applied:
    """A ward's change to a worksheet of the case, audited field by field (and its status, when confirming
    or reopening moves it). Confirming the outcome answers the case's items first, as their own changes."""
    ws = content.worksheet(change.worksheet)
    protocol = context.protocol(ws.protocol)
    after = change_worksheet(protocol, ws, change, context.need_actor(), context.need_now())
    earlier: list[Applied] = []
    case = content
    if isinstance(change, ConfirmOutcome):
        for answer in confirmation_changes(protocol, context.need_criteria(), change.worksheet, after, case.answers):
            step = apply_change(case, answer, context)
            if step.lines:
                earlier.append(step)
                case = step.content
    lines = [AuditLine(f"ws{change.worksheet}:{path}", old, new) for path, old, new in field_changes(ws, after)]
    if _worksheet_status(ws) != _worksheet_status(after):
        lines.append(AuditLine(f"worksheet {change.worksheet}", _worksheet_status(ws), _worksheet_status(after)))
    status = next_status(change.action, case.status, case.case_id, case.revision)
    worksheets = {**case.worksheets, change.worksheet: after}
    return Applied(replace(case, worksheets=worksheets, status=status), change.action, tuple(lines), tuple(earlier))
