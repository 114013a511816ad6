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

The functions at the end change a worksheet the way the ward does (choose the definition, give a
dose, record a time point or an adverse event, confirm): each returns a new worksheet and refuses a
change that would rewrite history silently, such as choosing another definition after the first
dose without a reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

from candidacy.criteria.yamlsource import Located, PathKey
from candidacy.errors import Problem, WorksheetError
from candidacy.identity import Identity
from candidacy.screening.protocol import OutcomeId, Protocol

__all__ = [
    "AdverseEventEntry",
    "Amendment",
    "Confirmation",
    "DoseEntry",
    "GoalRating",
    "Person",
    "Plan",
    "TimePoint",
    "Worksheet",
    "WorksheetError",
    "add_adverse_event",
    "check_worksheet",
    "choose_definition",
    "confirm",
    "give_dose",
    "mark_given",
    "new_worksheet",
    "prepare_dose",
    "rate_goals",
    "record_time_point",
    "reopen",
    "worksheet_faults",
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


# -- checking a worksheet against its protocol ----------------------------------------------------


def worksheet_faults(protocol: Protocol, ws: Worksheet) -> list[tuple[PathKey, str]]:
    """Everything in the worksheet its protocol does not allow; each fault is (where, message)."""
    faults: list[tuple[PathKey, str]] = []
    if ws.protocol != protocol.id:
        return [(("protocol",), f"the worksheet is for protocol '{ws.protocol}', not '{protocol.id}'")]
    if ws.protocol_version != protocol.version:
        faults.append(
            (("protocol_version",), f"written for version {ws.protocol_version}; the protocol is {protocol.version}")
        )
    faults += _plan_faults(protocol, ws)
    groups = {g.id for g in protocol.tone.muscle_groups}
    tone_levels = {level.value for level in protocol.tone.levels}
    levels = ", ".join(level.value for level in protocol.tone.levels)
    spasm_levels = {level.value for level in protocol.spasms.levels}
    functions = {f.id: {level.value for level in f.levels} for f in protocol.function.items}
    vitals = {v.id: v for v in protocol.vital_signs.items}
    events = {a.id for a in protocol.adverse_events.items}
    times = protocol.observation.times_hours
    walk = protocol.function.timed_walk
    for d, dose in enumerate(ws.doses):
        here: PathKey = ("doses", d)
        if (dose.given_at is None) != (dose.given_by is None):
            faults.append(((*here, "given_at"), "given_at and given_by are recorded together"))
        if dose.given_at is None and d < len(ws.doses) - 1:
            faults.append(((*here, "given_at"), "only the last dose can be waiting to be given"))
        allowed = {ws.plan.start_dose, *(s.micrograms for s in protocol.dosing.sequence)}
        if dose.micrograms not in allowed:
            faults.append(((*here, "micrograms"), f"{dose.micrograms} micrograms is not a dose of the protocol"))
        hours: set[int] = set()
        for t, point in enumerate(dose.observations):
            at: PathKey = (*here, "observations", t)
            if point.hour not in times:
                faults.append(((*at, "hour"), f"{point.hour} h is not an observation time ({_hours(times)})"))
            if point.hour in hours:
                faults.append(((*at, "hour"), f"{point.hour} h is recorded twice for this dose"))
            hours.add(point.hour)
            if dose.given_at is None:
                if point.hour > 0:
                    faults.append(
                        ((*at, "hour"), "the dose is not recorded as given yet; only the baseline can be measured")
                    )
            elif point.hour == 0 and point.at > dose.given_at:
                faults.append(((*at, "at"), "the baseline is measured before the dose is given"))
            elif point.hour > 0 and point.at < dose.given_at:
                faults.append(((*at, "at"), "this time point is dated before the dose was given"))
            for group, sides in point.tone.items():
                if group not in groups:
                    faults.append(((*at, "tone", group), f"unknown muscle group '{group}'"))
                for side, value in sides.items():
                    if value not in tone_levels:
                        faults.append(((*at, "tone", group, side), f"'{value}' is not a level ({levels})"))
            if point.spasms is not None and point.spasms not in spasm_levels:
                faults.append(((*at, "spasms"), f"'{point.spasms}' is not a level ({', '.join(sorted(spasm_levels))})"))
            for item, value in point.function.items():
                if item not in functions:
                    faults.append(((*at, "function", item), f"unknown function '{item}'"))
                elif value not in functions[item]:
                    faults.append(
                        ((*at, "function", item), f"'{value}' is not a level of {item} ({', '.join(functions[item])})")
                    )
            if point.walk_seconds is not None and not walk.min <= point.walk_seconds <= walk.max:
                faults.append(((*at, "walk_seconds"), f"must be between {walk.min:g} and {walk.max:g} {walk.unit}"))
            for name, number in point.vitals.items():
                vital = vitals.get(name)
                if vital is None:
                    faults.append(((*at, "vitals", name), f"unknown vital sign '{name}'"))
                elif not vital.min <= number <= vital.max:
                    faults.append(
                        ((*at, "vitals", name), f"must be between {vital.min:g} and {vital.max:g} {vital.unit}")
                    )
        for e, entry in enumerate(dose.adverse_events):
            if entry.event not in events:
                faults.append(((*here, "adverse_events", e, "event"), f"unknown adverse event '{entry.event}'"))
        for g, rating in enumerate(dose.goals):
            if rating.goal >= len(ws.plan.goals):
                faults.append(((*here, "goals", g, "goal"), f"the plan has no goal number {rating.goal}"))
    return faults


def _plan_faults(protocol: Protocol, ws: Worksheet) -> list[tuple[PathKey, str]]:
    faults: list[tuple[PathKey, str]] = []
    plan = ws.plan
    definitions = {d.id for d in protocol.definitions}
    if plan.definition is not None and plan.definition not in definitions:
        faults.append(
            (("plan", "definition"), f"unknown definition '{plan.definition}' ({', '.join(sorted(definitions))})")
        )
    if plan.definition is not None and (plan.chosen_by is None or plan.chosen_at is None):
        faults.append((("plan", "definition"), "the choice needs chosen_by and chosen_at"))
    started = ws.started
    if started is not None:
        if plan.definition is None:
            faults.append(
                (("plan", "definition"), "a dose is recorded but no response definition was chosen before it")
            )
        elif plan.chosen_at is not None and plan.chosen_at > started:
            faults.append(
                (
                    ("plan", "chosen_at"),
                    "the response definition was chosen after the first dose; choose it before, or record the "
                    "change under plan.amendments with a reason",
                )
            )
    changes = [a for a in plan.amendments if a.field == "definition"]
    if changes and changes[-1].new != plan.definition:
        faults.append((("plan", "amendments"), "the last recorded change of definition does not match plan.definition"))
    groups = {g.id for g in protocol.tone.muscle_groups}
    for index, group in enumerate(plan.muscle_groups):
        if group not in groups:
            faults.append((("plan", "muscle_groups", index), f"unknown muscle group '{group}'"))
    low = protocol.dosing.low_start
    first = protocol.dosing.sequence[0].micrograms
    if plan.start_dose not in (first, low.micrograms):
        faults.append(
            (("plan", "start_dose"), f"the first dose is {first} micrograms, or {low.micrograms} with a reason")
        )
    if plan.start_dose == low.micrograms and plan.low_start_reason not in {r.id for r in low.considered_for}:
        reasons = ", ".join(r.id for r in low.considered_for)
        faults.append(
            (("plan", "low_start_reason"), f"a {low.micrograms} microgram first dose needs a reason ({reasons})")
        )
    return faults


def _hours(times: list[int]) -> str:
    return ", ".join(f"{t} h" for t in times)


def check_worksheet(protocol: Protocol, ws: Worksheet, located: Located | None = None) -> Worksheet:
    """Raise a WorksheetError naming file, line and field of everything that does not fit."""
    faults = worksheet_faults(protocol, ws)
    if not faults:
        return ws
    if located is None:
        raise WorksheetError([Problem(message, path=".".join(map(str, path))) for path, message in faults])
    problems = [located.problem(path, message) for path, message in faults]
    raise WorksheetError(sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))


# -- changing a worksheet the way the ward does ---------------------------------------------------


def new_worksheet(protocol: Protocol, label: str = "", case_id: int | None = None) -> Worksheet:
    return Worksheet(
        protocol=protocol.id,
        protocol_version=protocol.version,
        case=WorksheetCase(label=label, case_id=case_id),
        plan=Plan(start_dose=protocol.dosing.sequence[0].micrograms),
    )


def _open(ws: Worksheet) -> Worksheet:
    if ws.confirmation is not None:
        raise WorksheetError("the outcome is confirmed; reopen the worksheet with a reason to change it")
    return ws.model_copy(deep=True)


def choose_definition(
    protocol: Protocol, ws: Worksheet, definition: str, by: Identity, at: dt.datetime, reason: str = ""
) -> Worksheet:
    """Choose the response definition: freely before the first dose, afterwards only with a reason."""
    if definition not in {d.id for d in protocol.definitions}:
        raise WorksheetError(f"unknown definition '{definition}'")
    changed = _open(ws)
    plan = changed.plan
    if plan.definition == definition:
        return changed
    if changed.started is None:
        plan.definition, plan.chosen_by, plan.chosen_at = definition, Person.of(by), at
        return changed
    if plan.definition is None:
        raise WorksheetError("a dose is already recorded: the definition had to be chosen before it")
    if not reason.strip():
        raise WorksheetError(
            "the first dose has been given: changing the response definition now needs a reason, "
            "which is kept with the worksheet and shown with the result"
        )
    plan.amendments.append(
        Amendment(at=at, by=Person.of(by), field="definition", old=plan.definition, new=definition, reason=reason)
    )
    plan.definition = definition
    return changed


def prepare_dose(protocol: Protocol, ws: Worksheet, micrograms: int) -> Worksheet:
    """Add the next dose, not given yet, so that its baseline can be measured first."""
    if ws.plan.definition is None:
        raise WorksheetError("choose the response definition before the first dose")
    if ws.doses and ws.doses[-1].given_at is None:
        raise WorksheetError(f"dose {len(ws.doses)} has not been given yet")
    changed = _open(ws)
    changed.doses.append(DoseEntry(micrograms=micrograms))
    check_worksheet(protocol, changed)
    return changed


def mark_given(protocol: Protocol, ws: Worksheet, dose: int, by: Identity, at: dt.datetime) -> Worksheet:
    """Record that a prepared dose was given, by whom and when."""
    changed = _open(ws)
    if not 0 <= dose < len(changed.doses):
        raise WorksheetError(f"there is no dose number {dose + 1}")
    entry = changed.doses[dose]
    if entry.given_at is not None:
        raise WorksheetError(f"dose {dose + 1} is already recorded as given at {entry.given_at:%Y-%m-%d %H:%M}")
    entry.given_at, entry.given_by = at, Person.of(by)
    check_worksheet(protocol, changed)
    return changed


def give_dose(protocol: Protocol, ws: Worksheet, micrograms: int, by: Identity, at: dt.datetime) -> Worksheet:
    """Prepare and give a dose at once (when the baseline is typed afterwards from paper)."""
    changed = prepare_dose(protocol, ws, micrograms)
    return mark_given(protocol, changed, len(changed.doses) - 1, by, at)


def record_time_point(protocol: Protocol, ws: Worksheet, dose: int, point: TimePoint) -> Worksheet:
    """Put the measurements of one time point into a dose, replacing an earlier entry for that hour."""
    changed = _open(ws)
    if not 0 <= dose < len(changed.doses):
        raise WorksheetError(f"there is no dose number {dose + 1}")
    entry = changed.doses[dose]
    entry.observations = sorted([t for t in entry.observations if t.hour != point.hour] + [point], key=lambda t: t.hour)
    check_worksheet(protocol, changed)
    return changed


def add_adverse_event(protocol: Protocol, ws: Worksheet, dose: int, entry: AdverseEventEntry) -> Worksheet:
    changed = _open(ws)
    if not 0 <= dose < len(changed.doses):
        raise WorksheetError(f"there is no dose number {dose + 1}")
    changed.doses[dose].adverse_events.append(entry)
    check_worksheet(protocol, changed)
    return changed


def rate_goals(protocol: Protocol, ws: Worksheet, dose: int, ratings: dict[int, str]) -> Worksheet:
    changed = _open(ws)
    if not 0 <= dose < len(changed.doses):
        raise WorksheetError(f"there is no dose number {dose + 1}")
    changed.doses[dose].goals = [
        GoalRating.model_validate({"goal": goal, "rating": rating}) for goal, rating in sorted(ratings.items())
    ]
    check_worksheet(protocol, changed)
    return changed


def confirm(
    ws: Worksheet, outcome: OutcomeId, computed: OutcomeId, by: Identity, at: dt.datetime, comment: str = ""
) -> Worksheet:
    """The team confirms the outcome; when it differs from the computed one, a comment says why."""
    changed = _open(ws)
    if changed.plan.definition is None or not changed.doses:
        raise WorksheetError("there is nothing to confirm yet: choose a definition and record a dose")
    if outcome != computed and not comment.strip():
        raise WorksheetError(
            f"the outcome confirmed ('{outcome}') differs from the one computed ('{computed}'): say why in the comment"
        )
    changed.confirmation = Confirmation(outcome=outcome, computed=computed, by=Person.of(by), at=at, comment=comment)
    return changed


def reopen(ws: Worksheet, by: Identity, at: dt.datetime, reason: str) -> Worksheet:
    if ws.confirmation is None:
        return ws
    if not reason.strip():
        raise WorksheetError("reopening a confirmed worksheet needs a reason")
    changed = ws.model_copy(deep=True)
    assert changed.confirmation is not None
    changed.plan.amendments.append(
        Amendment(
            at=at,
            by=Person.of(by),
            field="confirmation",
            old=changed.confirmation.outcome,
            new="reopened",
            reason=reason,
        )
    )
    changed.confirmation = None
    return changed
