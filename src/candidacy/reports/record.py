"""The canonical record of an assessment: one JSON document from which every other format is derived.

It is self-contained (case header, the answers and notes, the assessment exactly as the engine gives it,
every item with its finding, rationale and sources, and the full source list), so a report can be
rendered, or re-rendered years later, without the criteria file. ``evaluate --format json`` and
``report --format json`` both print this document. JSON -> record -> JSON is byte-identical.

``format_version`` changes when the shape does:

- 5: the assessment lists the team decisions that would depart from what the criteria point to, and
  why (``assessment.departures``, from the criteria's ``departures`` rules);
- 4: the assessment is stored once (format 3 repeated its stages, decisive unknowns and current stage
  at the top level); decisive unknowns are ranked and say why (``why``), and the routine checks not
  yet documented are listed (``assessment.routine``: work before the stage);
- 3: the record contains the assessment (``assessment``: criteria, notice, findings, missing,
  not applicable, next steps, counts, stages, decisive unknowns and the current stage) instead of
  repeating its fields at the top level;
- 2: added the team decision and the sign-off;
- 1: the first shape.

Records of formats 1 to 4 are still read (their assessment fields are gathered on reading, and their
departures are what the rule of their time made of their findings) and keep their original text, so
their hash and JSON stay what was signed.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_serializer, model_validator

from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.values import answer_label
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, check_answers
from candidacy.reasoning.assessment import (
    Assessment,
    CitedSource,
    CriteriaRef,
    DecisiveUnknown,
    Finding,
    MissingItem,
    NextStepResult,
    NotApplicable,
    RoutineItem,
    StageSummary,
)
from candidacy.reasoning.departures import what_holds
from candidacy.reasoning.engine import evaluate
from candidacy.reports.signoff import Decision, SignOff

__all__ = ["FORMAT_VERSION", "Record", "build_record", "parse_record"]

FORMAT_VERSION = "5"  # see the module docstring for what each version changed
#: The assessment's fields that formats 1 and 2 kept at the top level of the record.
_FLAT_FIELDS = ("criteria", "notice", "findings", "missing", "not_applicable", "next_steps", "answered", "applicable")
#: The assessment's fields that formats 1 to 3 also kept at the top level (format 3 kept them twice).
_REPEATED_FIELDS = ("decisive_unknowns", "stages", "current_stage")


#: Before format 5 the departure rule was fixed in code; records of that time are read with it: these
#: finding kinds (or any unanswered item) held back a screening test, and without them and these others
#: a decision not to offer one departed.
_LEGACY_HOLD = ("contraindication", "prerequisite-unmet", "missing")
_LEGACY_AGAINST = ("caution", "unfavourable")


def _with_legacy_departures(data: dict[str, Any]) -> dict[str, Any]:
    assessment = data.get("assessment")
    if not isinstance(assessment, dict) or "departures" in assessment:
        return data
    findings = [f for f in assessment.get("findings") or [] if isinstance(f, dict)]
    holding = [str(f.get("title", "")) for f in findings if f.get("kind") in _LEGACY_HOLD]
    unanswered = sum(
        1 for m in assessment.get("missing") or [] if isinstance(m, dict) and m.get("status") == "unanswered"
    )
    rules: list[dict[str, Any]] = []
    if holding or unanswered:
        why = f"the criteria hold back a screening test here ({what_holds(holding, unanswered)})"
        rules.append({"rule": "offered_while_held_back", "outcomes": ["screening_offered"], "why": why})
    elif not any(f.get("kind") in _LEGACY_AGAINST for f in findings):
        why = "the criteria point towards a screening test here (nothing against is recorded)"
        rules.append({"rule": "declined_with_nothing_against", "outcomes": ["not_offered", "referred"], "why": why})
    data["assessment"] = {**assessment, "departures": rules}
    return data


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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
    format_version: Literal["1", "2", "3", "4", "5"]
    case: CaseHeader
    answers: dict[str, Answer]
    assessment: Assessment
    items: list[ItemEntry]
    sources: list[SourceEntry]
    decision: Decision | None = None
    sign_off: SignOff | None = None
    _legacy_text: str = PrivateAttr(default="")

    @model_validator(mode="before")
    @classmethod
    def _gather_assessment(cls, data: Any) -> Any:
        """Formats 1 to 3 kept some of the assessment's fields at the top level: gather them into it.
        Formats 1 to 4 had no departures: they are read as the rule of that time made them."""
        if not isinstance(data, dict) or data.get("format_version") not in ("1", "2", "3", "4"):
            return data
        data = dict(data)
        if data.get("format_version") == "4":
            return _with_legacy_departures(data)
        if "assessment" not in data:
            data["assessment"] = {key: data.pop(key) for key in _FLAT_FIELDS if key in data}
        assessment = data["assessment"]
        for key in _REPEATED_FIELDS:
            if key in data:
                value = data.pop(key)
                if isinstance(assessment, dict) and key not in assessment:
                    assessment[key] = value
        return _with_legacy_departures(data)

    @field_serializer("assessment")
    def _assessment_data(self, assessment: Assessment) -> dict[str, Any]:
        return assessment.to_dict()

    @property
    def criteria(self) -> CriteriaRef:
        return self.assessment.criteria

    @property
    def notice(self) -> str:
        return self.assessment.notice

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.assessment.findings

    @property
    def decisive_unknowns(self) -> tuple[DecisiveUnknown, ...]:
        return self.assessment.decisive_unknowns

    @property
    def stages(self) -> tuple[StageSummary, ...]:
        return self.assessment.stages

    @property
    def current_stage(self) -> str:
        return self.assessment.current_stage

    @property
    def routine(self) -> tuple[RoutineItem, ...]:
        return self.assessment.routine

    @property
    def missing(self) -> tuple[MissingItem, ...]:
        return self.assessment.missing

    @property
    def not_applicable(self) -> tuple[NotApplicable, ...]:
        return self.assessment.not_applicable

    @property
    def next_steps(self) -> tuple[NextStepResult, ...]:
        return self.assessment.next_steps

    @property
    def answered(self) -> int:
        return self.assessment.answered

    @property
    def applicable(self) -> int:
        return self.assessment.applicable

    def decisive_for(self, stage: str) -> list[DecisiveUnknown]:
        return self.assessment.decisive_for(stage)

    def by_kind(self, kind: str) -> list[Finding]:
        return self.assessment.by_kind(kind)

    def summary(self) -> list[tuple[str, str, list[Finding]]]:
        return self.assessment.summary()

    def to_json(self) -> str:
        """The canonical JSON; a record of format 1 or 2 keeps the text it was read from."""
        return self._legacy_text or self.model_dump_json(indent=2) + "\n"

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
        answers=answer_set.answers,
        assessment=replace(result, applicable_ids=()),  # not part of the JSON (Assessment.to_dict)
        items=items,
        sources=[SourceEntry(id=s.id, citation=s.citation, note=s.note) for s in cset.sources],
        decision=decision,
    )


def parse_record(text: str | bytes) -> Record:
    record = Record.model_validate_json(text)
    if record.format_version != FORMAT_VERSION:
        record._legacy_text = text.decode("utf-8") if isinstance(text, bytes) else text
    return record
