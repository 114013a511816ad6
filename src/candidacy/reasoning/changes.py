"""The changes to a case's answers, as data: an answer, a note, a header field, or all answers at once.

They are plain values so that anything can propose one (a widget, a FHIR record's proposals, the
command line) without changing anything; :func:`candidacy.case.apply_change` is the one function that
applies them (and a case's other changes: the decision, the sign-off, a worksheet value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from candidacy.reasoning.answers import AnswerSet, GivenValue

__all__ = ["AnswerChange", "ReplaceAll", "SetAnswer", "SetHeader", "SetNote"]


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
    """Every answer and the header at once (a loaded file, "none of these", a copy), with why.

    ``action``: "load", or "duplicate" when the answers are a copy of another case's."""

    answers: AnswerSet
    reason: str
    action: Literal["load", "duplicate"] = "load"


AnswerChange = SetAnswer | SetNote | SetHeader | ReplaceAll
