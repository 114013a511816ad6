"""The response definitions read from the measurements of one dose, each as a sentence and its numbers.

A mean-tone rule compares the mean Ashworth score of the chosen limbs and sides at baseline with
each observation inside its window, over the muscle-group sides measured at both times (1+ counts
as the protocol's score); the best fall is reported with its time. The tone-or-spasm rule does the
same for tone and for the Penn score and is met by either. The goal rule reads the team's ratings of
the plan's goals. "Not met" is read only once the observations the definition declares (``read_when``) exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from candidacy.screening.protocol import Definition, GoalsMet, MeanToneDrop, Protocol, ReadWhen, ToneOrSpasmDrop
from candidacy.screening.worksheet import DoseEntry, TimePoint, Worksheet

__all__ = ["Status", "judge_rule", "mean_tone", "number_text"]

Status = Literal["met", "not_met", "cannot_tell"]
Reading = tuple[Status, str, list[tuple[str, str]]]
_EPSILON = 1e-9


def number_text(value: float) -> str:
    """A score as the sentences print it: one decimal for whole numbers, up to two otherwise."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.1f}"


_n = number_text


def judge_rule(protocol: Protocol, ws: Worksheet, dose: DoseEntry, definition: Definition) -> Reading:
    """Whether ``rule`` is met by the dose's measurements: status, sentence and the numbers behind it."""
    rule, need = definition.rule, definition.read_when
    if isinstance(rule, MeanToneDrop):
        return _judge_tone(protocol, ws, dose, rule, need)
    if isinstance(rule, ToneOrSpasmDrop):
        return _judge_tone_or_spasm(protocol, ws, dose, rule, need)
    return _judge_goals(ws, dose, rule)


def _keys(protocol: Protocol, ws: Worksheet, point: TimePoint, limb: str, side: str) -> set[tuple[str, str]]:
    sides = {"left", "right"}
    if side == "affected" and ws.plan.affected_side != "both":
        sides = {ws.plan.affected_side}
    keys: set[tuple[str, str]] = set()
    for group, values in point.tone.items():
        if limb != "any" and protocol.muscle_group(group).limb != limb:
            continue
        keys |= {(group, s) for s in values if s in sides}
    return keys


def mean_tone(protocol: Protocol, point: TimePoint, keys: set[tuple[str, str]]) -> float | None:
    scores = [protocol.tone_score(point.tone[g][s]) for g, s in keys if s in point.tone.get(g, {})]
    return sum(scores) / len(scores) if scores else None


@dataclass(frozen=True)
class _Fall:
    before: float
    after: float
    hour: int
    pairs: int

    @property
    def drop(self) -> float:
        return self.before - self.after


def _tone_falls(
    protocol: Protocol, ws: Worksheet, dose: DoseEntry, limb: str, side: str, window: tuple[int, int]
) -> list[_Fall]:
    base = dose.at_hour(0)
    if base is None:
        return []
    base_keys = _keys(protocol, ws, base, limb, side)
    falls = []
    for point in dose.observations:
        if not window[0] <= point.hour <= window[1]:
            continue
        shared = base_keys & _keys(protocol, ws, point, limb, side)
        before, after = mean_tone(protocol, base, shared), mean_tone(protocol, point, shared)
        if before is not None and after is not None:
            falls.append(_Fall(before, after, point.hour, len(shared)))
    return falls


def _spasm_falls(protocol: Protocol, dose: DoseEntry, window: tuple[int, int]) -> list[_Fall]:
    base = dose.at_hour(0)
    if base is None or base.spasms is None:
        return []
    before = protocol.spasm_score(base.spasms)
    return [
        _Fall(before, protocol.spasm_score(p.spasms), p.hour, 1)
        for p in dose.observations
        if window[0] <= p.hour <= window[1] and p.spasms is not None
    ]


def _best(falls: list[_Fall]) -> _Fall | None:
    return max(falls, key=lambda f: (f.drop, -f.hour)) if falls else None


def _window_done(dose: DoseEntry, window: tuple[int, int], need: ReadWhen | None) -> bool:
    """The observations the definition needs exist inside the window (so many, one late enough), so a
    'not met' can be read; without a declared need, the window's end must have been observed."""
    if need is None:
        return any(p.hour >= window[1] for p in dose.observations)
    inside = [p.hour for p in dose.observations if window[0] <= p.hour <= window[1]]
    return len(inside) >= need.observations and any(hour >= need.reaching_hour for hour in inside)


def _still_needed(need: ReadWhen | None, to_hour: int) -> str:
    if need is None:
        return f"observations up to {to_hour} h are still to come"
    return (
        f"it is read once there are {need.observations} observations in the window, one at {need.reaching_hour} h "
        "or later"
    )


def _limb_words(limb: str, side: str, ws: Worksheet) -> str:
    where = {"lower": "lower-limb", "upper": "upper-limb", "any": "overall"}[limb]
    if side == "affected" and ws.plan.affected_side != "both":
        return f"{ws.plan.affected_side}-side {where}"
    return where


def _judge_tone(
    protocol: Protocol, ws: Worksheet, dose: DoseEntry, rule: MeanToneDrop, read: ReadWhen | None
) -> tuple[Status, str, list[tuple[str, str]]]:
    window = (rule.from_hour, rule.to_hour)
    words = _limb_words(rule.limb, rule.side, ws)
    best = _best(_tone_falls(protocol, ws, dose, rule.limb, rule.side, window))
    need = f"a fall of at least {_n(rule.at_least)} between {rule.from_hour} and {rule.to_hour} h"
    if best is None:
        return (
            "cannot_tell",
            f"The {words} Ashworth scores at baseline and after the dose are needed to read this definition ({need}).",
            [("Needed", need)],
        )
    numbers = [
        (f"Mean {words} Ashworth at baseline", _n(best.before)),
        (
            f"Lowest mean after the dose (over {best.pairs} muscle groups and sides)",
            f"{_n(best.after)} at {best.hour} h",
        ),
        ("Largest fall", _n(best.drop)),
        ("Needed", need),
    ]
    opening = (
        f"The mean {words} Ashworth score went from {_n(best.before)} at baseline to {_n(best.after)} at "
        f"{best.hour} h, a fall of {_n(best.drop)}; the chosen definition asks for at least {_n(rule.at_least)}"
    )
    if best.drop + _EPSILON >= rule.at_least:
        return "met", f"{opening}: met.", numbers
    if _window_done(dose, window, read):
        return "not_met", f"{opening}: not met.", numbers
    return "cannot_tell", f"{opening}: not met so far; {_still_needed(read, rule.to_hour)}.", numbers


def _judge_tone_or_spasm(
    protocol: Protocol, ws: Worksheet, dose: DoseEntry, rule: ToneOrSpasmDrop, read: ReadWhen | None
) -> tuple[Status, str, list[tuple[str, str]]]:
    window = (rule.from_hour, rule.to_hour)
    words = _limb_words(rule.limb, rule.side, ws)
    tone = _best(_tone_falls(protocol, ws, dose, rule.limb, rule.side, window))
    spasm = _best(_spasm_falls(protocol, dose, window))
    need = (
        f"a fall of at least {_n(rule.tone_at_least)} in the mean {words} Ashworth score or of "
        f"{_n(rule.spasm_at_least)} in the Penn spasm score, between {rule.from_hour} and {rule.to_hour} h"
    )
    if tone is None and spasm is None:
        return (
            "cannot_tell",
            f"Baseline and later tone or spasm scores are needed to read this definition ({need}).",
            [("Needed", need)],
        )
    numbers: list[tuple[str, str]] = []
    parts: list[str] = []
    if tone is not None:
        numbers += [
            (f"Mean {words} Ashworth at baseline", _n(tone.before)),
            ("Lowest mean after the dose", f"{_n(tone.after)} at {tone.hour} h (fall {_n(tone.drop)})"),
        ]
        parts.append(f"the mean {words} Ashworth score fell by {_n(tone.drop)} (to {_n(tone.after)} at {tone.hour} h)")
    else:
        parts.append(f"the {words} Ashworth score was not measured at baseline and later")
    if spasm is not None:
        numbers += [
            ("Penn spasm score at baseline", _n(spasm.before)),
            ("Lowest after the dose", f"{_n(spasm.after)} at {spasm.hour} h (fall {_n(spasm.drop)})"),
        ]
        parts.append(f"the Penn spasm score fell by {_n(spasm.drop)} (to {_n(spasm.after)} at {spasm.hour} h)")
    else:
        parts.append("the Penn spasm score was not measured at baseline and later")
    numbers.append(("Needed", need))
    met = (tone is not None and tone.drop + _EPSILON >= rule.tone_at_least) or (
        spasm is not None and spasm.drop + _EPSILON >= rule.spasm_at_least
    )
    opening = (
        f"Between {rule.from_hour} and {rule.to_hour} h, {parts[0]} and {parts[1]}; the chosen definition asks for "
        f"{_n(rule.tone_at_least)} points in either"
    )
    if met:
        return "met", f"{opening}: met.", numbers
    if _window_done(dose, window, read):
        return "not_met", f"{opening}: not met.", numbers
    return "cannot_tell", f"{opening}: not met so far; {_still_needed(read, rule.to_hour)}.", numbers


def _judge_goals(ws: Worksheet, dose: DoseEntry, rule: GoalsMet) -> tuple[Status, str, list[tuple[str, str]]]:
    goals = ws.plan.goals
    if not goals:
        return "cannot_tell", "The plan lists no goals, so a goal-based definition cannot be read.", []
    ratings = {r.goal: r.rating for r in dose.goals}
    words = {"met": "met", "partly": "partly met", "not_met": "not met"}
    numbers = [
        (f"Goal {i + 1}: {goal}", words.get(ratings.get(i, ""), "not rated yet")) for i, goal in enumerate(goals)
    ]
    rated = [ratings[i] for i in range(len(goals)) if i in ratings]
    met_count = sum(1 for r in rated if r == "met")
    summary = f"{met_count} of {len(goals)} goals rated as met after {dose.micrograms} micrograms"
    need = "every goal" if rule.require == "all" else "at least one goal"
    if (rule.require == "all" and met_count == len(goals)) or (rule.require == "any" and met_count > 0):
        return "met", f"{summary}; the chosen definition asks for {need} to be met: met.", numbers
    if len(rated) < len(goals):
        return (
            "cannot_tell",
            f"{summary}, {len(goals) - len(rated)} not rated yet; the definition asks for {need}.",
            numbers,
        )
    return "not_met", f"{summary}; the chosen definition asks for {need} to be met: not met.", numbers
