"""The evaluation engine: criteria + checked answers -> an assessment. Pure and deterministic.

Three-valued logic (:mod:`candidacy.reasoning.logic`): a condition that depends on an unanswered or
unknown item is undecided (``None``). An undecided ``applies_when`` keeps the item applicable, so
unknowns never hide a question; an undecided next-step rule never fires as if it held. Which unknowns
could change a step, stage by stage, is worked out by :mod:`candidacy.reasoning.pathway`.

A routine check (a criterion with ``routine_answer``) that is unanswered and carries no note is work
before its stage, not an open question: the rules read it as its expected answer, it gives no finding,
and it is listed in ``routine``. Answered Unknown, or given a note, it is an open question again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from candidacy.criteria.conditions import AllOf, AnyOf, Blocked, Condition, Leaf, Present, Walker
from candidacy.criteria.kinds import PRESENT_KINDS
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, SourceRef
from candidacy.criteria.values import answer_label, finding_for, format_number
from candidacy.reasoning.assessment import (
    Assessment,
    CitedSource,
    CriteriaRef,
    Finding,
    MissingItem,
    NotApplicable,
    RoutineItem,
)
from candidacy.reasoning.departures import departures
from candidacy.reasoning.logic import State
from candidacy.reasoning.pathway import PathwayPlan, pathway_plan, route

__all__ = ["describe", "evaluate"]

Checked = Mapping[str, tuple["str | float | None", str]]


@dataclass(frozen=True, slots=True)
class _Item:
    criterion: Criterion
    section: str
    sources: tuple[CitedSource, ...]
    not_applicable_reason: str


@dataclass(frozen=True, slots=True)
class _Plan:
    """Everything about a criteria set that does not depend on the answers, computed once per set."""

    items: tuple[_Item, ...]
    pathway: PathwayPlan
    ref: CriteriaRef


def _make_plan(cset: CriteriaSet) -> _Plan:
    items = tuple(
        _Item(
            criterion=c,
            section=section.title,
            sources=_cite(cset, c.sources),
            not_applicable_reason=f"Applies only when {describe(c.applies_when, cset)}." if c.applies_when else "",
        )
        for section in cset.sections
        for c in section.criteria
    )
    steps = tuple((s, describe(s.when, cset), _cite(cset, s.sources)) for s in cset.next_steps)
    ref = CriteriaRef(cset.id, cset.title, cset.version, cset.review_date.isoformat(), cset.sha256)
    return _Plan(items, pathway_plan(cset, steps), ref)


@dataclass
class _Recent:
    """The latest assessment of a set, by its answers. A stored case's change is evaluated by the store
    (for the case lists' summary) and then by the page, for the same answers: the second is a look-up.
    One entry is all that needs; more would also answer an answer changed back, which would flatter the
    benchmark of a new answer. Assessments are frozen, so sharing one is safe; sessions run in threads."""

    size: int = 1
    found: OrderedDict[frozenset[tuple[str, str, object, str]], Assessment] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def evaluate(cset: CriteriaSet, answers: Checked) -> Assessment:
    """Evaluate checked answers (see :func:`candidacy.reasoning.answers.check_answers`)."""
    recent = cset.memo("engine.recent", lambda _: _Recent())
    key = frozenset((cid, type(value).__name__, value, note) for cid, (value, note) in answers.items())
    with recent.lock:
        if key in recent.found:
            recent.found.move_to_end(key)
            return recent.found[key]
    result = _evaluate(cset, answers)
    with recent.lock:
        recent.found[key] = result
        while len(recent.found) > recent.size:
            recent.found.popitem(last=False)
    return result


def _evaluate(cset: CriteriaSet, answers: Checked) -> Assessment:
    plan = cset.memo("engine.plan", _make_plan)
    values = {cid: entry[0] for cid, entry in answers.items() if entry[0] is not None}
    state = State(cset, plan.pathway.items, values)
    presumed = {
        item.criterion.id: item.criterion.routine_answer
        for item in plan.items
        if item.criterion.routine_answer is not None
        and answers.get(item.criterion.id, (None, ""))[0] is None
        and not answers.get(item.criterion.id, (None, ""))[1].strip()
        and state.applies(item.criterion.id)
    }
    if presumed:
        state = State(cset, plan.pathway.items, {**values, **presumed}, frozenset(presumed))

    findings: list[Finding] = []
    missing: list[MissingItem] = []
    not_applicable: list[NotApplicable] = []
    applicable_ids: list[str] = []
    answered = 0
    for item in plan.items:
        criterion = item.criterion
        value, note = answers.get(criterion.id, (None, ""))
        if not state.applies(criterion.id):
            label = answer_label(criterion, cset, value) if value is not None else ""
            not_applicable.append(
                NotApplicable(criterion.id, criterion.title, item.not_applicable_reason, note, value, label)
            )
            continue
        applicable_ids.append(criterion.id)
        if value is None:
            missing.append(MissingItem(criterion.id, criterion.title, "unanswered", criterion.obtain, note))
            continue
        answered += 1
        if value == UNKNOWN:
            missing.append(MissingItem(criterion.id, criterion.title, "unknown", criterion.obtain, note))
            kind, statement = "missing", f"Not known: {criterion.title}. To obtain: {criterion.obtain}."
        else:
            spec = finding_for(criterion, cset, value)
            if spec is None:
                continue
            kind, statement = spec.kind, spec.statement
        findings.append(
            Finding(
                criterion=criterion.id,
                title=criterion.title,
                section=item.section,
                kind=kind,
                statement=statement,
                answer=value,
                answer_label=answer_label(criterion, cset, value),
                note=note,
                rationale=criterion.rationale,
                sources=item.sources,
            )
        )
    path = route(cset, plan.pathway, state)
    routine = tuple(
        RoutineItem(cid, c.title, c.stage or "", answer_label(c, cset, value), c.obtain)
        for cid, value in presumed.items()
        if state.applies(cid) and cid in path.routine_ids
        for c in [cset.criteria_by_id[cid]]
    )
    return Assessment(
        criteria=plan.ref,
        notice=cset.notice,
        findings=tuple(findings),
        missing=tuple(missing),
        not_applicable=tuple(not_applicable),
        next_steps=path.next_steps,
        answered=answered,
        applicable=len(applicable_ids),
        decisive_unknowns=path.decisive,
        stages=path.stages,
        current_stage=path.current_stage,
        routine=routine,
        departures=departures(cset, state, plan.pathway.items, findings, missing),
        applicable_ids=tuple(applicable_ids),
    )


def _cite(cset: CriteriaSet, refs: list[SourceRef]) -> tuple[CitedSource, ...]:
    return tuple(
        CitedSource(ref.source, cset.sources_by_id[ref.source].citation, ref.locator, ref.strength) for ref in refs
    )


class _Words(Walker[str, None]):
    """A condition in words."""

    def __init__(self, cset: CriteriaSet) -> None:
        self.cset = cset

    def all_of(self, children: Sequence[Condition], arg: None) -> str:
        return " and ".join(self._grouped(c) for c in children)

    def any_of(self, children: Sequence[Condition], arg: None) -> str:
        return " or ".join(self._grouped(c) for c in children)

    def _grouped(self, cond: Condition) -> str:
        text = self.walk(cond, None)
        return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text

    def negation(self, child: Condition, arg: None) -> str:
        if isinstance(child, Present):
            return PRESENT_KINDS[child.present][1]
        if isinstance(child, Blocked):
            return f"nothing stands in the way ({_stage_label(child, self.cset)})"
        return f"not ({self.walk(child, None)})"

    def leaf(self, leaf: Leaf, arg: None) -> str:
        cset = self.cset
        if isinstance(leaf, Present):
            return PRESENT_KINDS[leaf.present][0]
        if isinstance(leaf, Blocked):
            return f"something stands in the way ({_stage_label(leaf, cset)})"
        criterion = cset.criteria_by_id[leaf.criterion]
        name = f"'{criterion.title}'"
        if leaf.equals is not None:
            return f"{name} is {_label(criterion, cset, leaf.equals)}"
        if leaf.one_of is not None:
            return f"{name} is one of: " + ", ".join(_label(criterion, cset, v) for v in leaf.one_of)
        if leaf.at_least is not None:
            return f"{name} is at least {_label(criterion, cset, leaf.at_least)}"
        return f"{name} is below {_label(criterion, cset, leaf.below)}"  # type: ignore[arg-type]


def describe(cond: Condition, cset: CriteriaSet) -> str:
    """The condition in words, for reports: why an item does not apply, why a step is suggested."""
    return _Words(cset).walk(cond, None)


def _stage_label(cond: Blocked, cset: CriteriaSet) -> str:
    stage = cset.stages_by_id.get(cond.blocked)
    return stage.label.lower() if stage else cond.blocked


def _label(criterion: Criterion, cset: CriteriaSet, value: str | float) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (
            answer_label(criterion, cset, float(value)) if criterion.answer.type == "number" else format_number(value)
        )
    return f"'{answer_label(criterion, cset, value)}'"
