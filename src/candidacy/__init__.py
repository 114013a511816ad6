"""candidacy: criteria for intrathecal baclofen pump candidate selection, as data, for clinician review.

The core never imports streamlit: everything here is callable from Python and from
``python -m candidacy``.
"""

from candidacy.criteria.loader import criteria_files, load_criteria, load_criteria_text
from candidacy.criteria.models import FINDING_KINDS, UNKNOWN, CriteriaSet, Criterion
from candidacy.errors import AnswersError, CandidacyError, CriteriaError, Problem, SourceFileError
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, check_answers, load_answers, parse_answers
from candidacy.reasoning.assessment import (
    SUMMARY_ORDER,
    Assessment,
    Finding,
    MissingItem,
    NextStepResult,
    NotApplicable,
)
from candidacy.reasoning.engine import describe, evaluate

__all__ = [
    "FINDING_KINDS",
    "SUMMARY_ORDER",
    "UNKNOWN",
    "Answer",
    "AnswerSet",
    "AnswersError",
    "Assessment",
    "CandidacyError",
    "CaseHeader",
    "CriteriaError",
    "CriteriaSet",
    "Criterion",
    "Finding",
    "MissingItem",
    "NextStepResult",
    "NotApplicable",
    "Problem",
    "SourceFileError",
    "check_answers",
    "criteria_files",
    "describe",
    "evaluate",
    "load_answers",
    "load_criteria",
    "load_criteria_text",
    "parse_answers",
]
