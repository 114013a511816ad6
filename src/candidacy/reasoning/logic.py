"""Three-valued (Kleene) evaluation of conditions over one state of the answers, seen from a stage.

A :class:`State` holds the answers, which items apply, and what the known findings add up to for
each stage. A condition is True, False, or None when it turns on something not yet known. A
stage sees only the items settled by it or earlier (``present`` and ``blocked`` count nothing
later), so answering a later-stage item can never change an earlier decision. The engine builds
one state for the answers given; :mod:`candidacy.reasoning.pathway` builds one per possible answer
to an unknown item, cheaply, by overriding that item on top of the base state. What each answer of an
item can do is worked out once per criteria set, in :mod:`candidacy.reasoning.item_plans`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from candidacy.criteria.conditions import AnswerIs, Blocked, Condition, Leaf, Present, Walker
from candidacy.criteria.models import UNKNOWN, CriteriaSet
from candidacy.criteria.values import level_index
from candidacy.reasoning.item_plans import NONE, Effect, ItemPlan, effect_of

__all__ = ["BLOCKED", "State", "truth"]

Value = "str | float | None"
Checked = Mapping[str, tuple["str | float | None", str]]
BLOCKED = "blocked"  # what a ``blocked`` test reads of a stage (beside the finding kinds ``present`` reads)


class State:
    """The answers, which items apply, and per stage what the findings add up to."""

    __slots__ = ("_applies", "_blocking", "_cset", "_kinds", "_open", "_open_kinds", "_plans", "presumed", "values")

    def __init__(
        self,
        cset: CriteriaSet,
        plans: Mapping[str, ItemPlan],
        values: Mapping[str, str | float],
        presumed: frozenset[str] = frozenset(),
    ) -> None:
        """``values`` holds the answers given and, for the routine items in ``presumed`` (unanswered, no
        note), their expected answers, which the rules read until the item is documented."""
        self._cset = cset
        self._plans = plans
        self.values = values
        self.presumed = presumed
        self._applies: dict[str, bool | None] = {}
        depth = max(len(cset.stages), 1)
        # per stage order t: known findings blocking t (items settled by t), and how many open items could
        self._blocking: list[list[str]] = [[] for _ in range(depth)]
        self._open: list[int] = [0] * depth
        # per stage order s: kinds present among items settled by s, and kinds open items could give
        self._kinds: list[dict[str, int]] = [{} for _ in range(depth)]
        self._open_kinds: list[dict[str, int]] = [{} for _ in range(depth)]
        for cid, plan in plans.items():
            applies = self.applicability(cid)
            if applies is not False:
                self._add(cid, plan, values.get(cid), 1, applies)

    def _add(
        self,
        cid: str,
        plan: ItemPlan,
        value: str | float | None,
        sign: int,
        certain: bool | None,
        view: State | None = None,
    ) -> None:
        """Add (sign 1) or take back (-1) one item's contribution.

        An answer to an item that may not apply (``certain`` None) is counted as possible, not as given; so
        is one whose conditional block turns on something not known. ``view`` is the state a conditional
        block is read in (a take-back reads the state the contribution was added in).
        """
        effect = plan.effects.get(value) or effect_of(self._cset, plan.criterion, value)
        is_open = value is None or value == UNKNOWN
        holds: bool | None = True
        if effect.condition is not None and effect.blocks != NONE and not is_open:
            holds = truth(effect.condition, self._cset, view or self, effect.blocks)
            if holds is False:
                effect = Effect(effect.kind, NONE)
        for s in range(plan.stage, len(self._kinds)):
            if effect.kind is not None:
                counts = self._kinds[s] if is_open or certain else self._open_kinds[s]
                counts[effect.kind] = counts.get(effect.kind, 0) + sign
            if is_open:
                if plan.could_block != NONE and plan.could_block <= s:
                    self._open[s] += sign
                could = self._open_kinds[s]
                for kind in plan.could_be:
                    could[kind] = could.get(kind, 0) + sign
            elif effect.blocks != NONE and effect.blocks <= s:
                if not certain or holds is None:
                    self._open[s] += sign
                elif sign > 0:
                    self._blocking[s].append(cid)
                else:
                    self._blocking[s].remove(cid)

    def with_answer(self, cid: str, value: str | float) -> State:
        """The same state with one more answer, updated incrementally.

        Only this item's contribution changes, and, when other items' applicability turns on it, theirs:
        the cost does not grow with the size of the set.
        """
        plan = self._plans[cid]
        other = State.__new__(State)
        other._cset, other._plans = self._cset, self._plans
        other.values = {**self.values, cid: value}
        other.presumed = self.presumed - {cid}
        other._blocking = [list(b) for b in self._blocking]
        other._open = list(self._open)
        other._kinds = [dict(k) for k in self._kinds]
        other._open_kinds = [dict(k) for k in self._open_kinds]
        # applicability turns on answers: share what this answer cannot change, forget what it can
        other._applies = self._applies
        if plan.controls:
            other._applies = dict(self._applies)  # a copy in C, then the few entries dropped
            for dependent in plan.controls:
                other._applies.pop(dependent, None)
        applies = self.applicability(cid)
        if applies is not False:
            other._add(cid, plan, self.values.get(cid), -1, applies, self)
            other._add(cid, plan, value, 1, applies)
        # in set order, so a rule sees the applicability it depends on
        for dependent in sorted({*plan.controls, *plan.reblocks}, key=self._order):
            was, now = self.applicability(dependent), other.applicability(dependent)
            if was != now or dependent in plan.reblocks:
                dep_plan, dep_value = self._plans[dependent], self.values.get(dependent)
                if was is not False:
                    other._add(dependent, dep_plan, dep_value, -1, was, self)
                if now is not False:
                    other._add(dependent, dep_plan, dep_value, 1, now)
        return other

    def with_findings_of(self, other: State) -> State:
        """These answers, read with the findings of ``other``.

        A rule that tests none of the answers in which the two states differ reads the same here as in
        ``other``; and here its value is the same for every ``other`` whose findings are alike, so a
        search over hypothetical answers can work it out once for all of them.
        """
        view = State.__new__(State)
        view._cset, view._plans, view.values, view.presumed = self._cset, self._plans, self.values, self.presumed
        view._applies = self._applies
        view._blocking, view._open, view._kinds, view._open_kinds = (
            other._blocking,
            other._open,
            other._kinds,
            other._open_kinds,
        )
        return view

    def _order(self, cid: str) -> int:
        return self._plans[cid].order

    def value(self, cid: str) -> str | float | None:
        return self.values.get(cid)

    def applies(self, cid: str) -> bool:
        """Whether an item applies; an undecided rule keeps it applicable (an unknown never hides one)."""
        return self.applicability(cid) is not False

    def applicability(self, cid: str) -> bool | None:
        """Whether an item applies, three-valued: None while its rule turns on something not known."""
        if cid in self._applies:
            return self._applies[cid]
        cond = self._plans[cid].criterion.applies_when
        known = True if cond is None else truth(cond, self._cset, self, 0)
        self._applies[cid] = known
        return known

    def blocked(self, stage: int) -> bool | None:
        if self._blocking[stage]:
            return True
        return None if self._open[stage] else False

    def finding_seen(self, stage: int, what: str) -> bool | None:
        """What a rule reads of a stage's findings: ``blocked`` (what = BLOCKED) or ``present`` of a kind."""
        return self.blocked(stage) if what == BLOCKED else self.present(what, stage)

    def blocking(self, stage: int) -> list[str]:
        return self._blocking[stage]

    def present(self, kind: str, stage: int) -> bool | None:
        """A finding of this kind is recorded (True), could still be (None: an open item could give it), or not.

        ``missing`` and ``unanswered`` describe the open items themselves, so they are always known.
        """
        if self._kinds[stage].get(kind, 0) > 0:
            return True
        return None if self._open_kinds[stage].get(kind, 0) > 0 else False


class _Truth(Walker[bool | None, None]):
    """Kleene logic over a condition, as seen from one stage (the walk stops at the first deciding child)."""

    __slots__ = ("cset", "stage", "state")

    def __init__(self, cset: CriteriaSet, state: State, stage: int) -> None:
        self.cset, self.state, self.stage = cset, state, stage

    def all_of(self, children: Sequence[Condition], arg: None) -> bool | None:
        result: bool | None = True
        for child in children:
            value = self.walk(child, None)
            if value is False:
                return False
            if value is None:
                result = None
        return result

    def any_of(self, children: Sequence[Condition], arg: None) -> bool | None:
        result: bool | None = False
        for child in children:
            value = self.walk(child, None)
            if value is True:
                return True
            if value is None:
                result = None
        return result

    def negation(self, child: Condition, arg: None) -> bool | None:
        inner = self.walk(child, None)
        return None if inner is None else not inner

    def leaf(self, leaf: Leaf, arg: None) -> bool | None:
        if type(leaf) is AnswerIs:  # the common case first: this is the engine's inner loop
            return leaf_truth(leaf, self.cset, self.state.value, self.state.applicability)
        if isinstance(leaf, Present):
            return self.state.present(leaf.present, self.stage)
        assert isinstance(leaf, Blocked)
        return self.state.blocked(self.cset.stage_order(leaf.blocked))


def truth(cond: Condition, cset: CriteriaSet, state: State, stage: int) -> bool | None:
    """Kleene logic: True, False, or None when it turns on something not known, as seen from ``stage``."""
    return _Truth(cset, state, stage).walk(cond, None)


def leaf_truth(
    cond: AnswerIs,
    cset: CriteriaSet,
    value_of: Callable[[str], str | float | None],
    applies: Callable[[str], bool | None],
) -> bool | None:
    """A test on one answer; an item that does not apply fails every test, one that may not is undecided."""
    applicable = applies(cond.criterion)
    if applicable is False:
        return False
    result = _answer_test(cond, cset, value_of(cond.criterion))
    return None if applicable is None and result is not False else result


def _answer_test(cond: AnswerIs, cset: CriteriaSet, value: str | float | None) -> bool | None:
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
