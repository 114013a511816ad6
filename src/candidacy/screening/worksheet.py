"""The screening worksheet: the plan, every dose with its time-stamped measurements, and the outcome.

A worksheet file (YAML or JSON) reads::

    format: 1
    protocol: itb_screening
    protocol_version: "1.0.0"
    case: {label: MS-2026-014}
    plan:
      definition: mean_lower_limb_ashworth_1       # chosen BEFORE the first dose
      chosen_by: {name: Dr A. Example, role: Consultant}
      chosen_at: 2026-11-20T09:00:00+00:00
      muscle_groups: [hip_adductors, knee_extensors]
      goals: [Sits in the wheelchair for 4 hours]
    doses:
      - micrograms: 50
        given_at: 2026-11-21T08:00:00+00:00
        given_by: {name: Dr B. Example, role: Registrar}
        observations:
          - {hour: 0, at: ..., by: {...}, tone: {hip_adductors: {left: "3", right: "3"}}, spasms: "3"}

The models only; :mod:`candidacy.screening.checks` checks a worksheet against its protocol and
:mod:`candidacy.screening.ward` changes it the way the ward does.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

from candidacy.errors import WorksheetError
from candidacy.identity import Identity
from candidacy.screening.protocol import OutcomeId

__all__ = [
    "AdverseEventEntry",
    "Amendment",
    "Confirmation",
    "Correction",
    "DoseEntry",
    "GoalRating",
    "Person",
    "Plan",
    "TimePoint",
    "Worksheet",
    "WorksheetCase",
    "WorksheetError",
]

Side = Literal["left", "right"]
Name = Annotated[StrictStr, Field(min_length=1, max_length=120)]
Note = Annotated[StrictStr, Field(max_length=4000)]


def _level_text(value: Any) -> Any:
    """Scale levels are text; YAML reads an unquoted 3 as a number, so whole numbers are accepted."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


Level = Annotated[StrictStr, BeforeValidator(_level_text), Field(min_length=1, max_length=16)]
When = Annotated[dt.datetime, Field(strict=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Person(_Strict):
    """Who did something: the name and role from the acting :class:`~candidacy.identity.Identity`."""

    name: Name
    role: Annotated[StrictStr, Field(max_length=120)] = ""

    @classmethod
    def of(cls, identity: Identity) -> Person:
        return cls(name=identity.name, role=identity.role)

    def describe(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name


class Amendment(_Strict):
    """A change to the plan or the outcome after the test had started: who, when, what and why."""

    at: When
    by: Person
    field: Literal["definition", "confirmation"]
    old: StrictStr
    new: StrictStr
    reason: Annotated[StrictStr, Field(min_length=1, max_length=4000)]


class Plan(_Strict):
    definition: StrictStr | None = None
    chosen_by: Person | None = None
    chosen_at: When | None = None
    goals: list[Annotated[StrictStr, Field(min_length=1, max_length=400)]] = Field(default_factory=list, max_length=20)
    affected_side: Literal["left", "right", "both"] = "both"
    muscle_groups: list[StrictStr] = Field(default_factory=list)
    walks: bool = Field(default=False, strict=True)
    start_dose: StrictInt = 50
    low_start_reason: StrictStr | None = None
    note: Note = ""
    amendments: list[Amendment] = Field(default_factory=list)


class Correction(_Strict):
    """A value changed once a later time point existed (or the baseline after the dose): kept with why."""

    at: When
    by: Person
    measure: Annotated[StrictStr, Field(min_length=1, max_length=120)]
    old: StrictStr
    new: StrictStr | None = None  # None: the value was cleared
    reason: Annotated[StrictStr, Field(min_length=1, max_length=4000)]


class TimePoint(_Strict):
    """The measurements at one observation time of one dose."""

    hour: StrictInt
    at: When
    by: Person
    tone: dict[StrictStr, dict[Side, Level]] = Field(default_factory=dict)
    spasms: Level | None = None
    function: dict[StrictStr, StrictStr] = Field(default_factory=dict)
    walk_seconds: Annotated[float, Field(strict=False)] | None = None
    vitals: dict[StrictStr, Annotated[float, Field(strict=False)]] = Field(default_factory=dict)
    note: Note = ""
    corrections: list[Correction] = Field(default_factory=list)


class AdverseEventEntry(_Strict):
    event: StrictStr
    at: When
    by: Person
    note: Note = ""


class GoalRating(_Strict):
    goal: StrictInt = Field(ge=0)
    rating: Literal["met", "partly", "not_met"]


class DoseEntry(_Strict):
    micrograms: StrictInt
    given_at: When | None = None  # None: prepared, baseline being measured, not given yet
    given_by: Person | None = None
    observations: list[TimePoint] = Field(default_factory=list)
    adverse_events: list[AdverseEventEntry] = Field(default_factory=list)
    goals: list[GoalRating] = Field(default_factory=list)
    note: Note = ""

    def at_hour(self, hour: int) -> TimePoint | None:
        return next((t for t in self.observations if t.hour == hour), None)


class Confirmation(_Strict):
    outcome: OutcomeId
    computed: OutcomeId
    by: Person
    at: When
    comment: Note = ""


class WorksheetCase(_Strict):
    label: Annotated[StrictStr, Field(max_length=120)] = ""
    case_id: StrictInt | None = None


class Worksheet(_Strict):
    format: Literal[1] = 1
    protocol: StrictStr
    protocol_version: StrictStr
    case: WorksheetCase = Field(default_factory=WorksheetCase)
    plan: Plan = Field(default_factory=Plan)
    doses: list[DoseEntry] = Field(default_factory=list)
    confirmation: Confirmation | None = None

    @property
    def started(self) -> dt.datetime | None:
        """When the first dose was given (None before that)."""
        return self.doses[0].given_at if self.doses else None
