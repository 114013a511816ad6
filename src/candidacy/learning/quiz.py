"""The quick quiz: which question comes next, whether an answer is right, what the answer means, the score.

Questions come from the vignettes (:func:`candidacy.learning.vignettes.quiz_items`). Grading is
here, not in the page: an answer is compared after the same normalisation the engine applies, and
no choice is never graded (the trainee is asked to choose first).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from candidacy.criteria.models import CriteriaSet, Criterion
from candidacy.criteria.values import answer_label, finding_for
from candidacy.errors import CandidacyError
from candidacy.learning.vignettes import QuizItem
from candidacy.reasoning.answers import Answer, AnswerSet, GivenValue, check_answers
from candidacy.reasoning.assessment import SUMMARY_ORDER

__all__ = ["STRIDE", "Grade", "Score", "answer_meaning", "grade", "question_at", "score"]

#: A fixed stride walks through the questions in a mixed order, with no randomness to test; the
#: stride actually used is the first from here that is coprime with the number of questions, so
#: every question comes up once per round.
STRIDE = 37
_HEADINGS = dict(SUMMARY_ORDER)


def question_at(items: Sequence[QuizItem], index: int) -> QuizItem:
    """The ``index``-th question (0-based) of the quiz."""
    if not items:
        raise ValueError("there are no quiz questions")
    stride = next(s for s in range(STRIDE, STRIDE + len(items) + 1) if math.gcd(s, len(items)) == 1)
    return items[(index * stride) % len(items)]


def answer_meaning(criterion: Criterion, cset: CriteriaSet, value: str | float) -> str:
    """What an answer means by itself: the finding it gives (its kind and statement), or that it gives none."""
    spec = finding_for(criterion, cset, value)
    if spec is None:
        return "no finding by itself"
    return f"a finding under '{_HEADINGS.get(spec.kind, spec.kind)}': {spec.statement}"


@dataclass(frozen=True, slots=True)
class Grade:
    correct: bool
    given_label: str
    reference_label: str
    meaning: str
    rationale: str


def grade(cset: CriteriaSet, item: QuizItem, given: GivenValue) -> Grade | None:
    """The trainee's answer against the reference; ``None`` when no answer was chosen (nothing to grade)."""
    if given is None:
        return None
    criterion = cset.criteria_by_id[item.criterion]
    try:
        normal = check_answers(cset, AnswerSet(criteria=cset.id, answers={item.criterion: Answer(value=given)}))
        value = normal[item.criterion][0]
    except CandidacyError:
        value = None  # an answer outside the item's range cannot be right
    given_label = answer_label(criterion, cset, value) if value is not None else str(given)
    return Grade(
        correct=value == item.answer,
        given_label=given_label,
        reference_label=answer_label(criterion, cset, item.answer),
        meaning=answer_meaning(criterion, cset, item.answer),
        rationale=criterion.rationale,
    )


@dataclass(frozen=True, slots=True)
class Score:
    correct: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.answered) if self.answered else 0

    def text(self) -> str:
        if not self.answered:
            return "No question checked yet"
        return f"{self.correct} of {self.answered} correct ({self.percent}%)"


def score(results: Mapping[int, bool]) -> Score:
    """The running score from each checked question's first result (checking again does not count twice)."""
    return Score(sum(1 for ok in results.values() if ok), len(results))
