"""The result of evaluating answers against a criteria set: what a record of the reasoning holds.

Plain frozen dataclasses: built thousands of times a second by the engine, turned into JSON by
:meth:`Assessment.to_dict`. Every finding carries its criterion, answer, note, rationale and sources
so that a reader can check each line without the criteria file at hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from candidacy.criteria.kinds import SUMMARY_ORDER

__all__ = [
    "SUMMARY_ORDER",
    "Assessment",
    "CitedSource",
    "CriteriaRef",
    "DecisiveUnknown",
    "Finding",
    "MissingItem",
    "NextStepResult",
    "NotApplicable",
    "RoutineItem",
    "StageSummary",
]


@dataclass(frozen=True, slots=True)
class CitedSource:
    id: str
    citation: str
    locator: str
    strength: str


@dataclass(frozen=True, slots=True)
class Finding:
    criterion: str
    title: str
    section: str
    kind: str
    statement: str
    answer: str | float
    answer_label: str
    note: str
    rationale: str
    sources: tuple[CitedSource, ...]


@dataclass(frozen=True, slots=True)
class MissingItem:
    criterion: str
    title: str
    status: str  # "unknown" (answered unknown) or "unanswered"
    obtain: str
    note: str


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """An item whose condition does not hold; an answer given earlier is kept, not dropped."""

    criterion: str
    title: str
    reason: str
    note: str
    answer: str | float | None = None
    answer_label: str = ""


@dataclass(frozen=True, slots=True)
class NextStepResult:
    """A step the criteria point to, for the stage it serves.

    ``status`` is "suggested" when its rule holds, or "pending" when the rule still turns on decisive
    unknowns (``awaiting`` names them and the step text says so). ``basis`` is a sentence built from
    the answers and findings that made it fire; ``condition`` keeps the full rule in words.
    """

    id: str
    step: str
    basis: str
    sources: tuple[CitedSource, ...] = ()
    stage: str = ""
    status: str = "suggested"
    awaiting: tuple[str, ...] = ()
    condition: str = ""


@dataclass(frozen=True, slots=True)
class DecisiveUnknown:
    """An unanswered or unknown item some answer to which would change the steps named in ``steps``.

    The engine lists them ranked: what could stand in the way of the stage first, then what would change
    how it is done; ``why`` says in one line which answer would change what.
    """

    criterion: str
    title: str
    stage: str
    status: str  # "unknown" or "unanswered"
    steps: tuple[str, ...]
    why: str = ""


@dataclass(frozen=True, slots=True)
class RoutineItem:
    """A routine check not yet documented: work before its stage, read meanwhile as its expected answer."""

    criterion: str
    title: str
    stage: str
    expected: str  # the label of the expected answer
    obtain: str


@dataclass(frozen=True, slots=True)
class StageSummary:
    """One decision of the pathway as the answers stand: its steps, what could change them, what is open."""

    id: str
    label: str
    question: str
    current: bool
    steps: tuple[str, ...]  # ids of the next steps for this stage
    decisive: tuple[str, ...]  # criteria whose answer could change this stage's steps
    open_items: tuple[str, ...]  # unknown or unanswered items to settle before this stage
    blocking: tuple[str, ...]  # criteria whose findings stand in the way of this stage
    routine: tuple[str, ...] = ()  # routine checks of this stage not yet documented (work before it)


@dataclass(frozen=True, slots=True)
class DepartureRule:
    """A team decision that would depart from what the criteria point to here (a ``departures`` rule that
    holds), and why: the rule's words and the findings and gaps that make it hold."""

    rule: str
    outcomes: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class CriteriaRef:
    id: str
    title: str
    version: str
    review_date: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Assessment:
    criteria: CriteriaRef
    notice: str
    findings: tuple[Finding, ...]
    missing: tuple[MissingItem, ...]
    not_applicable: tuple[NotApplicable, ...]
    next_steps: tuple[NextStepResult, ...]
    answered: int
    applicable: int
    decisive_unknowns: tuple[DecisiveUnknown, ...] = ()
    stages: tuple[StageSummary, ...] = ()
    current_stage: str = ""
    routine: tuple[RoutineItem, ...] = ()
    departures: tuple[DepartureRule, ...] = ()
    applicable_ids: tuple[str, ...] = field(default=(), repr=False)

    def steps_for(self, stage: str) -> list[NextStepResult]:
        return [s for s in self.next_steps if s.stage == stage]

    def stages_in_reading_order(self) -> list[StageSummary]:
        """The current stage first (the meeting's question), then the later ones, then those behind the case."""
        at = next((i for i, s in enumerate(self.stages) if s.current), 0)
        return [*self.stages[at:], *self.stages[:at]]

    def decisive_for(self, stage: str) -> list[DecisiveUnknown]:
        """Unknowns that could change this stage's steps, ranked as the engine ranks them (for a set without
        stages, "" as its current stage: every decisive unknown)."""
        if not self.stages:
            return list(self.decisive_unknowns)
        ids = {cid for summary in self.stages if summary.id == stage for cid in summary.decisive}
        return [u for u in self.decisive_unknowns if u.criterion in ids]

    def routine_for(self, stage: str) -> list[RoutineItem]:
        """Routine checks of this stage not yet documented: the work to do before it."""
        return [r for r in self.routine if r.stage == stage]

    def departs(self, outcome: str) -> str | None:
        """Why a team decision with this outcome departs from what the criteria point to, or None."""
        return next((d.why for d in self.departures if outcome in d.outcomes), None)

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def summary(self) -> list[tuple[str, str, list[Finding]]]:
        """(kind, heading, findings) in the fixed summary order."""
        return [(kind, heading, self.by_kind(kind)) for kind, heading in SUMMARY_ORDER]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("applicable_ids")
        return data
