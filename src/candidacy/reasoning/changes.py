"""Every change to a case's answers, as data, and the one pure function that applies it.

The session's draft, the case store and anything else that changes a case call :func:`apply_change`:
it takes the answers as they stand and a change (an answer, a note, a header field, or all answers at
once), and returns the new answers with the audit line that describes the change, or raises when the
change is refused (a header value the model does not accept). It never mutates its input, so a
refused or failed save leaves nothing half-applied anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from candidacy.errors import AnswersError, Problem
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, GivenValue

__all__ = ["Applied", "Change", "ReplaceAll", "SetAnswer", "SetHeader", "SetNote", "apply_change", "as_changes"]


@dataclass(frozen=True)
class SetAnswer:
    criterion: str
    value: GivenValue
    action = "answer"


@dataclass(frozen=True)
class SetNote:
    criterion: str
    note: str
    action = "note"


@dataclass(frozen=True)
class SetHeader:
    field: str
    value: Any
    action = "header"


@dataclass(frozen=True)
class ReplaceAll:
    """Every answer and the header at once (a loaded file, "none of these", a copy), with why."""

    answers: AnswerSet
    reason: str
    action = "load"


Change = SetAnswer | SetNote | SetHeader | ReplaceAll


def as_changes(change: Change | Sequence[Change]) -> list[Change]:
    """One change, or the several changes of one user action, as a list (applied in order, together)."""
    if isinstance(change, SetAnswer | SetNote | SetHeader | ReplaceAll):
        return [change]
    return list(change)


@dataclass(frozen=True)
class Applied:
    """The answers after a change, and the audit line that says what changed (item, old, new)."""

    answers: AnswerSet
    item: str | None
    old: str | None
    new: str | None


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


def apply_change(answers: AnswerSet, change: Change) -> Applied:
    """The answers with ``change`` applied, and its audit line; ``answers`` itself is left as it was."""
    if isinstance(change, SetAnswer):
        before = answers.answers.get(change.criterion, Answer())
        after = _with(answers, change.criterion, _answer(change.criterion, change.value, before.note))
        return Applied(after, change.criterion, _value_text(before.value), _value_text(change.value))
    if isinstance(change, SetNote):
        before = answers.answers.get(change.criterion, Answer())
        after = _with(answers, change.criterion, _answer(change.criterion, before.value, change.note))
        return Applied(after, change.criterion, before.note or None, change.note or None)
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
        return Applied(after, change.field, None if old is None else str(old), None if new is None else str(new))
    count = len(answers.answers)
    after = answers.model_copy(
        update={"answers": dict(change.answers.answers), "case": change.answers.case.model_copy()}, deep=True
    )
    return Applied(after, None, f"{count} answers", f"{len(change.answers.answers)} answers ({change.reason})")
