"""Changing a worksheet the way the ward does: choose the definition, prepare and give a dose,
record a value at its time point, an adverse event or the goals, confirm the outcome, reopen.

Each function returns a new worksheet, checked against the protocol, and refuses a change that
would rewrite history silently: another definition after the first dose needs a reason (kept as an
amendment and printed with every result), a confirmed worksheet changes only after reopening with a
reason, and an outcome other than the computed one needs a comment.
"""

from __future__ import annotations

import datetime as dt

from candidacy.identity import Identity
from candidacy.screening.cells import Value, cell_text, read_cell, write_cell
from candidacy.screening.checks import check_worksheet
from candidacy.screening.protocol import OutcomeId, Protocol
from candidacy.screening.worksheet import (
    AdverseEventEntry,
    Amendment,
    Confirmation,
    Correction,
    DoseEntry,
    GoalRating,
    Person,
    Plan,
    TimePoint,
    Worksheet,
    WorksheetCase,
    WorksheetError,
)

__all__ = [
    "add_adverse_event",
    "choose_definition",
    "confirm",
    "give_dose",
    "mark_given",
    "needs_reason",
    "new_worksheet",
    "open_copy",
    "prepare_dose",
    "rate_goals",
    "reopen",
    "set_value",
]


def new_worksheet(protocol: Protocol, label: str = "", case_id: int | None = None) -> Worksheet:
    return Worksheet(
        protocol=protocol.id,
        protocol_version=protocol.version,
        case=WorksheetCase(label=label, case_id=case_id),
        plan=Plan(start_dose=protocol.dosing.sequence[0].micrograms),
    )


def open_copy(ws: Worksheet) -> Worksheet:
    """A copy of the worksheet to change; refused once the outcome is confirmed (reopen it first)."""
    if ws.confirmation is not None:
        raise WorksheetError("the outcome is confirmed; reopen the worksheet with a reason to change it")
    return ws.model_copy(deep=True)


def choose_definition(
    protocol: Protocol, ws: Worksheet, definition: str, by: Identity, at: dt.datetime, reason: str = ""
) -> Worksheet:
    """Choose the response definition: freely before the first dose, afterwards only with a reason."""
    if definition not in {d.id for d in protocol.definitions}:
        raise WorksheetError(f"unknown definition '{definition}'")
    changed = open_copy(ws)
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
    changed = open_copy(ws)
    changed.doses.append(DoseEntry(micrograms=micrograms))
    check_worksheet(protocol, changed)
    return changed


def mark_given(protocol: Protocol, ws: Worksheet, dose: int, by: Identity, at: dt.datetime) -> Worksheet:
    """Record that a prepared dose was given, by whom and when."""
    changed = open_copy(ws)
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


def needs_reason(ws: Worksheet, dose: int, hour: int) -> bool:
    """Whether changing a value already at ``hour`` is a correction: the baseline once the dose is given,
    any time point once a later one exists."""
    entry = ws.doses[dose]
    later = any(t.hour > hour for t in entry.observations)
    return later or (hour == 0 and entry.given_at is not None)


def set_value(
    protocol: Protocol,
    ws: Worksheet,
    dose: int,
    hour: int,
    measure: str,
    value: Value,
    by: Identity,
    at: dt.datetime,
    reason: str = "",
    seen: tuple[Value] | None = None,
) -> Worksheet:
    """Store one value at the time point and measure it was typed in; nothing else moves.

    The first value typed at a time point stamps it (a baseline never later than the dose, a later
    time never before it). Changing a measurement already there once it is history (see
    :func:`needs_reason`) needs a reason and is kept as a correction beside the value. With ``seen``
    (the value the writer had on screen), a value someone else stored meanwhile is never overwritten."""
    changed = open_copy(ws)
    if not 0 <= dose < len(changed.doses):
        raise WorksheetError(f"there is no dose number {dose + 1}")
    entry = changed.doses[dose]
    if hour not in protocol.observation.times_hours:
        raise WorksheetError(f"{hour} h is not an observation time of the protocol")
    if hour > 0 and entry.given_at is None:
        raise WorksheetError(f"dose {dose + 1} is not recorded as given yet; only the baseline can be measured")
    point = entry.at_hour(hour)
    if point is None:
        stamp = at
        if entry.given_at is not None:
            stamp = min(at, entry.given_at) if hour == 0 else max(at, entry.given_at)
        point = TimePoint(hour=hour, at=stamp, by=Person.of(by))
    old = read_cell(point, measure)
    if seen is not None and seen[0] != old:
        raise WorksheetError(
            f"{_cell_name(hour, measure)} was changed to '{cell_text(old)}' by someone else after you saw "
            f"'{cell_text(seen[0])}'; nothing was overwritten, look again"
        )
    updated = write_cell(point, measure, value)
    new = read_cell(updated, measure)
    if new == old:
        return changed
    if old is not None and measure != "note" and needs_reason(changed, dose, hour):
        if not reason.strip():
            raise WorksheetError(
                f"{_cell_name(hour, measure)} was {cell_text(old)} and later measurements exist: a correction needs "
                "a reason, kept beside the value"
            )
        updated.corrections.append(
            Correction(
                at=at,
                by=Person.of(by),
                measure=measure,
                old=cell_text(old),
                new=None if new is None else cell_text(new),
                reason=reason,
            )
        )
    entry.observations = sorted([t for t in entry.observations if t.hour != hour] + [updated], key=lambda t: t.hour)
    check_worksheet(protocol, changed)
    return changed


def _cell_name(hour: int, measure: str) -> str:
    return f"the baseline of {measure}" if hour == 0 else f"the {hour} h value of {measure}"


def add_adverse_event(protocol: Protocol, ws: Worksheet, dose: int, entry: AdverseEventEntry) -> Worksheet:
    changed = open_copy(ws)
    if not 0 <= dose < len(changed.doses):
        raise WorksheetError(f"there is no dose number {dose + 1}")
    changed.doses[dose].adverse_events.append(entry)
    check_worksheet(protocol, changed)
    return changed


def rate_goals(protocol: Protocol, ws: Worksheet, dose: int, ratings: dict[int, str]) -> Worksheet:
    changed = open_copy(ws)
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
    changed = open_copy(ws)
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
