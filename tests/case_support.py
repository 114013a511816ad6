"""Helpers for the tests of the pure change function: an empty case content, and applying or refusing a
change while checking that the content handed in is left exactly as it was."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from candidacy import CriteriaSet
from candidacy.case import Applied, CaseContent, Change, Context, apply_change
from candidacy.errors import CandidacyError
from candidacy.reasoning.answers import AnswerSet


def empty_content(itb: CriteriaSet, status: str = "draft", **fields: Any) -> CaseContent:
    """Revision 1 of case 7, nothing answered, in ``status``."""
    answers = AnswerSet(criteria=itb.id, version=itb.version)
    return CaseContent(answers, status=status, case_id=7, revision=1, **fields)  # type: ignore[arg-type]


def refused(content: CaseContent, change: Change, context: Context) -> CandidacyError:
    """The refusal of ``change``, after checking that the content handed in is exactly as it was."""
    before = copy.deepcopy(content)
    with pytest.raises(CandidacyError) as refusal:
        apply_change(content, change, context)
    assert content == before
    return refusal.value


def applying(content: CaseContent, change: Change, context: Context) -> Applied:
    """``change`` applied, after checking that the content handed in is exactly as it was."""
    before = copy.deepcopy(content)
    result = apply_change(content, change, context)
    assert content == before
    return result
