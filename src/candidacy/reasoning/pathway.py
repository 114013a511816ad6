"""The pathway: next steps by stage, and the unknowns that could change them (decisive unknowns).

For every stage (screening test, then implantation, as the criteria set declares them) a step's
rule is evaluated in three-valued logic: it holds, it does not, or it turns on items not yet known.
An unknown or unanswered item is *decisive* for a step when some possible answer to it (every
option; numbers at each threshold the criteria use) would change that rule's value. Items that
cannot change any step of a stage do not hold up that stage: the step says what the criteria point
to now, or, while it still turns on decisive items, "... once these are known: X, Y". Routine checks
not yet documented are not open (the state reads them as their expected answer, see
:mod:`candidacy.reasoning.engine`), so they are never decisive; they are listed as work before the
stage. Once something stands in the way of the current stage, only an unknown that could undo a step
already given is decisive: one that could only add a further step does not change the answer.

Decisive unknowns are ranked: those with an answer that would stand in the way of the current stage
first, then those that would change how it is done; within each, items answered Unknown (the
referral raised them) before unanswered ones, then the set's order. Each has a line saying which
answer would change what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from candidacy.criteria.conditions import (
    AnswerIs,
    Blocked,
    Present,
    answer_leaves,
    iter_leaves,
)
from candidacy.criteria.models import UNKNOWN, CriteriaSet, NextStep
from candidacy.criteria.values import answer_label
from candidacy.reasoning.assessment import CitedSource, DecisiveUnknown, NextStepResult, StageSummary
from candidacy.reasoning.item_plans import ItemPlan, item_plans
from candidacy.reasoning.logic import BLOCKED, State, truth
from candidacy.reasoning.step_basis import sentence, step_reasons

__all__ = ["HOW_IT_WORKS", "PathwayPlan", "Route", "pathway_plan", "route"]

#: Stages and decisive unknowns in plain words, for any page or report that explains them.
HOW_IT_WORKS = (
    "Every item and every next step names the decision it must be settled before: the screening test "
    "(the referral meeting's question) or implantation (settled between a positive test and surgery). "
    "A finding stands in the way of a stage when it is a contraindication or an unmet prerequisite of "
    "that stage, or when the criteria declare it blocking for that stage. "
    "An unanswered or unknown item is a decisive unknown when some possible answer to it (each option; "
    "numbers at each threshold the criteria use) would change a next step. Items that cannot change the "
    "current stage's steps do not hold it up: the step says what the criteria point to now, or that they "
    "would point to it once the decisive items are known. Routine checks that a service documents anyway "
    "before a stage (consent, baseline, no allergy or infection) never hold its step while unanswered: "
    "they are listed as work before the stage. Once something recorded stands in the way, only an unknown "
    "that could undo a step already given is decisive."
)


@dataclass(frozen=True, slots=True)
class _StepPlan:
    step: NextStep
    stage: int
    condition: str
    sources: tuple[CitedSource, ...]
    answers: frozenset[str]  # items whose answer or applicability the rule tests directly
    reads: frozenset[tuple[int, str]]  # (stage, "blocked" or a finding kind): what of a stage's findings it reads


#: An answer, the step it changes, and that step's truth before and after.
Change = tuple["str | float", int, "bool | None", "bool | None"]
#: A step an answer changes, and its truth then.
Seen = tuple[int, "bool | None"]
#: The findings an answer moves (stage and what a rule reads of them), each with its value then.
Moved = tuple[tuple[tuple[int, str], "bool | None"], ...]


@dataclass(frozen=True, slots=True)
class PathwayPlan:
    items: dict[str, ItemPlan]
    steps: tuple[_StepPlan, ...]
    outcomes: frozenset[str]  # items a stage's ``done_when`` tests: the stage's own result, not work before it
    by_answer: dict[str, frozenset[int]]  # item -> the steps whose rule tests its answer or applicability
    by_read: dict[tuple[int, str], frozenset[int]]  # (stage, "blocked" or kind) -> the steps whose rule reads it


@dataclass(frozen=True, slots=True)
class Route:
    next_steps: tuple[NextStepResult, ...]
    decisive: tuple[DecisiveUnknown, ...]
    stages: tuple[StageSummary, ...]
    current_stage: str
    routine_ids: frozenset[str]  # routine checks read as their expected answer and listed as work to do


def pathway_plan(cset: CriteriaSet, steps: tuple[tuple[NextStep, str, tuple[CitedSource, ...]], ...]) -> PathwayPlan:
    """Everything about the pathway that does not depend on the answers (computed once per set).

    ``steps`` gives each next step with its condition in words and its cited sources.
    """
    items = item_plans(cset)
    planned = []
    for step, condition, sources in steps:
        stage = cset.stage_order(step.stage)
        leaves = [leaf for _, leaf in iter_leaves(step.when)]
        answers = _closure({leaf.criterion for leaf in leaves if isinstance(leaf, AnswerIs)}, items)
        reads: set[tuple[int, str]] = {(stage, leaf.present) for leaf in leaves if isinstance(leaf, Present)}
        reads |= {(cset.stage_order(leaf.blocked), BLOCKED) for leaf in leaves if isinstance(leaf, Blocked)}
        planned.append(_StepPlan(step, stage, condition, sources, answers, frozenset(reads)))
    done = [leaf for s in cset.stages if s.done_when for _, leaf in iter_leaves(s.done_when)]
    outcomes = frozenset(leaf.criterion for leaf in done if isinstance(leaf, AnswerIs))
    by_answer: dict[str, set[int]] = {}
    by_read: dict[tuple[int, str], set[int]] = {}
    for i, sp in enumerate(planned):
        for cid in sp.answers:
            by_answer.setdefault(cid, set()).add(i)
        for read in sp.reads:
            by_read.setdefault(read, set()).add(i)
    return PathwayPlan(
        items,
        tuple(planned),
        outcomes,
        {cid: frozenset(ix) for cid, ix in by_answer.items()},
        {read: frozenset(ix) for read, ix in by_read.items()},
    )


def _closure(direct: set[str], items: Mapping[str, ItemPlan]) -> frozenset[str]:
    """The items and every item that decides whether one of them applies (it reaches the rule too)."""
    reach = set(direct)
    changed = True
    while changed:
        changed = False
        for cid in list(reach):
            when = items[cid].criterion.applies_when
            if when is None:
                continue
            for leaf in answer_leaves(when):
                if leaf.criterion not in reach:
                    reach.add(leaf.criterion)
                    changed = True
    return frozenset(reach)


def route(cset: CriteriaSet, plan: PathwayPlan, state: State) -> Route:
    """Steps, decisive unknowns (ranked) and the per-stage summary for one state of the answers."""
    base = [truth(s.step.when, cset, state, s.stage) for s in plan.steps]
    open_ids = [cid for cid, item in plan.items.items() if state.applies(cid) and state.value(cid) in (None, UNKNOWN)]
    current = _current_stage(cset, state)
    order = cset.stage_order(current) if current else 0
    blocked_now = bool(cset.stages) and state.blocked(order) is True
    search = _Search(cset, plan, state, base, order, blocked_now)
    # decisive[cid] = indexes of the steps some answer to cid would change; first[cid] = the first such answer
    decisive: dict[str, list[int]] = {}
    first: dict[str, Change] = {}
    blockers: dict[str, str | float] = {}  # item -> its first answer that would stand in the way of the current stage
    for cid in open_ids:
        changes: set[int] = set()
        for value in plan.items[cid].values:
            hypothetical = state.with_answer(cid, value)
            if cset.stages and not blocked_now and cid not in blockers and hypothetical.blocked(order) is True:
                blockers[cid] = value
            for i, now in search.changed(cid, hypothetical):
                if i in changes:
                    continue
                changes.add(i)
                if cid not in first or (now is True and first[cid][2] is not True):
                    first[cid] = (value, i, base[i], now)
        if changes:
            decisive[cid] = sorted(changes)
    position = {cid: n for n, cid in enumerate(open_ids)}
    ranked = sorted(  # what could stand in the way first; within each, what the referral raised (Unknown) first
        decisive,
        key=lambda cid: (cid not in blockers, state.value(cid) is None, position[cid]),
    )
    # a pending step names what it waits on in the same rank as the list of decisive unknowns
    awaiting: dict[int, list[str]] = {}
    for cid in ranked:
        for i in decisive[cid]:
            awaiting.setdefault(i, []).append(cid)
    steps = tuple(_results(cset, plan, state, base, awaiting, current))
    unknowns = tuple(
        DecisiveUnknown(
            criterion=cid,
            title=plan.items[cid].criterion.title,
            stage=plan.items[cid].criterion.stage or "",
            status="unanswered" if state.value(cid) is None else "unknown",
            steps=tuple(plan.steps[i].step.id for i in decisive[cid]),
            why=_why(cset, plan, cid, order, first[cid], blockers.get(cid)),
        )
        for cid in ranked
    )
    routine = frozenset(cid for cid in state.presumed if cid not in plan.outcomes)
    stages = _stages(cset, plan, state, steps, unknowns, open_ids, current, routine)
    return Route(steps, unknowns, stages, current, routine)


class _Search:
    """Which steps one hypothetical answer would change, against the base state's step values.

    Only two kinds of step can change: those whose rule tests the item (or an item whose applicability
    it decides), evaluated for each answer; and those reading a stage's findings that the answer moves.
    The latter test none of the answers that differ, so their value depends only on the findings moved:
    it is worked out once per distinct move and shared by every answer making it, which keeps the
    search linear when many items can move the same finding (say, anything that blocks a stage).
    """

    def __init__(
        self, cset: CriteriaSet, plan: PathwayPlan, state: State, base: list[bool | None], order: int, blocked: bool
    ) -> None:
        self._cset, self._plan, self._state, self._base = cset, plan, state, base
        self._order, self._blocked = order, blocked
        self._findings = {read: state.finding_seen(*read) for read in plan.by_read}  # what the rules read of them
        self._shared: dict[tuple[Moved, int], list[Seen]] = {}  # (findings moved, item's stage) -> steps changed

    def changed(self, cid: str, hypothetical: State) -> list[Seen]:
        """The steps ``hypothetical`` (one more answer to ``cid``) changes visibly, in step order."""
        item = self._plan.items[cid]
        direct = {i for m in (cid, *item.controls) for i in self._plan.by_answer.get(m, ())}
        moved = tuple(
            (read, now) for read, seen in self._findings.items() if (now := hypothetical.finding_seen(*read)) != seen
        )
        seen = [(i, now) for i, now in self._through_findings(moved, item.stage, hypothetical) if i not in direct]
        seen += self._visible(direct, item.stage, hypothetical)
        return sorted(seen)

    def _through_findings(self, moved: Moved, stage: int, hypothetical: State) -> list[Seen]:
        """The steps reading the findings ``moved`` that change visibly, read through the base answers."""
        if not moved:
            return []
        key = (moved, stage)
        if key not in self._shared:
            readers = set().union(*(self._plan.by_read[read] for read, _ in moved))
            self._shared[key] = self._visible(readers, stage, self._state.with_findings_of(hypothetical))
        return self._shared[key]

    def _visible(self, indexes: set[int], stage: int, state: State) -> list[Seen]:
        """Those of the steps that change visibly in ``state``, for an item of ``stage``."""
        seen = []
        for i in sorted(indexes):
            if not self._counts(i, stage):
                continue
            sp = self._plan.steps[i]
            now = truth(sp.step.when, self._cset, state, sp.stage)
            before = self._base[i]
            # a change counts when the meeting would see it: a step given or taken back, or a pending one
            # settled; an undecided step that is never shown being ruled out changes nothing it reads
            if now != before and (now is True or before is True or sp.step.while_unknown is not None):
                seen.append((i, now))
        return seen

    def _counts(self, i: int, stage: int) -> bool:
        """Whether a change to step ``i`` by an item of ``stage`` counts (once something stands in the way of
        the current stage, only undoing one of its steps does)."""
        s = self._plan.steps[i]
        return stage <= s.stage and not (self._blocked and s.stage == self._order and self._base[i] is not True)


def _why(cset: CriteriaSet, plan: PathwayPlan, cid: str, order: int, first: Change, blocker: str | float | None) -> str:
    """One line: which answer would change what."""
    criterion = plan.items[cid].criterion
    if blocker is not None:
        value = blocker
        label = cset.stages[order].label
        return f"'{answer_label(criterion, cset, value)}' would stand in the way ({label[0].lower() + label[1:]})."
    value, index, before, now = first
    step = _short(plan.steps[index].step.step)
    verb = (
        "would add"
        if now is True
        else "would undo"
        if before is True
        else "would rule out"
        if now is False
        else "would change"
    )
    return f"'{answer_label(criterion, cset, value)}' {verb}: {step}."


def _short(text: str) -> str:
    """A step's opening words: up to its first colon or full stop."""
    head = text.strip().split(": ", 1)[0].split(". ", 1)[0].rstrip(".")
    return head if len(head) <= 90 else head[:89].rstrip() + "…"


def _current_stage(cset: CriteriaSet, state: State) -> str:
    """The first stage whose decision is not yet behind the case ("" for a set without stages)."""
    for i, stage in enumerate(cset.stages):
        if stage.done_when is None or truth(stage.done_when, cset, state, i) is not True:
            return stage.id
    return cset.stages[-1].id if cset.stages else ""


def _results(
    cset: CriteriaSet,
    plan: PathwayPlan,
    state: State,
    base: list[bool | None],
    awaiting: dict[int, list[str]],
    current: str,
) -> list[NextStepResult]:
    """Steps whose rule holds, and, for the current stage, steps still waiting on decisive unknowns."""
    results = []
    for i, (sp, value) in enumerate(zip(plan.steps, base, strict=True)):
        stage = sp.step.stage or ""
        if value is True:
            basis = sentence(step_reasons(sp.step.when, cset, state, sp.stage, True))
            results.append(
                NextStepResult(sp.step.id, sp.step.step, basis, sp.sources, stage, "suggested", (), sp.condition)
            )
        elif value is None and sp.step.while_unknown and stage == current:
            waiting = tuple(awaiting.get(i, ()))
            if not waiting:
                continue
            titles = [plan.items[cid].criterion.title for cid in waiting]
            text = f"{sp.step.while_unknown.rstrip()} {'; '.join(titles)}."
            basis = sentence(
                [
                    *(r for r in step_reasons(sp.step.when, cset, state, sp.stage, None)),
                    "some possible answers to these items would change what the criteria point to",
                ]
            )
            results.append(NextStepResult(sp.step.id, text, basis, sp.sources, stage, "pending", waiting, sp.condition))
    return results


def _stages(
    cset: CriteriaSet,
    plan: PathwayPlan,
    state: State,
    steps: tuple[NextStepResult, ...],
    unknowns: tuple[DecisiveUnknown, ...],
    open_ids: list[str],
    current: str,
    routine: frozenset[str],
) -> tuple[StageSummary, ...]:
    summaries = []
    for i, stage in enumerate(cset.stages):
        step_ids = {sp.step.id for sp in plan.steps if sp.step.stage == stage.id}
        summaries.append(
            StageSummary(
                id=stage.id,
                label=stage.label,
                question=stage.question,
                current=stage.id == current,
                steps=tuple(s.id for s in steps if s.stage == stage.id),
                decisive=tuple(u.criterion for u in unknowns if step_ids & set(u.steps)),
                open_items=tuple(cid for cid in open_ids if plan.items[cid].stage == i),
                blocking=tuple(state.blocking(i)),
                routine=tuple(cid for cid, item in plan.items.items() if cid in routine and item.stage == i),
            )
        )
    return tuple(summaries)
