"""The team's possible decisions on a case, declared once: stored value -> wording on screen and in the
record. The criteria's ``departures`` rules name them (see :class:`candidacy.criteria.models.Departure`)
and the record's decision holds one (:class:`candidacy.reports.signoff.Decision`).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["OUTCOMES", "Outcome", "outcome_label"]

Outcome = Literal["screening_offered", "deferred", "not_offered", "referred", "other"]
OUTCOMES: dict[Outcome, str] = {
    "screening_offered": "Screening test offered",
    "deferred": "Deferred",
    "not_offered": "Not offered",
    "referred": "Referred elsewhere",
    "other": "Other",
}


def outcome_label(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome)  # type: ignore[call-overload, no-any-return]


assert set(get_args(Outcome)) == set(OUTCOMES), "Outcome and OUTCOMES disagree"
