"""Per item, what does not depend on the answers: its stage and what each of its answers can do.

Worked out once per criteria set, so that each state of the answers (the engine's, and one per
possible answer in the search for decisive unknowns) only looks effects up: the finding kind and
the earliest stage each answer blocks (:class:`Effect`), one representative answer per distinct
outcome (numbers: one per band and per threshold a rule compares them with), and the items whose
applicability or conditional block turns on this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from candidacy.criteria.conditions import Condition, answer_leaves
from candidacy.criteria.kinds import KINDS_BY_ID
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.criteria.values import choices, finding_for, finding_specs

__all__ = ["NONE", "Effect", "ItemPlan", "effect_of", "item_plans"]

NONE = -1  # "blocks no stage"


@dataclass(frozen=True, slots=True)
class Effect:
    """What one answer to an item means for the pathway: its finding kind and the stage it blocks."""

    kind: str | None  # None for no finding; "missing" for unknown; "unanswered" for no answer
    blocks: int  # order of the earliest stage it blocks, or NONE
    condition: Condition | None = None  # it blocks only while this holds (the finding's ``blocks_when``)


@dataclass(frozen=True, slots=True)
class ItemPlan:
    """Per item, what does not depend on the answers: its stage and the effects its answers can have."""

    criterion: Criterion
    stage: int
    could_block: int  # earliest stage some answer could block, or NONE
    could_be: frozenset[str]  # finding kinds some answer could give
    values: tuple[str | float, ...]  # one representative answer per distinct outcome (numbers: per band)
    controls: tuple[str, ...]  # items whose applicability turns on this one (directly or through others)
    reblocks: tuple[str, ...]  # items whose conditional block (``blocks_when``) turns on this one
    order: int  # position in the set
    effects: dict[str | float | None, Effect]  # the effect of each closed answer, unknown and no answer


def item_plans(cset: CriteriaSet) -> dict[str, ItemPlan]:
    direct: dict[str, set[str]] = {}
    for c in cset.iter_criteria():
        if c.applies_when is not None:
            for leaf in answer_leaves(c.applies_when):
                direct.setdefault(leaf.criterion, set()).add(c.id)
    order = {c.id: i for i, c in enumerate(cset.iter_criteria())}

    def dependents(cid: str) -> tuple[str, ...]:
        found: set[str] = set()
        todo = list(direct.get(cid, ()))
        while todo:
            item = todo.pop()
            if item not in found:
                found.add(item)
                todo += direct.get(item, ())
        return tuple(sorted(found, key=order.__getitem__))

    # a conditional block turns on the items it tests and on whatever decides whether those apply
    controls = {c.id: dependents(c.id) for c in cset.iter_criteria()}
    reblock: dict[str, set[str]] = {}
    for c in cset.iter_criteria():
        for _, spec in finding_specs(c):
            if spec.blocks_when is not None:
                for leaf in answer_leaves(spec.blocks_when):
                    reblock.setdefault(leaf.criterion, set()).add(c.id)
    if reblock:
        for controller, controlled in controls.items():
            for cid in [cid for cid in controlled if cid in reblock]:
                reblock.setdefault(controller, set()).update(reblock[cid])

    cuts = _number_cuts(cset)
    plans = {}
    for c in cset.iter_criteria():
        values = _representatives(c, cset, cuts.get(c.id, set()))
        effects = [effect_of(cset, c, v) for v in values]
        could = min((e.blocks for e in effects if e.blocks != NONE), default=NONE)
        kinds = frozenset(e.kind for e in effects if e.kind is not None)
        known: dict[str | float | None, Effect] = {None: effect_of(cset, c, None), UNKNOWN: effect_of(cset, c, UNKNOWN)}
        if choices(c, cset) is not None:
            known.update(zip(values, effects, strict=True))
        rb = tuple(sorted(reblock.get(c.id, ()), key=order.__getitem__))
        stage = cset.stage_order(c.stage)
        plans[c.id] = ItemPlan(c, stage, could, kinds, values, controls[c.id], rb, order[c.id], known)
    return plans


def effect_of(cset: CriteriaSet, criterion: Criterion, value: str | float | None) -> Effect:
    if value is None:
        return Effect("unanswered", NONE)
    if value == UNKNOWN:
        return Effect("missing", NONE)
    spec = finding_for(criterion, cset, value)
    if spec is None:
        return Effect(None, NONE)
    if spec.blocks is not None:
        return Effect(spec.kind, cset.stage_order(spec.blocks), spec.blocks_when)
    default = KINDS_BY_ID[spec.kind].blocks_by_default
    if not default:
        return Effect(spec.kind, NONE)
    return Effect(spec.kind, cset.stage_order(criterion.stage), spec.blocks_when)


def _number_cuts(cset: CriteriaSet) -> dict[str, set[float]]:
    """Thresholds at which a number's meaning can change: its bands, and every rule comparing it."""
    cuts: dict[str, set[float]] = {}
    conditions = [s.when for s in cset.next_steps] + [s.done_when for s in cset.stages if s.done_when]
    conditions += [c.applies_when for c in cset.iter_criteria() if c.applies_when]
    conditions += [spec.blocks_when for c in cset.iter_criteria() for _, spec in finding_specs(c) if spec.blocks_when]
    for cond in conditions:
        for leaf in answer_leaves(cond):
            for bound in (leaf.at_least, leaf.below, leaf.equals):
                if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                    cuts.setdefault(leaf.criterion, set()).add(float(bound))
            for option in leaf.one_of or []:
                if isinstance(option, (int, float)):
                    cuts.setdefault(leaf.criterion, set()).add(float(option))
    return cuts


def _representatives(criterion: Criterion, cset: CriteriaSet, cuts: set[float]) -> tuple[str | float, ...]:
    options = choices(criterion, cset)
    if options is not None:
        return tuple(v for v, _ in options)
    answer = criterion.answer
    assert isinstance(answer, NumberAnswer)
    points = set(cuts)
    for band in answer.bands:
        points |= {b for b in (band.at_least, band.below) if b is not None}
    inside = sorted(p for p in points if answer.min < p <= answer.max)
    # each interval [p_i, p_i+1) is represented by its lower end; equality tests get their own point
    return tuple([answer.min, *inside])
