"""The decisive search takes shortcuts: it looks only at the steps an answer can reach (those testing the item,
and those reading a finding the answer moves), shares a step's value between answers that move the findings
alike, and builds each hypothetical state incrementally. None of this may change the result: here it is
checked against the plain search, which builds every hypothetical state from nothing and evaluates every step.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from candidacy.criteria.loader import load_criteria_text
from candidacy.criteria.models import UNKNOWN, CriteriaSet
from candidacy.criteria.yamlsource import read_file
from candidacy.reasoning.item_plans import item_plans
from candidacy.reasoning.logic import State, truth
from candidacy.reasoning.pathway import PathwayPlan, _why, pathway_plan, route

from .conftest import ITB
from .test_properties import CSET, PROFILE, answers_for


def _probed() -> CriteriaSet:
    """The ITB set with, for every item able to stand in the way of the screening test, two steps that read
    that finding and test the item too: the cases where sharing a value between answers could go wrong
    (a step one item tests and another only reaches through the finding; a test of 'unknown', which a
    further answer can turn false)."""
    plans = item_plans(CSET)
    blocking = [
        (cid, next(v for v in plan.values if plan.effects[v].blocks == 0))
        for cid, plan in plans.items()
        if plan.stage == 0 and plan.could_block == 0 and all(isinstance(v, str) for v in plan.values)
    ]
    data = read_file(ITB).data
    for n, (cid, value) in enumerate(blocking):
        other, other_value = blocking[(n + 1) % len(blocking)]
        rules = (
            {"all": [{"blocked": "screening"}, {"not": {"criterion": cid, "equals": value}}]},
            {
                "any": [
                    {"all": [{"blocked": "screening"}, {"criterion": cid, "equals": UNKNOWN}]},
                    {"criterion": other, "equals": other_value},
                ]
            },
        )
        data["next_steps"] += [
            {"id": f"probe_{n}_{k}", "stage": "screening", "when": rule, "step": "Probe.", "while_unknown": "Probe:"}
            for k, rule in enumerate(rules)
        ]
    return load_criteria_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "probed.yaml")


SETS = [(cset, pathway_plan(cset, tuple((step, "", ()) for step in cset.next_steps))) for cset in (CSET, _probed())]

#: (item, the steps it could change, why) in rank order; and per pending step, the items it waits on.
Outcome = tuple[list[tuple[str, tuple[str, ...], str]], dict[str, tuple[str, ...]]]


def _state(cset: CriteriaSet, plan: PathwayPlan, answers: dict[str, tuple[Any, str]], presume: bool) -> State:
    """The answers as the engine reads them, routine checks left open read as their expected answer or not."""
    values = {cid: v for cid, (v, _) in answers.items() if v is not None}
    state = State(cset, plan.items, values)
    routine = {
        c.id: c.routine_answer
        for c in cset.iter_criteria()
        if presume and c.routine_answer is not None and c.id not in values and state.applies(c.id)
    }
    return State(cset, plan.items, {**values, **routine}, frozenset(routine)) if routine else state


def _plain_search(cset: CriteriaSet, plan: PathwayPlan, state: State, current: str) -> Outcome:
    """Every answer to every open item, each state built from nothing, every step evaluated."""
    base = [truth(sp.step.when, cset, state, sp.stage) for sp in plan.steps]
    order = cset.stage_order(current) if current else 0
    blocked_now = bool(cset.stages) and state.blocked(order) is True
    open_ids = [cid for cid in plan.items if state.applies(cid) and state.value(cid) in (None, UNKNOWN)]
    decisive: dict[str, list[int]] = {}
    whys: dict[str, str] = {}
    blockers: set[str] = set()
    for cid in open_ids:
        item = plan.items[cid]
        changes: list[int] = []
        first = None
        blocker = None
        for value in item.values:
            fresh = State(cset, plan.items, {**state.values, cid: value}, state.presumed - {cid})
            if cset.stages and not blocked_now and blocker is None and fresh.blocked(order) is True:
                blocker = value
            for i, sp in enumerate(plan.steps):
                if i in changes or item.stage > sp.stage or (blocked_now and sp.stage == order and base[i] is not True):
                    continue
                now = truth(sp.step.when, cset, fresh, sp.stage)
                if now != base[i] and (now is True or base[i] is True or sp.step.while_unknown is not None):
                    changes.append(i)
                    if first is None or (now is True and first[2] is not True):
                        first = (value, i, base[i], now)
        if first is not None:
            decisive[cid] = sorted(changes)
            whys[cid] = _why(cset, plan, cid, order, first, blocker)
            if blocker is not None:
                blockers.add(cid)
    ranked = sorted(decisive, key=lambda c: (c not in blockers, state.value(c) is None, open_ids.index(c)))
    unknowns = [(cid, tuple(plan.steps[i].step.id for i in decisive[cid]), whys[cid]) for cid in ranked]
    waiting = {
        sp.step.id: tuple(cid for cid in ranked if i in decisive[cid])
        for i, sp in enumerate(plan.steps)
        if any(i in decisive[cid] for cid in ranked)
    }
    return unknowns, waiting


def _agrees(cset: CriteriaSet, plan: PathwayPlan, state: State) -> int:
    """Assert the search and the plain search agree; the number of decisive unknowns."""
    found = route(cset, plan, state)
    unknowns, waiting = _plain_search(cset, plan, state, found.current_stage)
    assert [(u.criterion, u.steps, u.why) for u in found.decisive] == unknowns
    for step in found.next_steps:
        if step.status == "pending":
            assert step.awaiting == waiting[step.id], step.id
    return len(unknowns)


@PROFILE
@given(answers_for(CSET), st.booleans())
def test_the_decisive_search_agrees_with_the_plain_search(answers: dict[str, tuple[Any, str]], presume: bool) -> None:
    for cset, plan in SETS:  # the same items, so the same answers
        _agrees(cset, plan, _state(cset, plan, answers, presume))


@pytest.mark.parametrize(("cset", "plan"), SETS, ids=["itb", "probed"])
def test_with_nothing_answered_the_search_agrees_too(cset: CriteriaSet, plan: PathwayPlan) -> None:
    """The worst case for the shortcuts: every item open, many of them able to move the same finding."""
    assert _agrees(cset, plan, _state(cset, plan, {}, presume=True)) > 10
