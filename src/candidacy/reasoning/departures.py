"""The team's decision read against the criteria: which outcomes would depart from what they point to.

The rules are data, the set's ``departures``: each names the outcomes it is about, the stage it reads
from (the meeting's question) and a condition. A rule that holds, seen from its stage, gives its words
and what makes it hold: the titles of the findings of the kinds it tests (three, then a count) and the
number of items still unanswered, each of that stage or an earlier one. A routine item read as its
expected answer is not unanswered here, as it holds no step either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from candidacy.criteria.conditions import Present, iter_leaves
from candidacy.criteria.models import CriteriaSet
from candidacy.reasoning.assessment import DepartureRule, Finding, MissingItem
from candidacy.reasoning.item_plans import ItemPlan
from candidacy.reasoning.logic import State, truth

__all__ = ["departures", "what_holds"]

NAMED = 3  # findings named in a departure's words; more are counted


def what_holds(named: Sequence[str], unanswered: int) -> str:
    """The findings a departure rests on (three named, the rest counted) and the items left unanswered."""
    titles = "; ".join(named[:NAMED]) + (f" and {len(named) - NAMED} more" if len(named) > NAMED else "")
    counted = f"{unanswered} item(s) unanswered" if unanswered else ""
    return "; ".join(part for part in (titles, counted) if part)


def departures(
    cset: CriteriaSet,
    state: State,
    items: Mapping[str, ItemPlan],
    findings: Sequence[Finding],
    missing: Sequence[MissingItem],
) -> tuple[DepartureRule, ...]:
    """The ``departures`` rules that hold for these answers, each with why."""
    out: list[DepartureRule] = []
    for rule in cset.departures:
        stage = cset.stage_order(rule.stage)
        if truth(rule.when, cset, state, stage) is not True:
            continue
        kinds = {leaf.present for _, leaf in iter_leaves(rule.when) if isinstance(leaf, Present)}
        named = [f.title for f in findings if f.kind in kinds and items[f.criterion].stage <= stage]
        unanswered = 0
        if "unanswered" in kinds:
            unanswered = sum(
                1
                for m in missing
                if m.status == "unanswered" and items[m.criterion].stage <= stage and m.criterion not in state.presumed
            )
        detail = what_holds(named, unanswered)
        out.append(DepartureRule(rule.id, tuple(rule.outcomes), f"{rule.says} ({detail})" if detail else rule.says))
    return tuple(out)
