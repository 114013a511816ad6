"""The result of evaluating answers against a criteria set: what a record of the reasoning holds.

Plain frozen dataclasses: built thousands of times a second by the engine, turned into JSON by
:meth:`Assessment.to_dict`. Every finding carries its criterion, answer, note, rationale and sources
so that a reader can check each line without the criteria file at hand.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "SUMMARY_ORDER",
    "Assessment",
    "CitedSource",
    "CriteriaRef",
    "Finding",
    "MissingItem",
    "NextStepResult",
    "NotApplicable",
]

#: The order of the summary, as clinicians asked for it: what stops first, what is missing last.
SUMMARY_ORDER: tuple[tuple[str, str], ...] = (
    ("contraindication", "Contraindications"),
    ("caution", "Cautions"),
    ("unfavourable", "Factors against"),
    ("favourable", "Factors in favour"),
    ("prerequisite-unmet", "Prerequisites not met"),
    ("missing", "Missing information"),
)


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
    id: str
    step: str
    basis: str
    sources: tuple[CitedSource, ...] = ()


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
    applicable_ids: tuple[str, ...] = field(default=(), repr=False)

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def summary(self) -> list[tuple[str, str, list[Finding]]]:
        """(kind, heading, findings) in the fixed summary order."""
        return [(kind, heading, self.by_kind(kind)) for kind, heading in SUMMARY_ORDER]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("applicable_ids")
        return data
