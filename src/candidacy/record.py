"""The canonical record of an assessment: one JSON document from which every other format is derived.

It is self-contained (case header, criteria identity and hash, the answers and notes, every item with
its finding, rationale and sources, the summary, next steps and the full source list), so a report
can be rendered, or re-rendered years later, without the criteria file. ``format_version`` changes
when the shape does. JSON -> record -> JSON is byte-identical.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from candidacy.answers import Answer, AnswerSet, CaseHeader, check_answers
from candidacy.assessment import SUMMARY_ORDER, Assessment
from candidacy.engine import evaluate
from candidacy.models import CriteriaSet
from candidacy.values import answer_label

__all__ = ["FORMAT_VERSION", "Record", "build_record", "parse_record"]

FORMAT_VERSION = "1"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CriteriaIdentity(_Model):
    id: str
    title: str
    version: str
    review_date: str
    sha256: str


class Citation(_Model):
    id: str
    citation: str
    locator: str
    strength: str


class FindingEntry(_Model):
    criterion: str
    title: str
    section: str
    kind: str
    statement: str
    answer: str | float
    answer_label: str
    note: str
    rationale: str
    sources: list[Citation]


class MissingEntry(_Model):
    criterion: str
    title: str
    status: str
    obtain: str
    note: str


class NotApplicableEntry(_Model):
    criterion: str
    title: str
    reason: str
    note: str
    answer: str | float | None = None
    answer_label: str = ""


class StepEntry(_Model):
    id: str
    step: str
    basis: str
    sources: list[Citation]


class ItemEntry(_Model):
    """One criterion as assessed: what was asked, answered and concluded, and on what basis."""

    criterion: str
    section: str
    title: str
    question: str
    applicable: bool
    answer: str | float | None
    answer_label: str
    note: str
    finding_kind: str | None
    finding: str | None
    rationale: str
    sources: list[Citation]
    reason: str


class SourceEntry(_Model):
    id: str
    citation: str
    note: str | None = None


class Record(_Model):
    format_version: Literal["1"]
    case: CaseHeader
    criteria: CriteriaIdentity
    notice: str
    answers: dict[str, Answer]
    findings: list[FindingEntry]
    missing: list[MissingEntry]
    not_applicable: list[NotApplicableEntry]
    next_steps: list[StepEntry]
    answered: int
    applicable: int
    items: list[ItemEntry]
    sources: list[SourceEntry]

    def by_kind(self, kind: str) -> list[FindingEntry]:
        return [f for f in self.findings if f.kind == kind]

    def summary(self) -> list[tuple[str, str, list[FindingEntry]]]:
        return [(kind, heading, self.by_kind(kind)) for kind, heading in SUMMARY_ORDER]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def build_record(cset: CriteriaSet, answer_set: AnswerSet, assessment: Assessment | None = None) -> Record:
    """The record of ``answer_set`` (already checked or not) against ``cset``."""
    checked = check_answers(cset, answer_set)
    result = assessment or evaluate(cset, checked)
    data = result.to_dict()
    findings = {f.criterion: f for f in result.findings}
    not_applicable = {n.criterion: n for n in result.not_applicable}
    items = []
    for section in cset.sections:
        for criterion in section.criteria:
            value, note = checked.get(criterion.id, (None, ""))
            finding = findings.get(criterion.id)
            skipped = not_applicable.get(criterion.id)
            cites = [
                Citation(
                    id=r.source, citation=cset.sources_by_id[r.source].citation, locator=r.locator, strength=r.strength
                )
                for r in criterion.sources
            ]
            items.append(
                ItemEntry(
                    criterion=criterion.id,
                    section=section.title,
                    title=criterion.title,
                    question=criterion.question,
                    applicable=skipped is None,
                    answer=value,
                    answer_label=answer_label(criterion, cset, value) if value is not None else "",
                    note=note,
                    finding_kind=finding.kind if finding else None,
                    finding=finding.statement if finding else None,
                    rationale=criterion.rationale,
                    sources=cites,
                    reason=skipped.reason if skipped else "",
                )
            )
    return Record(
        format_version=FORMAT_VERSION,
        case=answer_set.case,
        criteria=CriteriaIdentity(**data["criteria"]),
        notice=result.notice,
        answers=answer_set.answers,
        findings=[FindingEntry(**f) for f in data["findings"]],
        missing=[MissingEntry(**m) for m in data["missing"]],
        not_applicable=[NotApplicableEntry(**n) for n in data["not_applicable"]],
        next_steps=[StepEntry(**s) for s in data["next_steps"]],
        answered=result.answered,
        applicable=result.applicable,
        items=items,
        sources=[SourceEntry(id=s.id, citation=s.citation, note=s.note) for s in cset.sources],
    )


def parse_record(text: str | bytes) -> Record:
    return Record.model_validate_json(text)
