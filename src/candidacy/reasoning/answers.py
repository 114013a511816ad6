"""Answers to a criteria set: the file format, and checking answers against the criteria.

An answers file (YAML or JSON) reads::

    criteria: itb_pump          # the set's id
    version: "1.1.0"            # optional; an earlier version is read through the set's declared migrations
    case: {label: ..., ...}     # optional case header
    answers:
      ambulatory: {value: "no", note: "wheelchair user for 6 years"}

``unknown`` is a real answer (reported as missing information), distinct from no answer at all.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from candidacy.criteria.loader import problems_from_validation
from candidacy.criteria.located import Located, format_path
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Migration, NumberAnswer, ScaleAnswer, YesNoAnswer
from candidacy.criteria.values import choices, format_number
from candidacy.criteria.yamlsource import parse_bytes, read_file
from candidacy.errors import AnswersError, Problem

__all__ = [
    "HEADER_TEXT_MAX",
    "Answer",
    "AnswerSet",
    "CaseHeader",
    "GivenValue",
    "Value",
    "check_answers",
    "load_answers",
    "migrate_answers",
    "parse_answers",
]

MAX_NOTE = 20_000
GivenValue = StrictStr | StrictBool | StrictInt | StrictFloat | None
Value = str | float
"""A checked answer: an option, level or 'unknown' as text, or a number."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)


class Answer(_Strict):
    value: GivenValue = None
    note: Annotated[StrictStr, Field(max_length=MAX_NOTE)] = ""


#: The longest label, assessor or role a case header holds (longer is refused with the field named, never cut).
HEADER_TEXT_MAX = 120


class CaseHeader(_Strict):
    label: Annotated[StrictStr, Field(max_length=HEADER_TEXT_MAX)] = ""
    assessor: Annotated[StrictStr, Field(max_length=HEADER_TEXT_MAX)] = ""
    role: Annotated[StrictStr, Field(max_length=HEADER_TEXT_MAX)] = ""
    assessed_on: dt.date | None = Field(default=None, strict=False)
    meeting_date: dt.date | None = Field(default=None, strict=False)


class AnswerSet(_Strict):
    criteria: StrictStr
    version: StrictStr | None = None
    case: CaseHeader = Field(default_factory=CaseHeader)
    answers: dict[StrictStr, Answer] = Field(default_factory=dict)


def load_answers(path: Path | str, display_name: str | None = None) -> tuple[AnswerSet, Located]:
    return _parse(read_file(path, display_name))


def parse_answers(raw: bytes, name: str) -> tuple[AnswerSet, Located]:
    """Parse an uploaded answers file (bytes), as the app receives it."""
    return _parse(parse_bytes(raw, name))


def _parse(located: Located) -> tuple[AnswerSet, Located]:
    if not isinstance(located.data, dict):
        raise AnswersError(located.problem((), "an answers file must be a mapping with 'criteria' and 'answers'"))
    try:
        return AnswerSet.model_validate(located.data), located
    except ValidationError as exc:
        raise AnswersError(problems_from_validation(exc, located, _criterion_at)) from None


def _criterion_at(data: object, path: tuple[str | int, ...]) -> str | None:
    return str(path[1]) if len(path) >= 2 and path[0] == "answers" else None


def check_answers(
    cset: CriteriaSet, answer_set: AnswerSet, located: Located | None = None
) -> dict[str, tuple[Value | None, str]]:
    """Check answers against the criteria; return ``{criterion id: (value or None, note)}``.

    All problems are raised together, each naming the criterion.
    """
    problems: list[Problem] = []

    def fail(path: tuple[str | int, ...], message: str, crit: str | None = None) -> None:
        if located is not None:
            problems.append(located.problem(path, message, crit))
        else:
            problems.append(Problem(message, path=format_path(path), criterion=crit))

    if answer_set.criteria != cset.id:
        fail(("criteria",), f"these answers are for criteria set '{answer_set.criteria}', not '{cset.id}'")
    elif answer_set.version is not None and answer_set.version != cset.version:
        if _chain(cset, answer_set.version) is None:
            fail(
                ("version",),
                f"these answers were recorded against version {answer_set.version} of '{cset.id}'; "
                f"the criteria file is version {cset.version}, and it declares no migration from that version",
            )
        else:
            answer_set = migrate_answers(cset, answer_set)[0]
    checked: dict[str, tuple[Value | None, str]] = {}
    for crit_id, answer in answer_set.answers.items():
        path = ("answers", crit_id, "value")
        criterion = cset.criteria_by_id.get(crit_id)
        if criterion is None:
            fail(("answers", crit_id), f"unknown criterion '{crit_id}' in criteria set '{cset.id}'", crit_id)
            continue
        value, error = _normalise(answer.value, cset, crit_id)
        if error:
            fail(path, error, crit_id)
            continue
        checked[crit_id] = (value, answer.note)
    if problems:
        raise AnswersError(problems)
    return checked


def _chain(cset: CriteriaSet, version: str) -> list[Migration] | None:
    """The declared migrations from ``version`` to the set's own, in order; None when there is no such path."""
    steps = {m.from_: m for m in cset.migrations}
    chain: list[Migration] = []
    while version != cset.version:
        step = steps.get(version)
        if step is None or step in chain:
            return None
        chain.append(step)
        version = step.to
    return chain


def migrate_answers(cset: CriteriaSet, answer_set: AnswerSet) -> tuple[AnswerSet, tuple[str, ...]]:
    """Answers recorded under an earlier version of ``cset``, read through the migrations it declares.

    Returns the answers as this version reads them, and one line per thing the reading changed (none when
    the answers are of this version, name no version, or no declared path leads here: :func:`check_answers`
    refuses those). An answer with no equivalent is not dropped: the item is left unanswered with a note
    that names the earlier answer, so it is asked again.
    """
    chain = _chain(cset, answer_set.version) if answer_set.version and answer_set.criteria == cset.id else None
    if not chain:
        return answer_set, ()
    answers = dict(answer_set.answers)
    lines = [f"Read across from version {answer_set.version} to {cset.version} by the migration the criteria declare."]
    for step in chain:
        lines.append(f"{step.from_} to {step.to}: {step.note.strip()}")
        moved: dict[str, Answer] = {}
        for cid, answer in answers.items():
            rule = step.answers.get(cid)
            old = answer.value
            if rule is not None and isinstance(old, str) and old in rule.values:
                new = rule.values[old]
                if new is None:
                    flag = f"[Answered '{old}' under version {step.from_}, which has no equivalent now: answer again.]"
                    note = f"{flag} {answer.note}".strip()
                    answer = Answer(value=None, note=note if len(note) <= MAX_NOTE else answer.note)
                    lines.append(f"{cid}: '{old}' has no equivalent; left unanswered, to be asked again")
                else:
                    answer = Answer(value=new, note=answer.note)
                    lines.append(f"{cid}: '{old}' is read as '{new}'")
            targets = rule.into if rule is not None and rule.into else [cid]
            if rule is not None and rule.into:
                lines.append(f"{cid}: now asked as {', '.join(rule.into)}")
            for target in targets:
                moved.setdefault(target, answer)
        answers = moved
    return answer_set.model_copy(update={"version": cset.version, "answers": answers}), tuple(lines)


def _normalise(given: GivenValue, cset: CriteriaSet, crit_id: str) -> tuple[Value | None, str | None]:
    criterion = cset.criteria_by_id[crit_id]
    answer = criterion.answer
    if given is None:
        return None, None
    if given == UNKNOWN:
        return UNKNOWN, None
    if isinstance(answer, NumberAnswer):
        if isinstance(given, bool) or not isinstance(given, (int, float)):
            return None, f"expected a number in {answer.unit} (or 'unknown'), got {given!r}"
        number = float(given)
        if math.isnan(number) or not answer.min <= number <= answer.max:
            return None, (
                f"{format_number(number)} is out of range: expected {format_number(answer.min)} to "
                f"{format_number(answer.max)} {answer.unit}"
            )
        if answer.integer and not number.is_integer():
            return None, f"expected a whole number of {answer.unit}, got {format_number(number)}"
        return number, None
    if isinstance(answer, YesNoAnswer) and isinstance(given, bool):
        given = "yes" if given else "no"
    if isinstance(answer, ScaleAnswer) and isinstance(given, int) and not isinstance(given, bool):
        given = str(given)
    allowed = [v for v, _ in choices(criterion, cset) or []]
    if not isinstance(given, str) or given not in allowed:
        return None, f"{given!r} is not an answer of this item; expected one of: {', '.join(allowed)}, unknown"
    return given, None
