"""A worksheet checked against its protocol: every fault named with the field it sits in.

Measurements must use the protocol's muscle groups, levels, functions, vital signs (within range)
and adverse events; time points must be observation times, dated after the dose (the baseline
before it); the response definition must have been chosen before the first dose, or its change
recorded with a reason; a low first dose needs one of the protocol's reasons.
"""

from __future__ import annotations

from candidacy.criteria.located import Located, PathKey
from candidacy.errors import Problem
from candidacy.screening.protocol import Protocol
from candidacy.screening.worksheet import Worksheet, WorksheetError

__all__ = ["check_worksheet", "worksheet_faults"]


def worksheet_faults(protocol: Protocol, ws: Worksheet) -> list[tuple[PathKey, str]]:
    """Everything in the worksheet its protocol does not allow; each fault is (where, message)."""
    faults: list[tuple[PathKey, str]] = []
    if ws.protocol != protocol.id:
        return [(("protocol",), f"the worksheet is for protocol '{ws.protocol}', not '{protocol.id}'")]
    if not protocol.reads_version(ws.protocol_version):
        faults.append(
            (
                ("protocol_version",),
                f"written for version {ws.protocol_version}; the protocol is {protocol.version} and declares no "
                "migration from it",
            )
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
