"""What the team decided and who signed: the two parts of a record that people, not criteria, supply.

The criteria only point; the meeting decides. A :class:`Decision` records the outcome (one vocabulary,
:data:`OUTCOMES`), the reasons, who was present and when, beside what the criteria pointed to, in the
spirit of CDS Hooks' "accepted / overridden, with a reason": when the decision departs from the
criteria's pointers (:func:`departure`), a reason is required. A :class:`SignOff` is the reviewer's
signature on one revision, including the gaps they acknowledged signing over.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from candidacy.reports.record import Record

__all__ = ["OUTCOMES", "Decision", "Gap", "Outcome", "SignOff", "departure", "gaps_of", "outcome_label"]

Outcome = Literal["screening_offered", "deferred", "not_offered", "referred", "other"]
#: The team's possible outcomes, declared once: stored value -> wording on screen and in the record.
OUTCOMES: dict[Outcome, str] = {
    "screening_offered": "Screening test offered",
    "deferred": "Deferred",
    "not_offered": "Not offered",
    "referred": "Referred elsewhere",
    "other": "Other",
}

# Finding kinds that mean the criteria do not point to a screening test yet (declared in assessment).
_HOLD_KINDS = ("contraindication", "prerequisite-unmet", "missing")
# Kinds that, when none is recorded and nothing is unanswered, mean the criteria point towards one.
_WEIGH_KINDS = ("caution", "unfavourable")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Decision(_Model):
    """The team's decision on one revision of a case."""

    outcome: Outcome
    until: str = Field(default="", max_length=500)  # for "deferred": until what
    reasons: str = Field(default="", max_length=4000)
    present: tuple[str, ...] = ()
    decided_on: dt.date
    recorded_by: str = Field(default="", max_length=240)

    @model_validator(mode="after")
    def _complete(self) -> Decision:
        if self.outcome == "deferred" and not self.until.strip():
            raise ValueError("a deferred decision needs 'until' (what it waits for)")
        if self.outcome == "other" and not self.reasons.strip():
            raise ValueError("a decision of 'other' needs reasons that say what was decided")
        if any(not name.strip() or len(name) > 240 for name in self.present):
            raise ValueError("each person present needs a name (at most 240 characters)")
        return self

    def label(self) -> str:
        text = outcome_label(self.outcome)
        return f"{text} until {self.until}" if self.outcome == "deferred" else text


class Gap(_Model):
    """An applicable item left unanswered that the reviewer signed over knowingly."""

    criterion: str
    title: str


class SignOff(_Model):
    """The reviewer's signature on a revision: who, in what role, established how, when, and over what."""

    reviewer: str = Field(min_length=1, max_length=240)
    role: str = Field(min_length=1, max_length=240)
    source: Literal["personal", "oidc", "cli"]
    subject: str = ""
    signed_at: dt.datetime  # UTC
    signed_at_local: str  # the signing machine's local time with its offset, as shown to the reviewer
    comment: str = Field(default="", max_length=4000)
    acknowledged_gaps: tuple[Gap, ...] = ()
    revision: int = Field(ge=1)

    def source_label(self) -> str:
        how = {"oidc": "signed in", "cli": "command line", "personal": "personal profile (not signed in)"}
        return how[self.source] + (f" as {self.subject}" if self.subject else "")


def outcome_label(outcome: str) -> str:
    return OUTCOMES.get(outcome, outcome)  # type: ignore[call-overload, no-any-return]


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
