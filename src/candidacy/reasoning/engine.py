"""The evaluation engine: criteria + checked answers -> an assessment. Pure and deterministic.

Three-valued logic: a condition that depends on an unanswered or unknown item is undecided
(``None``). An undecided ``applies_when`` keeps the item applicable, so unknowns never hide a
question; an undecided next-step rule does not fire, so unknowns never support a step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from candidacy.criteria.conditions import AllOf, AnswerIs, AnyOf, Condition, Not, Present
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NextStep, SourceRef
from candidacy.criteria.values import answer_label, finding_for, format_number, level_index
from candidacy.reasoning.assessment import (
    Assessment,
    CitedSource,
    CriteriaRef,
    Finding,
    MissingItem,
    NextStepResult,
    NotApplicable,
)

__all__ = ["describe", "evaluate"]

Checked = Mapping[str, tuple["str | float | None", str]]
ValueOf = Callable[[str], "str | float | None"]
AppliesById = Callable[[str], bool]


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
    steps: tuple[tuple[NextStep, str, tuple[CitedSource, ...]], ...]
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
    return _Plan(items, steps, ref)


def evaluate(cset: CriteriaSet, answers: Checked) -> Assessment:
    """Evaluate checked answers (see :func:`candidacy.reasoning.answers.check_answers`)."""
    plan = cset.memo("engine.plan", _make_plan)
    by_id = cset.criteria_by_id
    applicable: dict[str, bool] = {}

    def value_of(crit_id: str) -> str | float | None:
        entry = answers.get(crit_id)
        return entry[0] if entry else None

    def applies_by_id(crit_id: str) -> bool:
        known = applicable.get(crit_id)
        if known is None:
            cond = by_id[crit_id].applies_when
            known = cond is None or _truth(cond, cset, value_of, applies_by_id, None) is not False
            applicable[crit_id] = known
        return known

    findings: list[Finding] = []
    missing: list[MissingItem] = []
    not_applicable: list[NotApplicable] = []
    applicable_ids: list[str] = []
    answered = 0
    for item in plan.items:
        criterion = item.criterion
        value, note = answers.get(criterion.id, (None, ""))
        if not applies_by_id(criterion.id):
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
    present = {f.kind for f in findings}
    if any(m.status == "unanswered" for m in missing):
        present.add("unanswered")
    steps = [
        NextStepResult(step.id, step.step, basis, cited)
        for step, basis, cited in plan.steps
        if _truth(step.when, cset, value_of, applies_by_id, present) is True
    ]
    return Assessment(
        criteria=plan.ref,
        notice=cset.notice,
        findings=tuple(findings),
        missing=tuple(missing),
        not_applicable=tuple(not_applicable),
        next_steps=tuple(steps),
        answered=answered,
        applicable=len(applicable_ids),
        applicable_ids=tuple(applicable_ids),
    )


def _cite(cset: CriteriaSet, refs: list[SourceRef]) -> tuple[CitedSource, ...]:
    return tuple(
        CitedSource(ref.source, cset.sources_by_id[ref.source].citation, ref.locator, ref.strength) for ref in refs
    )


def _truth(
    cond: Condition,
    cset: CriteriaSet,
    value_of: ValueOf,
    applies_by_id: AppliesById,
    present: set[str] | None,
) -> bool | None:
    """Kleene logic over answers: True, False, or None when it turns on something not known."""
    if isinstance(cond, AllOf):
        results = [_truth(c, cset, value_of, applies_by_id, present) for c in cond.all]
        return False if False in results else (None if None in results else True)
    if isinstance(cond, AnyOf):
        results = [_truth(c, cset, value_of, applies_by_id, present) for c in cond.any]
        return True if True in results else (None if None in results else False)
    if isinstance(cond, Not):
        inner = _truth(cond.not_, cset, value_of, applies_by_id, present)
        return None if inner is None else not inner
    if isinstance(cond, Present):
        return cond.present in present if present is not None else None
    return _leaf(cond, cset, value_of, applies_by_id)


def _leaf(cond: AnswerIs, cset: CriteriaSet, value_of: ValueOf, applies_by_id: AppliesById) -> bool | None:
    if not applies_by_id(cond.criterion):
        return False
    value = value_of(cond.criterion)
    if cond.equals is not None:
        if value is None or (value == UNKNOWN and cond.equals != UNKNOWN):
            return None
        return _same(value, cond.equals)
    if cond.one_of is not None:
        if value is None or (value == UNKNOWN and UNKNOWN not in cond.one_of):
            return None
        return any(_same(value, option) for option in cond.one_of)
    if value is None or value == UNKNOWN:
        return None
    bound = cond.at_least if cond.at_least is not None else cond.below
    criterion = cset.criteria_by_id[cond.criterion]
    left: float | int | None
    right: float | int | None
    if isinstance(bound, str):
        left = level_index(criterion, cset, str(value))
        right = level_index(criterion, cset, bound)
        if left is None or right is None:
            return None
    else:
        left, right = float(value), float(bound or 0.0)
    return left >= right if cond.at_least is not None else left < right


def _same(value: str | float, expected: str | float) -> bool:
    if isinstance(value, float) and isinstance(expected, (int, float)):
        return value == float(expected)
    return value == expected


#: How a ``present`` test reads, when it holds and when it is negated.
_PRESENT_WORDS: dict[str, tuple[str, str]] = {
    "contraindication": ("a contraindication is recorded", "no contraindication is recorded"),
    "caution": ("a caution is recorded", "no caution is recorded"),
    "unfavourable": ("a factor against is recorded", "no factor against is recorded"),
    "favourable": ("a factor in favour is recorded", "no factor in favour is recorded"),
    "prerequisite-unmet": ("a prerequisite is not met", "every prerequisite is met"),
    "missing": ("information is missing", "no information is missing"),
    "unanswered": ("items remain unanswered", "every applicable item is answered"),
}


def describe(cond: Condition, cset: CriteriaSet) -> str:
    """The condition in words, for reports: why an item does not apply, why a step is suggested."""
    if isinstance(cond, AllOf):
        return " and ".join(_grouped(c, cset) for c in cond.all)
    if isinstance(cond, AnyOf):
        return " or ".join(_grouped(c, cset) for c in cond.any)
    if isinstance(cond, Not):
        if isinstance(cond.not_, Present):
            return _PRESENT_WORDS[cond.not_.present][1]
        return f"not ({describe(cond.not_, cset)})"
    if isinstance(cond, Present):
        return _PRESENT_WORDS[cond.present][0]
    criterion = cset.criteria_by_id[cond.criterion]
    name = f"'{criterion.title}'"
    if cond.equals is not None:
        return f"{name} is {_label(criterion, cset, cond.equals)}"
    if cond.one_of is not None:
        return f"{name} is one of: " + ", ".join(_label(criterion, cset, v) for v in cond.one_of)
    if cond.at_least is not None:
        return f"{name} is at least {_label(criterion, cset, cond.at_least)}"
    return f"{name} is below {_label(criterion, cset, cond.below)}"  # type: ignore[arg-type]


def _grouped(cond: Condition, cset: CriteriaSet) -> str:
    text = describe(cond, cset)
    return f"({text})" if isinstance(cond, (AllOf, AnyOf)) else text


def _label(criterion: Criterion, cset: CriteriaSet, value: str | float) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (
            answer_label(criterion, cset, float(value)) if criterion.answer.type == "number" else format_number(value)
        )
    return f"'{answer_label(criterion, cset, value)}'"
