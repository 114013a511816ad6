"""A record read against the team's decision: the gaps a sign-off must acknowledge, and whether the
decision departs from what the criteria point to (then it needs its reasons).

Kept apart from :mod:`candidacy.reports.signoff` (the decision and sign-off models the record holds)
so that the record and its parts import in one direction only.
"""

from __future__ import annotations

from candidacy.reports.record import Record
from candidacy.reports.signoff import Decision, Gap

__all__ = ["departure", "gaps_of"]


def gaps_of(record: Record) -> tuple[Gap, ...]:
    """Applicable items without an answer: what a sign-off must either fill or acknowledge."""
    return tuple(Gap(criterion=m.criterion, title=m.title) for m in record.missing if m.status == "unanswered")


def departure(record: Record, decision: Decision) -> str | None:
    """Why ``decision`` departs from what the record's criteria point to, or None when it does not.

    The rules are the criteria's ``departures`` (data, evaluated with the assessment the record holds):
    for the ITB set, offering a test while something holds it back, or declining or referring while
    nothing stands against one.
    """
    return record.assessment.departs(decision.outcome)
