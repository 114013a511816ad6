"""Why a step is given, in words: the parts of its rule that make it hold, or keep it open.

A next step's basis is printed beside it ("because ..."). The rule's condition tree is walked in
three-valued logic for the truth wanted, and each part that decides it becomes a short phrase: an
answer as recorded (or read as its routine answer, or not applying), a finding kind present or not,
a stage blocked or clear. :func:`sentence` joins the phrases into the sentence the reports print.
"""

from __future__ import annotations

from collections.abc import Sequence

from candidacy.criteria.conditions import Blocked, Condition, Leaf, Present, Walker
from candidacy.criteria.kinds import PRESENT_KINDS
from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.values import answer_label
from candidacy.reasoning.logic import State, truth

__all__ = ["sentence", "step_reasons"]


class _Reasons(Walker[list[str], bool | None]):
    """Short phrases for the parts of a rule that make it come out as the wanted truth (None: still open)."""

    def __init__(self, cset: CriteriaSet, state: State, stage: int) -> None:
        self.cset, self.state, self.stage = cset, state, stage

    def _truth(self, cond: Condition) -> bool | None:
        return truth(cond, self.cset, self.state, self.stage)

    def _junction(self, children: Sequence[Condition], want: bool | None, deciding: bool) -> list[str]:
        """All (``deciding`` False) or any (True): one deciding child explains it, else every settled one."""
        values = [(c, self._truth(c)) for c in children]
        if want is deciding:
            return self.walk(next(c for c, v in values if v is want), want)
        picked = [(c, v) for c, v in values if (v is want if want is not None else v is not None)]
        return [r for c, v in picked for r in self.walk(c, v)]

    def all_of(self, children: Sequence[Condition], arg: bool | None) -> list[str]:
        return self._junction(children, arg, False)

    def any_of(self, children: Sequence[Condition], arg: bool | None) -> list[str]:
        return self._junction(children, arg, True)

    def negation(self, child: Condition, arg: bool | None) -> list[str]:
        return self.walk(child, None if arg is None else not arg)

    def leaf(self, leaf: Leaf, arg: bool | None) -> list[str]:
        cset, state, want = self.cset, self.state, arg
        if isinstance(leaf, Present):
            words = PRESENT_KINDS[leaf.present]
            return [] if want is None else [words[0] if want else words[1]]
        if isinstance(leaf, Blocked):
            order = cset.stage_order(leaf.blocked)
            label = cset.stages[order].label[0].lower() + cset.stages[order].label[1:]
            if want:
                titles = ", ".join(cset.criteria_by_id[c].title for c in state.blocking(order))
                return [f"{titles} stands in the way ({label.lower()})"]
            if want is False:
                return [f"nothing recorded stands in the way ({label}), and nothing unknown could change that"]
            return []
        if want is None:
            return []
        criterion = cset.criteria_by_id[leaf.criterion]
        if not state.applies(leaf.criterion):
            return [f"{criterion.title}: does not apply"]
        value = state.value(leaf.criterion)
        if value is None:
            return []
        if leaf.criterion in state.presumed:
            return [f"{criterion.title}: not yet recorded, read as '{answer_label(criterion, cset, value)}'"]
        return [f"{criterion.title}: {answer_label(criterion, cset, value)}"]


def step_reasons(cond: Condition, cset: CriteriaSet, state: State, stage: int, want: bool | None) -> list[str]:
    """Short phrases for the parts of a rule that make it come out as ``want`` (None: still open)."""
    return _Reasons(cset, state, stage).walk(cond, want)


def sentence(parts: list[str]) -> str:
    """The phrases as one sentence, each once, in their order ("" for none)."""
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    if not seen:
        return ""
    text = "; ".join(seen)
    return text[0].upper() + text[1:] + "."
