"""A finding that stands in the way only while another answer holds (``blocks_when``), as in P1: no oral
baclofen trial holds the test for spasticity of spinal origin only. The rule is data; the engine reads it in
three-valued logic (an open cause makes the finding *possibly* blocking, so the cause is decisive), and the
incremental state used for the decisive search must agree with a state built from scratch.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candidacy import FINDING_KINDS, CandidacyError, CriteriaSet, check_answers, evaluate
from candidacy.criteria.loader import load_criteria_text
from candidacy.criteria.models import UNKNOWN
from candidacy.reasoning.item_plans import item_plans
from candidacy.reasoning.logic import State

from .golden import BASELINE, answer_set
from .test_golden_cases import run
from .test_pathway import staged_text  # noqa: F401  (the two-stage set, as a fixture)
from .test_properties import CSET, PROFILE, answers_for


def test_the_untried_drug_holds_the_test_only_for_a_spinal_cause(itb: CriteriaSet) -> None:
    spinal = run(
        itb,
        {**BASELINE["answers"], "cause": "spinal_cord_injury", "high_cord_injury": "no", "oral_baclofen": "not_tried"},
    )
    assert spinal.stages[0].blocking == ("oral_baclofen",)
    assert [s.id for s in spinal.next_steps] == ["oral_baclofen_first"]
    stroke = run(itb, {**BASELINE["answers"], "cause": "stroke", "oral_baclofen": "not_tried"})
    assert stroke.stages[0].blocking == ()
    assert [f.kind for f in stroke.findings if f.criterion == "oral_baclofen"] == ["caution"]  # still said
    assert [s.id for s in stroke.next_steps] == ["support_screening"]


def test_an_open_cause_is_the_decisive_unknown_and_says_which_answer_would_hold_the_test(itb: CriteriaSet) -> None:
    answers = {**BASELINE["answers"], "oral_baclofen": "not_tried"}
    answers.pop("cause")
    result = run(itb, answers)
    [unknown] = result.decisive_for("screening")
    assert unknown.criterion == "cause" and unknown.status == "unanswered"
    assert unknown.why == "'Multiple sclerosis' would stand in the way (before a screening test)."
    [step] = result.next_steps
    assert (step.id, step.status, step.awaiting) == ("support_screening", "pending", ("cause",))
    # answered Unknown, the letter raises it: still decisive, and still first
    unknown_cause = run(itb, {**answers, "cause": UNKNOWN})
    assert [u.criterion for u in unknown_cause.decisive_for("screening")] == ["cause"]


def test_a_drug_answer_that_cannot_block_ranks_after_one_that_can(itb: CriteriaSet) -> None:
    """Ranking reads what an answer would do here: after a stroke, 'not tried' holds nothing."""
    answers = {**BASELINE["answers"], "cause": "stroke", "oral_baclofen": UNKNOWN, "therapy_tried": UNKNOWN}
    ranked = run(itb, answers).decisive_for("screening")
    assert [u.criterion for u in ranked] == ["therapy_tried", "oral_baclofen"]
    assert ranked[1].why.startswith("'Effective and tolerated' would rule out")


def _fingerprint(state: State, depth: int) -> list[Any]:
    return [
        (state.blocked(s), sorted(state.blocking(s)), [state.present(k, s) for k in FINDING_KINDS])
        for s in range(depth)
    ]


@PROFILE
@given(answers_for(CSET), st.data())
def test_the_incremental_state_agrees_with_one_built_from_scratch(answers: dict[str, Any], data: st.DataObject) -> None:
    """What the decisive search relies on: one more answer, applied incrementally (through the items whose
    conditional block turns on it), gives the same blocking and findings as evaluating from nothing."""
    plans = item_plans(CSET)
    values = {cid: v for cid, (v, _) in answers.items() if v is not None}
    if data.draw(st.booleans()):  # the answers whose block is conditional, so that changing what it tests matters
        values.update({c: "not_tried" for c in ("oral_baclofen", "botulinum_toxin")})
    base = State(CSET, plans, values)
    controllers = sorted(cid for cid, plan in plans.items() if plan.reblocks)
    assert {"cause", "distribution"} <= set(controllers)
    cid = data.draw(st.one_of(st.sampled_from(controllers), st.sampled_from(sorted(plans))))
    value = data.draw(st.sampled_from(list(plans[cid].values)))
    stepped = base.with_answer(cid, value)
    fresh = State(CSET, plans, {**values, cid: value})
    depth = len(CSET.stages)
    assert _fingerprint(stepped, depth) == _fingerprint(fresh, depth), (cid, value)


def _staged(staged_text: str, finding: str) -> str:  # noqa: F811
    """The two-stage set of the pathway tests, its age finding replaced."""
    old = "{kind: caution, blocks: screening, statement: Under 4.}"
    assert old in staged_text
    return staged_text.replace(old, finding)


@pytest.mark.parametrize(
    ("finding", "message"),
    [
        (
            '{kind: caution, blocks_when: {criterion: walks, equals: "yes"}, statement: Under 4.}',
            "a caution blocks nothing unless 'blocks' names a stage, so 'blocks_when' has no effect",
        ),
        (
            "{kind: caution, blocks: screening, blocks_when: {criterion: age, below: 2}, statement: Under 4.}",
            "a finding's 'blocks_when' cannot test its own item",
        ),
        (
            "{kind: caution, blocks: screening, blocks_when: {criterion: infection, equals: present}, statement: U.}",
            "a 'screening' rule cannot test a later stage: 'infection' is settled before 'implantation'",
        ),
        (
            "{kind: caution, blocks: screening, blocks_when: {present: unfavourable}, statement: Under 4.}",
            "'present' tests findings and cannot decide whether a criterion applies",
        ),
        (
            '{kind: caution, blocks: screening, blocks_when: {criterion: walks, equals: "often"}, statement: U.}',
            "'often' is not an answer of 'walks' (answers: yes, no, unknown)",
        ),
    ],
)
def test_a_bad_conditional_block_is_named_with_its_line(staged_text: str, finding: str, message: str) -> None:  # noqa: F811
    text = _staged(staged_text, finding)
    assert finding in text
    with pytest.raises(CandidacyError) as caught:
        load_criteria_text(text, "mini.yaml")
    [problem] = caught.value.problems
    assert problem.message == message and problem.line is not None and "blocks_when" in problem.path


def test_a_conditional_block_in_a_small_set_is_read_three_ways(staged_text: str) -> None:  # noqa: F811
    text = _staged(
        staged_text,
        '{kind: caution, blocks: screening, blocks_when: {criterion: walks, equals: "yes"}, statement: Under 4.}',
    )
    cset = load_criteria_text(text, "mini.yaml")

    def blocking(**given: Any) -> tuple[str, ...]:
        answers = answer_set(dict(given)).model_copy(update={"criteria": cset.id})
        return evaluate(cset, check_answers(cset, answers)).stages[0].blocking

    assert blocking(age=3, walks="yes") == ("age",)
    assert blocking(age=3, walks="no") == ()
    open_walks = State(cset, item_plans(cset), {"age": 3.0})
    assert open_walks.blocked(0) is None  # could stand in the way: the walking answer decides
    assert open_walks.with_answer("walks", "yes").blocked(0) is True
    assert open_walks.with_answer("walks", "no").blocked(0) is False
