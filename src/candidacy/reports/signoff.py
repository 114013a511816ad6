"""What the team decided and who signed: the two parts of a record that people, not criteria, supply.

The criteria only point; the meeting decides. A :class:`Decision` records the outcome (one vocabulary,
:data:`candidacy.criteria.outcomes.OUTCOMES`), the reasons, who was present and when, beside what the
criteria pointed to, in the spirit of CDS Hooks' "accepted / overridden, with a reason": when the
decision departs from the criteria's pointers (their ``departures`` rules, read by
:func:`candidacy.reports.departure.departure`), a reason is required. A :class:`SignOff` is the
reviewer's signature on one revision, including the gaps they acknowledged signing over.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from candidacy.criteria.outcomes import OUTCOMES, Outcome, outcome_label

__all__ = ["OUTCOMES", "Decision", "Gap", "Outcome", "SignOff", "outcome_label"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False, defer_build=True)


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
