"""What a change acts on and what it gives back: a case's content, the change's context, its result.

:class:`CaseContent` is the part of a case that changes: the answers (with the header), the revision's
status, the team's decision, the signed record once signed off, and the screening worksheets a change
reads, whether the case is archived and why its revision was started. An unsaved draft is content too
(status "draft", no case number). :class:`Context` carries
what a change may depend on beyond the content (the criteria set, who acts, when), passed in
explicitly so that :func:`candidacy.case.apply_change` stays pure. :class:`Applied` is the content
after the change with the audit lines that say what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from candidacy.case.workflow import Status
from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.record import Record
from candidacy.reports.signoff import Decision
from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import Worksheet

__all__ = ["Applied", "AuditLine", "CaseContent", "Context"]


@dataclass(frozen=True)
class CaseContent:
    """A case's changeable content. ``worksheets``: the screening worksheets by number, as far as a change
    needs them (the store reads the one a worksheet change names). ``last_editor``: who last changed this
    revision's content (their subject, else their name), for the rule that another person signs it off.
    ``reason``: why the revision was started (empty for the first)."""

    answers: AnswerSet
    status: Status = "draft"
    decision: Decision | None = None
    record: Record | None = None  # the signed record, once the revision is signed off
    worksheets: Mapping[int, Worksheet] = field(default_factory=dict)
    case_id: int | None = None  # None for an unsaved draft
    revision: int = 1
    last_editor: str | None = None
    archived: bool = False
    reason: str = ""

    def worksheet(self, number: int) -> Worksheet:
        found = self.worksheets.get(number)
        if found is None:
            raise CandidacyError(f"screening worksheet {number} is not part of this case")
        return found


@dataclass(frozen=True)
class Context:
    """What a change may depend on besides the content: the case's criteria set (answers are checked
    against it, a decision and a sign-off read its assessment), who acts and when (``clock.now()``), the
    screening protocols by id, and whether the person who last edited a revision may sign it off."""

    criteria: CriteriaSet | None = None
    actor: Identity | None = None
    now: dt.datetime | None = None
    protocols: Mapping[str, Protocol] = field(default_factory=dict)
    reviewer_must_differ: bool = False

    def need_criteria(self) -> CriteriaSet:
        if self.criteria is None:
            raise CandidacyError("this change needs the case's criteria set")
        return self.criteria

    def need_actor(self) -> Identity:
        if self.actor is None:
            raise CandidacyError("say who you are (name and role) before this change")
        return self.actor

    def need_now(self) -> dt.datetime:
        if self.now is None:
            raise CandidacyError("this change needs the time it is made")
        return self.now

    def protocol(self, protocol_id: str) -> Protocol:
        found = self.protocols.get(protocol_id)
        if found is None:
            raise CandidacyError(f"screening protocol '{protocol_id}' is not loaded")
        return found


@dataclass(frozen=True)
class AuditLine:
    """What one audit row says about a change: the item changed, its old and its new value."""

    item: str | None
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Applied:
    """The content after a change, the action it is audited as, and its audit lines.

    No lines means that the change changes nothing (an empty note saved again): nothing is written.
    ``earlier``: the changes of the case that this one makes first, each audited under its own action
    (confirming a screening outcome answers the case's items, then freezes the worksheet); ``content``
    holds them all. The store writes them in order, in the same transaction."""

    content: CaseContent
    action: str
    lines: tuple[AuditLine, ...]
    earlier: tuple[Applied, ...] = ()

    @property
    def answers(self) -> AnswerSet:
        return self.content.answers
