"""The canonical record of an assessment: one JSON document from which every other format is derived.

It is self-contained (case header, criteria identity and hash, the answers and notes, every item with
its finding, rationale and sources, the summary, next steps and the full source list), so a report
can be rendered, or re-rendered years later, without the criteria file. ``format_version`` changes
when the shape does. JSON -> record -> JSON is byte-identical.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict

from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.values import answer_label
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, check_answers
from candidacy.reasoning.assessment import (
    SUMMARY_ORDER,
    Assessment,
    CitedSource,
    CriteriaRef,
    DecisiveUnknown,
    Finding,
    MissingItem,
    NextStepResult,
    NotApplicable,
    StageSummary,
)
from candidacy.reasoning.engine import evaluate
from candidacy.reports.signoff import Decision, SignOff

__all__ = ["FORMAT_VERSION", "Record", "build_record", "parse_record"]

FORMAT_VERSION = "2"  # 2 added the team decision and the sign-off; 1 is still read


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    sources: tuple[CitedSource, ...]
    reason: str
    stage: str = ""  # id of the stage the item must be settled before


class SourceEntry(_Model):
    id: str
    citation: str
    note: str | None = None


class Record(_Model):
    format_version: Literal["1", "2"]
    case: CaseHeader
    criteria: CriteriaRef
    notice: str
    answers: dict[str, Answer]
    findings: tuple[Finding, ...]
    missing: tuple[MissingItem, ...]
    not_applicable: tuple[NotApplicable, ...]
    next_steps: tuple[NextStepResult, ...]
    answered: int
    applicable: int
    items: list[ItemEntry]
    sources: list[SourceEntry]
    decisive_unknowns: tuple[DecisiveUnknown, ...] = ()
    stages: tuple[StageSummary, ...] = ()
    current_stage: str = ""
    decision: Decision | None = None
    sign_off: SignOff | None = None

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    def summary(self) -> list[tuple[str, str, list[Finding]]]:
        return [(kind, heading, self.by_kind(kind)) for kind, heading in SUMMARY_ORDER]

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

    def sha256(self) -> str:
        """The hash of this record's canonical JSON: for a signed record, the revision hash it carries."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()


def build_record(
    cset: CriteriaSet,
    answer_set: AnswerSet,
    assessment: Assessment | None = None,
    decision: Decision | None = None,
) -> Record:
    """The record of ``answer_set`` (already checked or not) against ``cset``, with the team's decision."""
    checked = check_answers(cset, answer_set)
    result = assessment or evaluate(cset, checked)
    findings = {f.criterion: f for f in result.findings}
    not_applicable = {n.criterion: n for n in result.not_applicable}
    items = []
    for section in cset.sections:
        for criterion in section.criteria:
            value, note = checked.get(criterion.id, (None, ""))
            finding = findings.get(criterion.id)
            skipped = not_applicable.get(criterion.id)
            cites = tuple(
                CitedSource(r.source, cset.sources_by_id[r.source].citation, r.locator, r.strength)
                for r in criterion.sources
            )
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
                    stage=criterion.stage or "",
                )
            )
    return Record(
        format_version=FORMAT_VERSION,
        case=answer_set.case,
        criteria=result.criteria,
        notice=result.notice,
        answers=answer_set.answers,
        findings=result.findings,
        missing=result.missing,
        not_applicable=result.not_applicable,
        next_steps=result.next_steps,
        answered=result.answered,
        applicable=result.applicable,
        items=items,
        sources=[SourceEntry(id=s.id, citation=s.citation, note=s.note) for s in cset.sources],
        decisive_unknowns=result.decisive_unknowns,
        stages=result.stages,
        current_stage=result.current_stage,
        decision=decision,
    )


def parse_record(text: str | bytes) -> Record:
    return Record.model_validate_json(text)
