"""The result of a screening worksheet: per dose, whether the team's chosen definition is met.

Every dose gets a sentence and the numbers behind it (the datasette habit of a machine clause beside
a human clause). Function lost during the test (standing, transfers, walking, a slower timed walk) is
listed on its own and never offset by a fall in tone. The outcome computed from the doses is only a
proposal for the team to confirm, and the next step is what the label's dose sequence allows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from candidacy.screening.protocol import Definition, OutcomeId, Protocol
from candidacy.screening.rules import Status, judge_rule, mean_tone
from candidacy.screening.rules import number_text as _n
from candidacy.screening.worksheet import DoseEntry, TimePoint, Worksheet

__all__ = ["DoseResult", "FunctionLoss", "ScreeningResult", "Status", "compute_result", "mean_tone", "next_dose"]

STATUS_LABELS: dict[Status, str] = {
    "met": "definition met",
    "not_met": "definition not met",
    "cannot_tell": "cannot be read yet",
}


@dataclass(frozen=True)
class FunctionLoss:
    item: str
    label: str
    baseline: str
    worst: str
    at_hour: int

    def sentence(self) -> str:
        return f"{self.label}: {self.baseline} at baseline, {self.worst} at {self.at_hour} h."


@dataclass(frozen=True)
class DoseResult:
    number: int
    micrograms: int
    given_at: dt.datetime | None
    status: Status
    sentence: str
    numbers: list[tuple[str, str]]
    function_lost: list[FunctionLoss] = field(default_factory=list)
    adverse_events: list[str] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    corrections: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class ScreeningResult:
    definition: Definition | None
    definition_sentence: str
    amendments: list[str]
    doses: list[DoseResult]
    computed: OutcomeId
    computed_label: str
    outcome_sentence: str
    next_step: str
    next_dose: int | None
    confirmed: str | None = None

    @property
    def answer_basis(self) -> str:
        """One line for the case's screening answer: what was computed and how."""
        return f"{self.computed_label}. {self.outcome_sentence}"


def _function_lost(protocol: Protocol, ws: Worksheet, dose: DoseEntry) -> list[FunctionLoss]:
    base = dose.at_hour(0)
    if base is None:
        return []
    lost: list[FunctionLoss] = []
    for item in protocol.function.items:
        before = base.function.get(item.id)
        if before is None:
            continue
        order = [level.value for level in item.levels]
        labels = {level.value: level.label.lower() for level in item.levels}
        worst: TimePoint | None = None
        for point in dose.observations:
            now = point.function.get(item.id)
            worse = point.hour > 0 and now is not None and order.index(now) > order.index(before)
            if worse and (worst is None or order.index(str(now)) > order.index(worst.function[item.id])):
                worst = point
        if worst is not None:
            lost.append(FunctionLoss(item.id, item.label, labels[before], labels[worst.function[item.id]], worst.hour))
    walk = protocol.function.timed_walk
    if base.walk_seconds is not None:
        limit = base.walk_seconds * (1 + walk.slower_by_percent / 100)
        slow = [p for p in dose.observations if p.hour > 0 and p.walk_seconds is not None and p.walk_seconds > limit]
        if slow:
            worst_walk = max(slow, key=lambda p: p.walk_seconds or 0.0)
            lost.append(
                FunctionLoss(
                    "timed_walk",
                    walk.label,
                    f"{base.walk_seconds:g} {walk.unit}",
                    f"{worst_walk.walk_seconds or 0.0:g} {walk.unit} (more than {walk.slower_by_percent:g}% slower)",
                    worst_walk.hour,
                )
            )
    return lost


def _deviations(protocol: Protocol, ws: Worksheet, index: int, dose: DoseEntry) -> list[str]:
    found: list[str] = []
    steps = protocol.dosing.steps(ws.plan.start_dose)
    expected = steps[index] if index < len(steps) else None
    if expected is None:
        found.append(f"The sequence has {len(steps)} doses; this is dose {index + 1}.")
    elif dose.micrograms != expected:
        found.append(f"Dose {index + 1} of the sequence is {expected} micrograms; {dose.micrograms} was recorded.")
    before = ws.doses[index - 1].given_at if index > 0 else None
    if before is not None and dose.given_at is not None:
        gap = (dose.given_at - before).total_seconds() / 3600
        if gap < protocol.dosing.min_interval_hours:
            found.append(
                f"Given {_n(round(gap, 1))} h after the previous dose; the protocol asks for at least "
                f"{protocol.dosing.min_interval_hours} h."
            )
    return found


def _corrections(dose: DoseEntry) -> list[str]:
    """Every value changed once it was history, with who, when and why: shown with the result, never hidden."""
    return [
        f"{'Baseline' if point.hour == 0 else f'{point.hour} h'} {c.measure}: {c.old} changed to "
        f"{c.new if c.new is not None else 'empty'} by {c.by.describe()} at {c.at:%Y-%m-%d %H:%M}. Reason: {c.reason}"
        for point in dose.observations
        for c in point.corrections
    ]


def _dose_result(protocol: Protocol, ws: Worksheet, definition: Definition, index: int, dose: DoseEntry) -> DoseResult:
    status: Status
    numbers: list[tuple[str, str]]
    if dose.given_at is None:
        status, sentence, numbers = "cannot_tell", "Not given yet; the baseline is measured first.", []
    else:
        status, sentence, numbers = judge_rule(protocol, ws, dose, definition)
    events = {a.id: a.label for a in protocol.adverse_events.items}
    return DoseResult(
        number=index + 1,
        micrograms=dose.micrograms,
        given_at=dose.given_at,
        status=status,
        sentence=f"At {dose.micrograms} micrograms: {sentence[0].lower()}{sentence[1:]}",
        numbers=numbers,
        function_lost=_function_lost(protocol, ws, dose),
        adverse_events=[
            f"{events.get(e.event, e.event)} at {e.at:%Y-%m-%d %H:%M}, noted by {e.by.describe()}"
            + (f": {e.note}" if e.note else "")
            for e in dose.adverse_events
        ],
        deviations=_deviations(protocol, ws, index, dose),
        corrections=_corrections(dose),
    )


# -- the whole worksheet --------------------------------------------------------------------------


def _deciding(doses: list[DoseResult]) -> DoseResult | None:
    """The first given dose that settles the test: function lost there (whatever the definition says)
    or the definition met."""
    return next((d for d in doses if d.given_at is not None and (d.function_lost or d.status == "met")), None)


def _outcome(protocol: Protocol, doses: list[DoseResult]) -> tuple[OutcomeId, str]:
    deciding = _deciding(doses)
    if deciding is not None and deciding.function_lost:
        lost = ", ".join(loss.label.lower() for loss in deciding.function_lost)
        reading = (
            "the chosen definition is met there"
            if deciding.status == "met"
            else f"the chosen definition reads '{deciding.status_label}' there"
        )
        return "tone_reduced_function_lost", (
            f"Function was lost at {deciding.micrograms} micrograms ({lost}); {reading}. Function lost counts "
            "whatever the definition."
        )
    if deciding is not None:
        return "positive_function_kept", (
            f"The chosen definition is met at {deciding.micrograms} micrograms, with no loss of the function measured."
        )
    if doses and doses[-1].status == "not_met" and doses[-1].micrograms >= protocol.dosing.last:
        return "no_response_100", (
            f"The chosen definition is not met at any dose up to {doses[-1].micrograms} micrograms."
        )
    if not doses:
        return "unclear", "No dose is recorded yet."
    return "unclear", "The measurements so far do not show the chosen definition met or finally not met."


def next_dose(protocol: Protocol, ws: Worksheet, doses: list[DoseResult]) -> int | None:
    """The dose the label sequence allows next: only while the outcome so far allows a larger dose (never
    after function was lost or the definition met), after a dose read as not met, before the last step."""
    if ws.plan.definition is None:
        return None
    if not doses:
        return ws.plan.start_dose
    last = doses[-1]
    if not protocol.outcome(_outcome(protocol, doses)[0]).larger_dose:
        return None
    if last.status != "not_met" or last.given_at is None:
        return None
    later = [s for s in protocol.dosing.steps(ws.plan.start_dose) if s > last.micrograms]
    return later[0] if later and last.micrograms < protocol.dosing.last else None


def _next_step(protocol: Protocol, ws: Worksheet, doses: list[DoseResult]) -> str:
    dosing = protocol.dosing
    if ws.plan.definition is None:
        return "Choose the response definition with the team before the first dose; it is recorded with the worksheet."
    if not doses:
        start = ws.plan.start_dose
        low = (
            f" (the low first dose, reason: {ws.plan.low_start_reason})" if start == dosing.low_start.micrograms else ""
        )
        return f"First dose: {start} micrograms{low}; measure the baseline before it."
    last = doses[-1]
    if last.given_at is None:
        return (
            f"Measure the baseline, then give {last.micrograms} micrograms and record the time "
            "(the team reads each later time point against that baseline)."
        )
    computed, _sentence = _outcome(protocol, doses)
    outcome = protocol.outcome(computed)
    deciding = _deciding(doses)
    if deciding is not None and computed == "tone_reduced_function_lost":
        return f"Function was lost at {deciding.micrograms} micrograms. {outcome.next_step.strip()}"
    if deciding is not None:
        return f"The chosen definition is met at {deciding.micrograms} micrograms. {outcome.next_step.strip()}"
    if computed == "no_response_100":
        return outcome.next_step.strip()
    if last.status == "cannot_tell":
        return f"Complete the measurements at {last.micrograms} micrograms before reading the response."
    nxt = next_dose(protocol, ws, doses)
    if nxt is None:
        return outcome.next_step.strip()
    earliest = last.given_at + dt.timedelta(hours=dosing.min_interval_hours)
    return (
        f"The label sequence allows {nxt} micrograms next, at least {dosing.min_interval_hours} h after the last "
        f"dose (not before {earliest:%Y-%m-%d %H:%M} UTC), if the team judges the response inadequate."
    )


def compute_result(protocol: Protocol, ws: Worksheet) -> ScreeningResult:
    """Read the worksheet against the chosen definition; pure, so the app, CLI and PDF agree."""
    plan = ws.plan
    definition = protocol.definition(plan.definition) if plan.definition else None
    amendments = [
        f"{a.at:%Y-%m-%d %H:%M}: {a.by.describe()} changed the {a.field} from '{a.old}' to '{a.new}'. "
        f"Reason: {a.reason}"
        for a in plan.amendments
    ]
    if definition is None:
        chosen = "No response definition has been chosen yet."
        doses: list[DoseResult] = []
    else:
        who = f" by {plan.chosen_by.describe()}" if plan.chosen_by else ""
        when = f" on {plan.chosen_at:%Y-%m-%d %H:%M}" if plan.chosen_at else ""
        chosen = f"Definition chosen{who}{when}: {definition.label}."
        doses = [_dose_result(protocol, ws, definition, i, d) for i, d in enumerate(ws.doses)]
    computed, sentence = _outcome(protocol, doses)
    confirmed = None
    if ws.confirmation is not None:
        c = ws.confirmation
        confirmed = (
            f"Confirmed by {c.by.describe()} on {c.at:%Y-%m-%d %H:%M}: {protocol.outcome(c.outcome).label}"
            + ("" if c.outcome == c.computed else f" (computed: {protocol.outcome(c.computed).label})")
            + (f". Comment: {c.comment}" if c.comment else ".")
        )
    return ScreeningResult(
        definition=definition,
        definition_sentence=chosen,
        amendments=amendments,
        doses=doses,
        computed=computed,
        computed_label=protocol.outcome(computed).label,
        outcome_sentence=sentence,
        next_step=_next_step(protocol, ws, doses),
        next_dose=next_dose(protocol, ws, doses),
        confirmed=confirmed,
    )
