"""The criteria set as strict models: what a YAML file in ``criteria/`` may say.

Strings are strict so that YAML 1.1 surprises (``no`` read as false, ``1.10`` read as 1.1) are caught
instead of silently stored; unknown keys are refused; answer types are a discriminated union on
``type``. Cross checks that need the whole set (ids, references, cycles) live in ``checks.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, StrictFloat, StrictStr

from candidacy.criteria.conditions import Condition
from candidacy.criteria.kinds import FINDING_KINDS, FindingKind
from candidacy.criteria.outcomes import Outcome

__all__ = [
    "FINDING_KINDS",
    "UNKNOWN",
    "AnswerType",
    "Band",
    "ChoiceAnswer",
    "Code",
    "CriteriaSet",
    "Criterion",
    "FindingKind",
    "FindingSpec",
    "ItemMigration",
    "LevelBand",
    "Migration",
    "NextStep",
    "NumberAnswer",
    "Option",
    "Scale",
    "ScaleAnswer",
    "ScaleLevel",
    "Section",
    "Source",
    "SourceRef",
    "Stage",
    "YesNoAnswer",
]

T = TypeVar("T")
UNKNOWN = "unknown"
Strength = Literal["LABEL", "GUIDE", "PANEL", "STUDY", "OPINION", "LOW", "DERIVED"]
Identifier = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[StrictStr, Field(min_length=1, max_length=4000)]


class _Strict(BaseModel):
    # Validators are built on first use, not on import: the app's first page starts sooner, and models
    # it never validates (here and in reasoning/, reports/, settings) cost nothing until used.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True, defer_build=True)


class Source(_Strict):
    """A document the criteria draw on; criteria cite it by ``id`` with a locator."""

    id: Annotated[StrictStr, Field(pattern=r"^[A-Z][A-Z0-9-]*$", max_length=32)]
    citation: Text
    kind: Literal["seed", "external"]
    document: StrictStr | None = Field(default=None, description="Where the text is kept, if local.")
    note: StrictStr | None = None


class SourceRef(_Strict):
    source: StrictStr = Field(description="Id of an entry in the set's sources list.")
    locator: Text = Field(description="Where in the document: section, paragraph, fact id.")
    strength: Strength


class Code(_Strict):
    """A code of a standard terminology, with the source it was looked up in."""

    system: StrictStr = Field(description="The code system's URI (SNOMED CT, LOINC, ATC, RxNorm or UCUM).")
    code: StrictStr
    display: Text = Field(description="The code system's display for the code.")
    source: StrictStr = Field(description="Id of the entry in the set's sources list where the code was looked up.")


class FindingSpec(_Strict):
    """What an answer means, phrased for clinician review (never a verdict)."""

    kind: FindingKind
    statement: Text
    blocks: Identifier | None = Field(
        default=None,
        description=(
            "Id of the stage this finding stands in the way of. Contraindications and unmet prerequisites "
            "block their criterion's stage unless another is named; other kinds block nothing unless named."
        ),
    )
    blocks_when: Condition | None = Field(
        default=None,
        description=(
            "The finding stands in the way only while this holds, for example only for a spinal cause. It tests "
            "answers of other items settled by the blocked stage or earlier; while it turns on something not "
            "known, the finding could block, so what it tests is a decisive unknown."
        ),
    )


class Option(_Strict):
    value: Identifier
    label: Text
    finding: FindingSpec | None = Field(description="Required key; null when the option means nothing by itself.")
    codes: list[Code] = Field(default_factory=list)


class YesNoAnswer(_Strict):
    type: Literal["yes_no"]
    yes: FindingSpec | None = Field(description="Finding for 'yes' (null for none).")
    no: FindingSpec | None = Field(description="Finding for 'no' (null for none).")


class ChoiceAnswer(_Strict):
    type: Literal["choice"]
    options: list[Option] = Field(min_length=2)


class Band(_Strict):
    """A numeric range [at_least, below) and its finding."""

    at_least: StrictFloat | None = None
    below: StrictFloat | None = None
    finding: FindingSpec | None


class NumberAnswer(_Strict):
    type: Literal["number"]
    unit: Text
    min: StrictFloat
    max: StrictFloat
    integer: StrictBool = False
    bands: list[Band] = Field(min_length=1)


class LevelBand(_Strict):
    """Scale levels from ``from`` to ``to`` (both included) and their finding."""

    from_: StrictStr = Field(alias="from")
    to: StrictStr
    finding: FindingSpec | None


class ScaleAnswer(_Strict):
    type: Literal["scale"]
    scale: Identifier = Field(description="Id of an entry in the set's scales list.")
    bands: list[LevelBand] = Field(min_length=1)


AnswerType = Annotated[YesNoAnswer | ChoiceAnswer | NumberAnswer | ScaleAnswer, Field(discriminator="type")]


class ScaleLevel(_Strict):
    value: StrictStr
    label: Text


class Scale(_Strict):
    id: Identifier
    title: Text
    levels: list[ScaleLevel] = Field(min_length=2)
    sources: list[SourceRef] = Field(min_length=1)


class Stage(_Strict):
    """A decision on the pathway, in order: each criterion and next step says which one it comes before."""

    id: Identifier
    label: Text = Field(description="How the stage reads in summaries, e.g. 'Before a screening test'.")
    question: Text = Field(description="The question the team answers at this stage.")
    done_when: Condition | None = Field(
        default=None, description="When the stage's decision is behind the case (the next stage is then current)."
    )


class Criterion(_Strict):
    id: Identifier
    title: Text = Field(description="Short name used in summaries.")
    stage: Identifier | None = Field(
        default=None, description="Id of the stage this item must be settled before (required when stages exist)."
    )
    question: Text
    help: Text = Field(description="How to assess it.")
    answer: AnswerType
    codes: list[Code] = Field(
        default_factory=list,
        description="Standard codes of what the question asks about (a condition, procedure, drug or observation).",
    )
    observation: StrictBool = Field(
        default=False,
        description=(
            "The answer is an observation of the patient, extracted back to the record as an Observation with the "
            "item's codes (SDC observation-based extraction); number and scale answers only."
        ),
    )
    applies_when: Condition | None = None
    obtain: Text = Field(description="What to obtain when the answer is unknown.")
    routine_answer: StrictStr | None = Field(
        default=None,
        description=(
            "The expected answer of a routine check done anyway before the item's stage (consent, baseline, "
            "no allergy, no infection). While the item is unanswered and carries no note, the rules read it as "
            "this answer and it is listed as work before the stage, never as a decisive unknown. An answer of "
            "Unknown, or a note, makes it an open question again. Omit it for items that are part of the "
            "indication: open, they are decisive whenever an answer could change a step."
        ),
    )
    rationale: Text
    sources: list[SourceRef] = Field(min_length=1)


class Section(_Strict):
    id: Identifier
    title: Text
    description: StrictStr | None = None
    criteria: list[Criterion] = Field(min_length=1)


class NextStep(_Strict):
    id: Identifier
    stage: Identifier | None = Field(
        default=None, description="Id of the stage whose decision this step serves (required when stages exist)."
    )
    when: Condition
    step: Text
    while_unknown: Text | None = Field(
        default=None,
        description=(
            "Shown instead of 'step' while the rule turns only on unknown items; the names of the items that "
            "could change it follow this text."
        ),
    )
    sources: list[SourceRef] = Field(default_factory=list)


class Departure(_Strict):
    """When a team decision departs from what the criteria point to (it then needs its reasons)."""

    id: Identifier
    outcomes: list[Outcome] = Field(min_length=1, description="The team decisions this rule is about.")
    stage: Identifier | None = Field(
        default=None,
        description="Id of the stage the rule reads from (the meeting's question); findings and unanswered items "
        "of later stages do not count. Required when stages exist.",
    )
    when: Condition = Field(description="While this holds, a decision with one of the outcomes departs.")
    says: Text = Field(description="Why it departs, in words; the findings and gaps that make it hold follow.")


class ItemMigration(_Strict):
    """How the answers of one item of an earlier version read in the next one."""

    values: dict[StrictStr, StrictStr | None] = Field(
        default_factory=dict,
        description=(
            "Earlier answer -> the answer with the same meaning now; null when none has it (the item is then "
            "left unanswered, with a note naming the earlier answer, never dropped silently). Answers not listed "
            "keep their value."
        ),
    )
    into: list[Identifier] = Field(
        default_factory=list,
        description="The items the answer now belongs to (a rename or a split); empty: the same item.",
    )


class Migration(_Strict):
    """What an answers file or a stored case of an earlier version becomes in the next version."""

    from_: StrictStr = Field(alias="from", pattern=r"^\d+\.\d+(\.\d+)?$")
    to: StrictStr = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    note: Text = Field(description="What changed, in words, for the person whose answers are read across.")
    answers: dict[Identifier, ItemMigration] = Field(default_factory=dict)


class CriteriaSet(_Strict):
    id: Identifier
    title: Text
    version: StrictStr = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    review_date: dt.date = Field(strict=False)
    description: StrictStr | None = None
    notice: Text = Field(description="The decision-support notice shown with every result.")
    sources: list[Source] = Field(min_length=1)
    stages: list[Stage] = Field(default_factory=list, description="The decisions of the pathway, in order.")
    scales: list[Scale] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    next_steps: list[NextStep] = Field(min_length=1)
    departures: list[Departure] = Field(
        default_factory=list,
        description="When the team's decision departs from what the criteria point to, so that it needs reasons.",
    )
    migrations: list[Migration] = Field(
        default_factory=list,
        description="How answers recorded under earlier versions read in this one, one version to the next.",
    )

    _criteria: dict[str, Criterion] = PrivateAttr(default_factory=dict)
    _sources: dict[str, Source] = PrivateAttr(default_factory=dict)
    _scales: dict[str, Scale] = PrivateAttr(default_factory=dict)
    _stages: dict[str, Stage] = PrivateAttr(default_factory=dict)
    _sha256: str = PrivateAttr(default="")
    _memo: dict[str, Any] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._criteria = {c.id: c for c in self.iter_criteria()}
        self._sources = {s.id: s for s in self.sources}
        self._scales = {s.id: s for s in self.scales}
        self._stages = {s.id: s for s in self.stages}
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        self._sha256 = hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def iter_criteria(self) -> Iterator[Criterion]:
        for section in self.sections:
            yield from section.criteria

    @property
    def criteria_by_id(self) -> dict[str, Criterion]:
        return self._criteria

    @property
    def sources_by_id(self) -> dict[str, Source]:
        return self._sources

    @property
    def scales_by_id(self) -> dict[str, Scale]:
        return self._scales

    @property
    def stages_by_id(self) -> dict[str, Stage]:
        return self._stages

    def stage_order(self, stage: str | None) -> int:
        """Position of a stage on the pathway (0 for a set without stages, or an undeclared id)."""
        for i, declared in enumerate(self.stages):
            if declared.id == stage:
                return i
        return 0

    def memo(self, key: str, factory: Callable[[CriteriaSet], T]) -> T:
        """Derived data computed once per set (the set is immutable), such as the engine's plan."""
        if key not in self._memo:
            self._memo[key] = factory(self)
        return self._memo[key]  # type: ignore[no-any-return]

    @property
    def sha256(self) -> str:
        """Hash of the canonical content: the same criteria give the same hash whatever the YAML layout."""
        return self._sha256
