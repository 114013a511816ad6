"""Cross checks of the rules' conditions: what they test exists, fits its answers, and never looks ahead.

Applicability rules, next steps, departures, stage completion and conditional blocks are conditions
over answers and findings. Each test names a real item and one of its answers (or a level or
number of the right kind); a stage's rule tests only items settled by that stage or earlier, and a
finding blocks only its own stage or a later one, so answering a later item never changes what an
earlier decision rests on; and applicability never goes round in a cycle. Each check yields
:data:`~candidacy.criteria.faults.Fault` triples.
"""

from __future__ import annotations

from collections.abc import Iterator

from candidacy.criteria.conditions import AnswerIs, Blocked, Condition, Present, iter_leaves
from candidacy.criteria.faults import Fault, criterion_paths, unknown_stage
from candidacy.criteria.located import PathKey
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, FindingSpec, NumberAnswer, ScaleAnswer
from candidacy.criteria.values import blocked_stage, choices, finding_specs, level_index

__all__ = ["cycle_faults", "depends_on", "rule_condition_faults", "stage_faults"]


def _condition_faults(
    cond: Condition, path: PathKey, cset: CriteriaSet, crit: str | None, allow_present: bool
) -> Iterator[Fault]:
    for leaf_path, leaf in iter_leaves(cond):
        where = path + leaf_path
        if isinstance(leaf, Blocked):
            if not allow_present:
                yield (
                    (*where, "blocked"),
                    "'blocked' tests findings and cannot decide whether a criterion applies",
                    crit,
                )
            elif leaf.blocked not in cset.stages_by_id:
                yield (*where, "blocked"), unknown_stage(cset, leaf.blocked), crit
            continue
        if isinstance(leaf, Present):
            if not allow_present:
                yield (
                    (*where, "present"),
                    "'present' tests findings and cannot decide whether a criterion applies",
                    crit,
                )
            continue
        yield from _answer_is_faults(leaf, where, cset, crit)


def _answer_is_faults(leaf: AnswerIs, where: PathKey, cset: CriteriaSet, crit: str | None) -> Iterator[Fault]:
    target = cset.criteria_by_id.get(leaf.criterion)
    if target is None:
        yield (*where, "criterion"), f"unknown criterion '{leaf.criterion}'", crit
        return
    allowed = choices(target, cset)
    if leaf.equals is not None or leaf.one_of is not None:
        key = "equals" if leaf.equals is not None else "one_of"
        values = [leaf.equals] if leaf.equals is not None else list(leaf.one_of or [])
        for i, value in enumerate(values):
            vpath = where + ((key,) if key == "equals" else (key, i))
            if value == UNKNOWN:
                continue
            if allowed is None:
                if not isinstance(value, (int, float)):
                    yield vpath, f"'{target.id}' takes a number, not '{value}'", crit
            elif value not in [v for v, _ in allowed]:
                names = ", ".join(v for v, _ in allowed)
                yield vpath, f"'{value}' is not an answer of '{target.id}' (answers: {names}, unknown)", crit
        return
    key = "at_least" if leaf.at_least is not None else "below"
    bound = leaf.at_least if leaf.at_least is not None else leaf.below
    if isinstance(target.answer, NumberAnswer):
        if not isinstance(bound, (int, float)):
            yield (*where, key), f"'{target.id}' is a number; compare it with a number", crit
    elif isinstance(target.answer, ScaleAnswer):
        if not isinstance(bound, str) or level_index(target, cset, bound) is None:
            yield (
                (*where, key),
                f"'{bound}' is not a level of the scale of '{target.id}' (quote levels such as '1+')",
                crit,
            )
    else:
        yield (*where, key), f"'{key}' needs a number or scale criterion; '{target.id}' is neither", crit


def rule_condition_faults(cset: CriteriaSet) -> Iterator[Fault]:
    for path, c in criterion_paths(cset):
        if c.applies_when is not None:
            yield from _condition_faults(c.applies_when, (*path, "applies_when"), cset, c.id, allow_present=False)
    for i, step in enumerate(cset.next_steps):
        yield from _condition_faults(step.when, ("next_steps", i, "when"), cset, None, allow_present=True)
    for i, rule in enumerate(cset.departures):
        yield from _condition_faults(rule.when, ("departures", i, "when"), cset, None, allow_present=True)
    for i, stage in enumerate(cset.stages):
        if stage.done_when is not None:
            yield from _condition_faults(stage.done_when, ("stages", i, "done_when"), cset, None, allow_present=False)


def stage_faults(cset: CriteriaSet) -> Iterator[Fault]:
    """Stages are one vocabulary: every item and step names a declared one, and nothing looks ahead.

    A step or an applicability rule may test only items settled by its own stage or earlier, and a
    finding may block only its criterion's stage or a later one: so answering a later-stage item can
    never change what an earlier decision rests on.
    """
    declared = cset.stages_by_id
    for path, c in criterion_paths(cset):
        if c.stage is None:
            if declared:
                yield path, "required key 'stage' is missing (the set declares stages)", c.id
        elif c.stage not in declared:
            yield (*path, "stage"), unknown_stage(cset, c.stage), c.id
        for spath, spec in finding_specs(c):
            if spec.blocks_when is not None:
                yield from _blocks_when(cset, c, spec, spec.blocks_when, (*path, "answer", *spath, "blocks_when"))
            if spec.blocks is None:
                continue
            where = (*path, "answer", *spath, "blocks")
            if spec.blocks not in declared:
                yield where, unknown_stage(cset, spec.blocks), c.id
            elif c.stage in declared and cset.stage_order(spec.blocks) < cset.stage_order(c.stage):
                yield where, f"a finding of a '{c.stage}' item cannot block the earlier stage '{spec.blocks}'", c.id
        if c.applies_when is not None and c.stage in declared:
            yield from _looks_ahead(cset, c.applies_when, (*path, "applies_when"), c.stage, c.id)
    rules = [("next_steps", i, step.stage, step.when) for i, step in enumerate(cset.next_steps)]
    rules += [("departures", i, rule.stage, rule.when) for i, rule in enumerate(cset.departures)]
    for group, i, stage, when in rules:
        path = (group, i)
        if stage is None:
            if declared:
                yield path, "required key 'stage' is missing (the set declares stages)", None
        elif stage not in declared:
            yield (*path, "stage"), unknown_stage(cset, stage), None
        else:
            yield from _looks_ahead(cset, when, (*path, "when"), stage, None)


def _blocks_when(
    cset: CriteriaSet, c: Criterion, spec: FindingSpec, cond: Condition, where: PathKey
) -> Iterator[Fault]:
    """A conditional block tests other items' answers, of its blocked stage or earlier, and blocks something."""
    stage = blocked_stage(cset, c, spec)
    if stage is None:
        yield where, f"a {spec.kind} blocks nothing unless 'blocks' names a stage, so 'blocks_when' has no effect", c.id
        return
    yield from _condition_faults(cond, where, cset, c.id, allow_present=False)
    yield from _looks_ahead(cset, cond, where, stage.id, c.id)
    for leaf_path, leaf in iter_leaves(cond):
        if isinstance(leaf, AnswerIs) and leaf.criterion == c.id:
            yield (*where, *leaf_path, "criterion"), "a finding's 'blocks_when' cannot test its own item", c.id


def _looks_ahead(cset: CriteriaSet, cond: Condition, path: PathKey, stage: str, crit: str | None) -> Iterator[Fault]:
    for leaf_path, leaf in iter_leaves(cond):
        if isinstance(leaf, AnswerIs):
            target = cset.criteria_by_id.get(leaf.criterion)
            if target is None or target.stage not in cset.stages_by_id:
                continue
            key = "criterion"
        elif isinstance(leaf, Blocked) and leaf.blocked in cset.stages_by_id:
            target, key = None, "blocked"
        else:
            continue
        later = target.stage if target is not None else leaf.blocked  # type: ignore[union-attr]
        if cset.stage_order(later) > cset.stage_order(stage):
            what = f"'{leaf.criterion}' is settled" if isinstance(leaf, AnswerIs) else "that stage comes"
            yield (
                (*path, *leaf_path, key),
                f"a '{stage}' rule cannot test a later stage: {what} before '{later}'",
                crit,
            )


def depends_on(criterion: Criterion) -> list[str]:
    if criterion.applies_when is None:
        return []
    return [leaf.criterion for _, leaf in iter_leaves(criterion.applies_when) if isinstance(leaf, AnswerIs)]


def cycle_faults(cset: CriteriaSet) -> Iterator[Fault]:
    paths = {c.id: path for path, c in criterion_paths(cset)}
    graph = {c.id: [d for d in depends_on(c) if d in cset.criteria_by_id] for c in cset.iter_criteria()}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> Iterator[Fault]:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, []):
            if state.get(dep) == 1:
                cycle = [*stack[stack.index(dep) :], dep]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    yield paths[node] + ("applies_when",), "applies_when forms a cycle: " + " -> ".join(cycle), node
            elif state.get(dep) is None:
                yield from visit(dep, stack)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            yield from visit(node, [])
