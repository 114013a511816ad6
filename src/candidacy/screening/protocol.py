"""The screening-test protocol as strict models: what ``criteria/screening/*.yaml`` may say.

A protocol names the criteria set and the item whose answer the confirmed outcome becomes, the
label's dose sequence, the observation times, what is measured (tone per muscle group and side,
spasms, function, vital signs), the adverse events to watch, the response definitions a team may
choose, and how each outcome maps onto an answer of the criteria set. Cross checks that need the
whole protocol (ids, references, order) live in :mod:`candidacy.screening.protocol_checks`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StrictBool, StrictFloat, StrictInt, StrictStr

from candidacy.criteria.located import PathKey
from candidacy.criteria.models import Identifier, Source, SourceRef, Text

__all__ = [
    "OUTCOMES",
    "Definition",
    "GoalsMet",
    "MeanToneDrop",
    "OutcomeId",
    "OutcomeMap",
    "Protocol",
    "ReadWhen",
    "ToleratedDose",
    "ToneOrSpasmDrop",
]

#: What the screening test can show, in the order the team considers them. The protocol maps each
#: onto an answer of the criteria set's screening item.
OutcomeId = Literal["positive_function_kept", "tone_reduced_function_lost", "no_response_100", "unclear"]
OUTCOMES: tuple[OutcomeId, ...] = ("positive_function_kept", "tone_reduced_function_lost", "no_response_100", "unclear")

Limb = Literal["lower", "upper", "any"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Dose(_Strict):
    micrograms: StrictInt = Field(gt=0, le=1000)
    volume_ml: StrictFloat = Field(gt=0, le=20)


class LowStartReason(_Strict):
    id: Identifier
    label: Text
    sources: list[SourceRef] = Field(min_length=1)


class LowStart(Dose):
    considered_for: list[LowStartReason] = Field(min_length=1)


class Dosing(_Strict):
    sequence: list[Dose] = Field(min_length=1)
    min_interval_hours: StrictInt = Field(ge=1, le=168)
    how: Text
    low_start: LowStart
    sources: list[SourceRef] = Field(min_length=1)

    def steps(self, start: int) -> list[int]:
        """The doses in order from ``start``: the label sequence, after the low first dose if chosen."""
        doses = [d.micrograms for d in self.sequence]
        return [start, *doses] if start == self.low_start.micrograms else doses

    @property
    def last(self) -> int:
        return self.sequence[-1].micrograms


class Observation(_Strict):
    times_hours: list[StrictInt] = Field(min_length=2)
    note: Text
    sources: list[SourceRef] = Field(min_length=1)


class Level(_Strict):
    value: StrictStr = Field(min_length=1, max_length=16)
    score: StrictFloat
    label: Text


class MuscleGroup(_Strict):
    id: Identifier
    label: Text
    limb: Literal["lower", "upper"]


class Tone(_Strict):
    title: Text
    levels: list[Level] = Field(min_length=2)
    scoring_note: Text
    muscle_groups: list[MuscleGroup] = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)


class Spasms(_Strict):
    title: Text
    levels: list[Level] = Field(min_length=2)
    sources: list[SourceRef] = Field(min_length=1)


class FunctionLevel(_Strict):
    value: Identifier
    label: Text


class FunctionItem(_Strict):
    """An ability with levels from best to worst; a later level than baseline is function lost."""

    id: Identifier
    label: Text
    walkers_only: StrictBool = False
    levels: list[FunctionLevel] = Field(min_length=2)


class TimedWalk(_Strict):
    label: Text
    unit: Text
    min: StrictFloat
    max: StrictFloat
    slower_by_percent: StrictFloat = Field(gt=0, le=1000)
    note: Text


class Function(_Strict):
    items: list[FunctionItem] = Field(min_length=1)
    timed_walk: TimedWalk
    note: Text
    sources: list[SourceRef] = Field(min_length=1)


class VitalSign(_Strict):
    id: Identifier
    label: Text
    unit: Text
    min: StrictFloat
    max: StrictFloat


class VitalSigns(_Strict):
    items: list[VitalSign] = Field(min_length=1)
    sources: list[SourceRef] = Field(min_length=1)


class AdverseEvent(_Strict):
    id: Identifier
    label: Text
    gives: Identifier | None = Field(
        default=None,
        description="The answer of the criteria's reaction item this event gives (for example mild_transient).",
    )


class AdverseEvents(_Strict):
    items: list[AdverseEvent] = Field(min_length=1)
    none: Identifier | None = Field(default=None, description="The reaction item's answer when no event is recorded.")
    sources: list[SourceRef] = Field(min_length=1)

    def reaction_answer(self, recorded: list[str], severity: list[str]) -> str | None:
        """The reaction item's answer for the events recorded: the most serious one's, in the item's option order
        (``severity``); ``none`` when nothing was recorded."""
        gives = {item.id: item.gives for item in self.items}
        answers = [gives[event] for event in recorded if gives.get(event)]
        if not answers:
            return self.none
        return max(answers, key=lambda answer: severity.index(answer) if answer in severity else len(severity))


class ReadWhen(_Strict):
    """When a dose can be read as 'not met': enough observations inside the window, one of them late
    enough to have seen the peak. Before that, a definition not met yet is still 'cannot be read'."""

    observations: StrictInt = Field(ge=1, le=20, description="Observations after the dose inside the window.")
    reaching_hour: StrictInt = Field(ge=1, description="At least one of them at or after this hour.")
    sources: list[SourceRef] = Field(min_length=1)


class _Window(_Strict):
    from_hour: StrictInt = Field(ge=0)
    to_hour: StrictInt = Field(ge=0)


class MeanToneDrop(_Window):
    """The mean tone score over the chosen limbs and sides falls by ``at_least`` from baseline."""

    kind: Literal["mean_tone_drop"]
    limb: Limb
    side: Literal["both", "affected"]
    at_least: StrictFloat = Field(gt=0)


class ToneOrSpasmDrop(_Window):
    """The mean tone score falls by ``tone_at_least`` or the spasm score by ``spasm_at_least``."""

    kind: Literal["tone_or_spasm_drop"]
    limb: Limb
    side: Literal["both", "affected"]
    tone_at_least: StrictFloat = Field(gt=0)
    spasm_at_least: StrictFloat = Field(gt=0)


class GoalsMet(_Strict):
    """The goals written in the plan are rated as met after the dose (all of them, or any)."""

    kind: Literal["goals_met"]
    require: Literal["all", "any"]


Rule = Annotated[MeanToneDrop | ToneOrSpasmDrop | GoalsMet, Field(discriminator="kind")]


class Definition(_Strict):
    id: Identifier
    label: Text
    description: Text
    answer: Identifier | None = Field(default=None, description="Its option in the set's definition item.")
    rule: Rule
    read_when: ReadWhen | None = Field(
        default=None, description="For a rule with a window: when a dose can be read as not met."
    )
    caveat: Text | None = None
    sources: list[SourceRef] = Field(min_length=1)


class OutcomeMap(_Strict):
    id: OutcomeId
    label: Text
    answer: Identifier = Field(description="The option of the criteria set's screening item it becomes.")
    next_step: Text = Field(description="What the protocol says comes next after this outcome.")
    larger_dose: StrictBool = Field(
        default=False, description="Whether the label's next, larger dose may follow this outcome."
    )
    sources: list[SourceRef] = Field(min_length=1)


class ToleratedDose(_Strict):
    """What a dose given without an allergic reaction settles on the checklist, when still open there."""

    item: Identifier = Field(description="The criteria set's item it answers (unanswered or 'unknown' only).")
    answer: Identifier
    unless_events: list[Identifier] = Field(default_factory=list, description="Events that say it was not tolerated.")
    note: Text
    sources: list[SourceRef] = Field(min_length=1)


class ProtocolMigration(_Strict):
    """An earlier version whose worksheets still read under this one; ``changes`` says what moved."""

    from_version: StrictStr = Field(alias="from", pattern=r"^\d+\.\d+(\.\d+)?$")
    changes: Text


class Protocol(_Strict):
    id: Identifier
    title: Text
    version: StrictStr = Field(pattern=r"^\d+\.\d+(\.\d+)?$")
    review_date: dt.date = Field(strict=False)
    criteria: Identifier = Field(description="The criteria set whose screening item the outcome answers.")
    answer_item: Identifier
    definition_item: Identifier | None = None
    reaction_item: Identifier | None = None
    description: Text
    notice: Text
    sources: list[Source] = Field(min_length=1)
    dosing: Dosing
    observation: Observation
    tone: Tone
    spasms: Spasms
    function: Function
    vital_signs: VitalSigns
    adverse_events: AdverseEvents
    definitions: list[Definition] = Field(min_length=1)
    outcomes: list[OutcomeMap] = Field(min_length=len(OUTCOMES), max_length=len(OUTCOMES))
    tolerated_dose: ToleratedDose | None = None
    migrations: list[ProtocolMigration] = Field(default_factory=list)

    _sha256: str = PrivateAttr(default="")

    def model_post_init(self, context: Any, /) -> None:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        self._sha256 = hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def sha256(self) -> str:
        return self._sha256

    def reads_version(self, version: str) -> bool:
        """Worksheets of this version, or of one a migration declares, are read under this protocol."""
        return version == self.version or any(m.from_version == version for m in self.migrations)

    def definition(self, definition_id: str) -> Definition:
        return next(d for d in self.definitions if d.id == definition_id)

    def outcome(self, outcome_id: str) -> OutcomeMap:
        return next(o for o in self.outcomes if o.id == outcome_id)

    def muscle_group(self, group_id: str) -> MuscleGroup:
        return next(g for g in self.tone.muscle_groups if g.id == group_id)

    def function_item(self, item_id: str) -> FunctionItem:
        return next(f for f in self.function.items if f.id == item_id)

    def tone_score(self, value: str) -> float:
        return next(level.score for level in self.tone.levels if level.value == value)

    def spasm_score(self, value: str) -> float:
        return next(level.score for level in self.spasms.levels if level.value == value)

    def source_refs(self) -> list[tuple[PathKey, SourceRef]]:
        """Every source reference with where it sits, for the cross check and the PDF's source list."""
        found: list[tuple[PathKey, SourceRef]] = []
        _collect(self.model_dump(), (), found)
        return found


def _collect(node: Any, path: PathKey, found: list[tuple[PathKey, SourceRef]]) -> None:
    if isinstance(node, dict):
        if set(node) == {"source", "locator", "strength"}:
            found.append((path, SourceRef.model_validate(node)))
            return
        for key, value in node.items():
            _collect(value, (*path, key), found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _collect(value, (*path, index), found)
