"""A record read against the team's decision: the gaps a sign-off must acknowledge, and whether the
decision departs from what the criteria point to (then it needs its reasons).

Kept apart from :mod:`candidacy.reports.signoff` (the decision and sign-off models the record holds)
so that the record and its parts import in one direction only.
"""

from __future__ import annotations

from candidacy.criteria.kinds import KINDS
from candidacy.reports.record import Record
from candidacy.reports.signoff import Decision, Gap

__all__ = ["departure", "gaps_of"]

# Finding kinds that mean the criteria do not point to a screening test yet, and those that, when none
# is recorded and nothing is unanswered, leave them pointing towards one (declared with the kinds).
_HOLD_KINDS = frozenset(k.id for k in KINDS if k.holds_back)
_WEIGH_KINDS = frozenset(k.id for k in KINDS if k.weighs_against)


def gaps_of(record: Record) -> tuple[Gap, ...]:
    """Applicable items without an answer: what a sign-off must either fill or acknowledge."""
    return tuple(Gap(criterion=m.criterion, title=m.title) for m in record.missing if m.status == "unanswered")


def departure(record: Record, decision: Decision) -> str | None:
    """Why ``decision`` departs from what the record's criteria point to, or None when it does not.

    The criteria hold back a screening test while a contraindication, an unmet prerequisite, missing
    information or an unanswered item is recorded; with none of those and no caution or factor against,
    they point towards one (the next steps say so). Offering against the first, or declining or
    referring against the second, is a departure that needs a reason.
    """
    holding = [f.title for f in record.findings if f.kind in _HOLD_KINDS]
    unanswered = len(gaps_of(record))
    if decision.outcome == "screening_offered" and (holding or unanswered):
        named = "; ".join(holding[:3]) + (f" and {len(holding) - 3} more" if len(holding) > 3 else "")
        parts = [named] if named else []
        if unanswered:
            parts.append(f"{unanswered} item(s) unanswered")
        return "the criteria hold back a screening test here (" + "; ".join(parts) + ")"
    weighing = [f for f in record.findings if f.kind in _WEIGH_KINDS]
    if decision.outcome in ("not_offered", "referred") and not (holding or unanswered or weighing):
        return "the criteria point towards a screening test here (nothing against is recorded)"
    return None
