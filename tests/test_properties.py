"""Properties of the engine over random valid answers to the full ITB set (hypothesis, derandomised).

The number of examples is the profile's (tests/conftest.py): 100 per property in the suite, the same
100 on every run; HYPOTHESIS_PROFILE=thorough for 1000."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from candidacy import Assessment, CriteriaSet, evaluate, load_criteria
from candidacy.criteria.conditions import AnswerIs, iter_leaves
from candidacy.criteria.models import UNKNOWN, NumberAnswer
from candidacy.criteria.values import choices

from .conftest import ITB

CSET = load_criteria(ITB)
SUPPORTING_STEPS = {"support_screening", "after_positive_screening"}
PROFILE = settings(derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Answers = dict[str, tuple[Any, str]]


def _value(cset: CriteriaSet, crit_id: str) -> st.SearchStrategy[Any]:
    criterion = cset.criteria_by_id[crit_id]
    options = choices(criterion, cset)
    if options is None:
        assert isinstance(criterion.answer, NumberAnswer)
        a = criterion.answer
        number = st.integers(int(a.min), int(a.max)).map(float)
        return st.one_of(st.just(UNKNOWN), number)
    return st.sampled_from([UNKNOWN, *(v for v, _ in options)])


def answers_for(cset: CriteriaSet) -> st.SearchStrategy[Answers]:
    ids = sorted(cset.criteria_by_id)
    entries = {i: st.tuples(_value(cset, i), st.text(max_size=20)) for i in ids}
    return st.fixed_dictionaries({}, optional=entries)  # type: ignore[arg-type]


@PROFILE
@given(answers_for(CSET))
def test_deterministic_and_independent_of_answer_order(answers: Answers) -> None:
    first = evaluate(CSET, answers)
    again = evaluate(CSET, dict(reversed(list(answers.items()))))
    assert first == again
    assert first.to_dict() == again.to_dict()


@PROFILE
@given(answers_for(CSET))
def test_every_finding_cites_a_source_of_the_set(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    for finding in result.findings:
        assert finding.sources, finding.criterion
        for source in finding.sources:
            assert source.id in CSET.sources_by_id
            assert source.citation == CSET.sources_by_id[source.id].citation
            assert source.locator and source.strength


@PROFILE
@given(answers_for(CSET))
def test_unknown_never_produces_a_favourable_finding_or_a_step_it_could_change(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    for finding in result.findings:
        if finding.answer == UNKNOWN:
            assert finding.kind == "missing"
    # a step suggested outright never turns on an open item; one that does is "pending" and names it
    for unknown in result.decisive_unknowns:
        for step in result.next_steps:
            if step.id in unknown.steps:
                assert step.status == "pending" and unknown.criterion in step.awaiting, (step.id, unknown.criterion)


def _tested(cond: Any) -> set[str]:
    """The items a condition tests."""
    return {leaf.criterion for _, leaf in iter_leaves(cond) if isinstance(leaf, AnswerIs)}


def _stage_steps(result: Assessment, stage: str) -> list[tuple[str, str]]:
    return [(s.id, s.status) for s in result.steps_for(stage)]


def _values(crit_id: str) -> list[Any]:
    criterion = CSET.criteria_by_id[crit_id]
    options = choices(criterion, CSET)
    if options is not None:
        return [v for v, _ in options]
    assert isinstance(criterion.answer, NumberAnswer)
    a = criterion.answer
    return sorted({a.min, a.max, *(float(x) for x in range(int(a.min), int(a.max) + 1, 7))})


@PROFILE
@given(answers_for(CSET), st.data())
def test_answering_a_non_decisive_item_never_changes_the_current_stage_steps(
    answers: Answers, data: st.DataObject
) -> None:
    result = evaluate(CSET, answers)
    stage = result.current_stage
    decisive = {
        u.criterion
        for u in result.decisive_unknowns
        if set(u.steps) & {s.id for s in CSET.next_steps if s.stage == stage}
    }
    # routine checks (and a stage's own outcome, such as the test result) are read as their expected answer
    # while unanswered: answering one otherwise is a new fact, see the properties below
    presumed = {
        m.criterion
        for m in result.missing
        if m.status == "unanswered" and CSET.criteria_by_id[m.criterion].routine_answer is not None
    }
    # a stage's own outcome (the test result) answered Unknown: answering it moves the case to another stage
    # with its own steps, which is what the stage line of the summary says, not a step of this stage held open
    outcomes = {leaf for s in CSET.stages if s.done_when for leaf in _tested(s.done_when)}
    open_items = [m.criterion for m in result.missing if m.criterion not in decisive | presumed | outcomes]
    if not open_items:
        return
    item = data.draw(st.sampled_from(open_items))
    value = data.draw(st.sampled_from(_values(item)))
    after = evaluate(CSET, {**answers, item: (value, "")})
    assert after.current_stage == stage
    before_steps = [(i, status) for i, status in _stage_steps(result, stage) if status == "suggested"]
    after_steps = [(i, status) for i, status in _stage_steps(after, stage) if status == "suggested"]
    if any(s.current and s.blocking for s in result.stages):
        # something already stands in the way: an answer may add a further reason, never undo a step given
        assert set(before_steps) <= set(after_steps), item
        return
    assert after_steps == before_steps, item
    assert [s.id for s in after.steps_for(stage)] == [s.id for s in result.steps_for(stage)], item


@PROFILE
@given(answers_for(CSET), st.data())
def test_answering_every_decisive_item_leaves_nothing_pending(answers: Answers, data: st.DataObject) -> None:
    result = evaluate(CSET, answers)
    stage = result.current_stage
    decisive = [u.criterion for u in result.decisive_for(stage)]
    filled = dict(answers)
    for _ in range(len(CSET.criteria_by_id)):  # answering may make the next stage current; stop at a fixed point
        for item in decisive:
            filled[item] = (data.draw(st.sampled_from(_values(item)), label=item), "")
        after = evaluate(CSET, filled)
        if after.current_stage != stage:
            return
        decisive = [u.criterion for u in after.decisive_for(stage)]
        if not decisive:
            break
    assert decisive == []
    assert [s.id for s in after.steps_for(stage) if s.status == "pending"] == []


@PROFILE
@given(answers_for(CSET), st.data())
def test_adding_an_answer_never_hides_a_contraindication(answers: Answers, data: st.DataObject) -> None:
    unanswered = sorted(set(CSET.criteria_by_id) - set(answers))
    if not unanswered:
        return
    added = data.draw(st.sampled_from(unanswered))
    value = data.draw(_value(CSET, added))
    before = evaluate(CSET, answers)
    after = evaluate(CSET, {**answers, added: (value, "")})
    still = {f.criterion for f in after.by_kind("contraindication")}
    kept_aside = {n.criterion: n for n in after.not_applicable}
    for finding in before.by_kind("contraindication"):
        if finding.criterion in still:
            continue
        # Only a change of applicability may take it off the list, and the answer stays on record.
        assert finding.criterion in kept_aside, finding.criterion
        assert kept_aside[finding.criterion].answer == finding.answer


@PROFILE
@given(answers_for(CSET))
def test_counts_and_lists_agree(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    assert result.applicable + len(result.not_applicable) == len(CSET.criteria_by_id)
    answered = [i for i in result.applicable_ids if answers.get(i, (None,))[0] is not None]
    assert result.answered == len(answered)
    unanswered = {m.criterion for m in result.missing if m.status == "unanswered"}
    assert unanswered == set(result.applicable_ids) - set(answered)
    blocked = {s.id for s in result.stages if s.blocking}
    for step in result.next_steps:
        if step.id in SUPPORTING_STEPS:
            assert step.stage not in blocked, step.id
    if "contraindication" in {f.kind for f in result.findings}:
        # never supported outright; its own step shows, or (when the item may not apply) what decides that
        assert not [s for s in result.next_steps if s.id in SUPPORTING_STEPS and s.status == "suggested"]
        assert {s.id for s in result.next_steps} - SUPPORTING_STEPS or result.decisive_unknowns


def _open_and_known(result: Assessment) -> list[str]:
    """Open items the engine treats as questions: answered Unknown, or unanswered and not read as an expected answer."""
    return [
        m.criterion
        for m in result.missing
        if m.status == "unknown" or CSET.criteria_by_id[m.criterion].routine_answer is None
    ]


@PROFILE
@given(answers_for(CSET), st.data())
def test_a_routine_check_left_unanswered_reads_as_its_expected_answer(answers: Answers, data: st.DataObject) -> None:
    """Pre-test work never holds a step: documenting the expected answer changes no step and no unknown."""
    result = evaluate(CSET, answers)
    if not result.routine:
        return
    check = data.draw(st.sampled_from(result.routine))
    expected = CSET.criteria_by_id[check.criterion].routine_answer
    after = evaluate(CSET, {**answers, check.criterion: (expected, "")})
    assert [(s.id, s.status) for s in after.next_steps] == [(s.id, s.status) for s in result.next_steps]
    assert [u.criterion for u in after.decisive_unknowns] == [u.criterion for u in result.decisive_unknowns]
    assert check.criterion not in {u.criterion for u in result.decisive_unknowns}


@PROFILE
@given(answers_for(CSET), st.data())
def test_implant_stage_items_never_change_the_screening_step(answers: Answers, data: st.DataObject) -> None:
    result = evaluate(CSET, answers)
    if result.current_stage != "screening":
        return
    later = [c.id for c in CSET.iter_criteria() if c.stage == "implantation"]
    item = data.draw(st.sampled_from(later))
    value = data.draw(st.sampled_from([UNKNOWN, *_values(item)]))
    after = evaluate(CSET, {**answers, item: (value, "")})
    assert _stage_steps(after, "screening") == _stage_steps(result, "screening"), item
    assert [u.criterion for u in after.decisive_for("screening")] == [
        u.criterion for u in result.decisive_for("screening")
    ]


@PROFILE
@given(answers_for(CSET), st.data())
def test_every_open_item_whose_answer_changes_the_step_is_decisive(answers: Answers, data: st.DataObject) -> None:
    """The decisive list misses nothing: an open question whose answer changes the current stage's steps is
    on it; once something stands in the way, one whose answer undoes a step given is."""
    result = evaluate(CSET, answers)
    stage = result.current_stage
    order = CSET.stage_order(stage)
    candidates = [cid for cid in _open_and_known(result) if CSET.stage_order(CSET.criteria_by_id[cid].stage) <= order]
    if not candidates:
        return
    item = data.draw(st.sampled_from(candidates))
    decisive = [u.criterion for u in result.decisive_for(stage)]
    blocked = any(s.current and s.blocking for s in result.stages)
    before = _stage_steps(result, stage)
    for value in _values(item):
        after = evaluate(CSET, {**answers, item: (value, "")})
        if after.current_stage != stage:
            continue
        now = _stage_steps(after, stage)
        undone = [s for s in before if s[1] == "suggested" and s not in now]
        if undone if blocked else now != before:
            assert item in decisive, (item, value, before, now)
            return


@PROFILE
@given(answers_for(CSET))
def test_the_decisive_list_is_ranked_blocking_first_and_stable(answers: Answers) -> None:
    result = evaluate(CSET, answers)
    ranked = result.decisive_for(result.current_stage)
    again = evaluate(CSET, dict(reversed(list(answers.items()))))
    assert [u.criterion for u in again.decisive_for(again.current_stage)] == [u.criterion for u in ranked]
    could_block = [" would stand in the way " in u.why for u in ranked]
    assert could_block == sorted(could_block, reverse=True)  # every blocking one before every other
    assert all(u.why for u in ranked)
