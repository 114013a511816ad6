"""The ward's changes to a case's screening worksheet, as data, and what each does to the worksheet.

Each change names its worksheet and carries only what the person did (a value typed at a time point
with the value they had on screen, a dose given, a definition chosen). The store applies it to the
worksheet it holds, inside its transaction, through :func:`candidacy.case.apply_change`, so a change
made from a screen that is a moment old lands on what is stored: a value someone else stored meanwhile
is a refusal (``seen``), never overwritten. Confirming the outcome freezes the worksheet (every change
but reopening it, with a reason, is then refused); what confirming also answers on the case is in
:mod:`candidacy.case.confirmation`. The ward's rules themselves stay in :mod:`candidacy.screening.ward`;
the audit lines are the worksheet's changed fields (:func:`field_changes`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from candidacy.errors import FrozenError, WorksheetError
from candidacy.identity import Identity
from candidacy.screening import ward
from candidacy.screening.cells import Value
from candidacy.screening.checks import check_worksheet
from candidacy.screening.protocol import OUTCOMES, Protocol
from candidacy.screening.result import compute_result
from candidacy.screening.worksheet import AdverseEventEntry, Person, Plan, Worksheet

__all__ = [
    "AddAdverseEvent",
    "ChooseDefinition",
    "ConfirmOutcome",
    "MarkGiven",
    "PrepareDose",
    "RateGoals",
    "ReopenWorksheet",
    "ReplaceWorksheet",
    "SetPlan",
    "SetValue",
    "WorksheetChange",
    "change_worksheet",
    "field_changes",
]


@dataclass(frozen=True)
class SetValue:
    """One value typed at a time point of a dose; ``seen``: the value the writer had on screen (a 1-tuple,
    so that an empty cell seen is told from no check at all)."""

    worksheet: int
    dose: int
    hour: int
    measure: str
    value: Value
    seen: tuple[Value] | None = None
    reason: str = ""
    action = "screening"


@dataclass(frozen=True)
class ChooseDefinition:
    worksheet: int
    definition: str
    reason: str = ""
    action = "screening"


@dataclass(frozen=True)
class SetPlan:
    """Fields of the plan as the page's widgets give them (the muscle groups, goals, start dose)."""

    worksheet: int
    fields: Mapping[str, Any]
    action = "screening"


@dataclass(frozen=True)
class PrepareDose:
    worksheet: int
    micrograms: int
    action = "screening"


@dataclass(frozen=True)
class MarkGiven:
    worksheet: int
    dose: int
    action = "screening"


@dataclass(frozen=True)
class AddAdverseEvent:
    worksheet: int
    dose: int
    event: str
    note: str = ""
    action = "screening"


@dataclass(frozen=True)
class RateGoals:
    worksheet: int
    dose: int
    ratings: Mapping[int, str]
    action = "screening"


@dataclass(frozen=True)
class ReplaceWorksheet:
    """The whole worksheet as typed elsewhere (a file, the command line), checked against the protocol."""

    worksheet: int
    content: Worksheet
    action = "screening"


@dataclass(frozen=True)
class ConfirmOutcome:
    """The team confirms the screening outcome (``outcome``: one of the protocol's outcome ids); one that
    differs from the computed outcome needs the ``comment`` that says why. The case's answers follow
    (:mod:`candidacy.case.confirmation`), in the same change."""

    worksheet: int
    outcome: str
    comment: str = ""
    action = "screening"


@dataclass(frozen=True)
class ReopenWorksheet:
    """Reopen a confirmed worksheet to change it; the reason is kept among the plan's amendments."""

    worksheet: int
    reason: str
    action = "screening"


WorksheetChange = (
    SetValue
    | ChooseDefinition
    | SetPlan
    | PrepareDose
    | MarkGiven
    | AddAdverseEvent
    | RateGoals
    | ReplaceWorksheet
    | ConfirmOutcome
    | ReopenWorksheet
)


def change_worksheet(
    protocol: Protocol, ws: Worksheet, change: WorksheetChange, by: Identity, at: dt.datetime
) -> Worksheet:
    """The worksheet after ``change`` by ``by`` at ``at`` (a new one; ``ws`` is left as it was), or a
    WorksheetError saying why the ward's rules refuse it (a FrozenError once its outcome is confirmed)."""
    if isinstance(change, ReopenWorksheet):
        return ward.reopen(ws, by, at, change.reason)
    if ws.confirmation is not None:
        if isinstance(change, ConfirmOutcome):
            raise FrozenError(f"screening worksheet {change.worksheet} is already confirmed")
        raise FrozenError(f"screening worksheet {change.worksheet} is confirmed; reopen it with a reason to change it")
    if isinstance(change, ConfirmOutcome):
        if change.outcome not in OUTCOMES:
            raise WorksheetError(f"unknown outcome '{change.outcome}' (possible: {', '.join(OUTCOMES)})")
        computed = compute_result(protocol, ws).computed
        return ward.confirm(ws, change.outcome, computed, by, at, change.comment)
    if isinstance(change, SetValue):
        return ward.set_value(
            protocol, ws, change.dose, change.hour, change.measure, change.value, by, at, change.reason, change.seen
        )
    if isinstance(change, ChooseDefinition):
        return ward.choose_definition(protocol, ws, change.definition, by, at, change.reason)
    if isinstance(change, SetPlan):
        changed = ward.open_copy(ws)
        changed.plan = Plan.model_validate({**changed.plan.model_dump(), **change.fields})
        return check_worksheet(protocol, changed)
    if isinstance(change, PrepareDose):
        return ward.prepare_dose(protocol, ws, change.micrograms)
    if isinstance(change, MarkGiven):
        return ward.mark_given(protocol, ws, change.dose, by, at)
    if isinstance(change, AddAdverseEvent):
        entry = AdverseEventEntry(event=change.event, at=at, by=Person.of(by), note=change.note)
        return ward.add_adverse_event(protocol, ws, change.dose, entry)
    if isinstance(change, RateGoals):
        return ward.rate_goals(protocol, ws, change.dose, dict(change.ratings))
    ward.open_copy(ws)  # a confirmed worksheet is changed only after reopening it
    return check_worksheet(protocol, change.content.model_copy(deep=True))


def _leaves(node: Any, path: str = "") -> dict[str, str]:
    """Every scalar of a JSON document by dotted path, for a field-by-field audit of a change."""
    if isinstance(node, dict):
        out: dict[str, str] = {}
        for key, value in node.items():
            out |= _leaves(value, f"{path}.{key}" if path else str(key))
        return out
    if isinstance(node, list):
        out = {}
        for index, value in enumerate(node):
            out |= _leaves(value, f"{path}.{_position(index, value)}")
        return out
    return {path: json.dumps(node, ensure_ascii=False) if not isinstance(node, str) else node}


def _position(index: int, value: Any) -> str:
    """A time point is named by its hour, not its place in the list: inserting an earlier time point
    never shows as every later one changing hour."""
    if isinstance(value, dict) and isinstance(value.get("hour"), int):
        return f"{value['hour']}h"
    return str(index)


def field_changes(before: Worksheet, after: Worksheet) -> list[tuple[str, str | None, str | None]]:
    """Each field the change moved, by dotted path, with its old and new text: one audit row each."""
    old = _leaves(json.loads(before.model_dump_json()))
    new = _leaves(json.loads(after.model_dump_json()))
    return [
        (key, old.get(key), new.get(key)) for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)
    ]
