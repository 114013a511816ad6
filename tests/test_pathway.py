"""Stages, blocking and decisive unknowns: the vocabulary in YAML, its validation, and the engine's use of it.

The ITB set's clinical behaviour is covered by the golden cases; here a small set with two stages shows
the mechanics (thresholds, applicability, pending steps) and the validator's located errors.
"""

from __future__ import annotations

import random
from typing import get_args

import pytest

from candidacy import CriteriaError, CriteriaSet, evaluate, load_criteria, load_criteria_text
from candidacy.criteria import kinds
from candidacy.criteria.diff import diff_criteria
from candidacy.criteria.models import UNKNOWN, FindingSpec
from candidacy.learning.vignettes import KIND_WEIGHTS
from candidacy.reasoning.assessment import SUMMARY_ORDER
from candidacy.reasoning.logic import State

from .conftest import ROOT
from .golden import GOLDEN

STAGES = """stages:
  - {id: screening, label: Before a screening test, question: Screen now?,
     done_when: {criterion: infection, equals: absent}}
  - {id: implantation, label: Before implantation, question: Implant?}
"""


@pytest.fixture
def staged_text(minimal_text: str) -> str:
    """The minimal set with two stages: age blocks screening below 4; infection is settled before implantation."""
    text = minimal_text.replace("sections:\n", STAGES + "sections:\n", 1)
    for crit, stage in (("walks", "screening"), ("relies", "screening"), ("tone", "screening"), ("age", "screening")):
        text = text.replace(f"      - id: {crit}\n", f"      - id: {crit}\n        stage: {stage}\n", 1)
    text = text.replace("      - id: infection\n", "      - id: infection\n        stage: implantation\n", 1)
    text = text.replace(
        "{kind: caution, statement: Under 4.}", "{kind: caution, blocks: screening, statement: Under 4.}"
    )
    steps = text.index("next_steps:")
    return (
        text[:steps]
        + """next_steps:
  - id: young
    stage: screening
    when: {criterion: age, below: 4}
    step: Specialist decision under 4.
  - id: go
    stage: screening
    when:
      all:
        - not: {blocked: screening}
        - not: {present: unfavourable}
    step: The criteria support a screening test, for the team to decide.
    while_unknown: "The criteria would support a screening test once these are known:"
  - id: implant
    stage: implantation
    when:
      not: {blocked: implantation}
    step: The criteria support discussing implantation.
    while_unknown: "The criteria would support discussing implantation once these are known:"
"""
    )


@pytest.fixture
def staged(staged_text: str) -> CriteriaSet:
    return load_criteria_text(staged_text, "staged.yaml")


def _steps(result: object) -> list[tuple[str, str, str]]:
    return [(s.id, s.stage, s.status) for s in result.next_steps]  # type: ignore[attr-defined]


def test_kinds_are_declared_once() -> None:
    ids = [k.id for k in kinds.KINDS]
    assert list(get_args(kinds.FindingKind)) == ids
    assert list(get_args(FindingSpec.model_fields["kind"].annotation)) == ids
    assert [kind for kind, _ in SUMMARY_ORDER] == ids
    assert {k.id: k.weight for k in kinds.KINDS} == KIND_WEIGHTS
    assert KIND_WEIGHTS["contraindication"] == 3
    assert {k.id for k in kinds.KINDS if k.blocks_by_default} == {"contraindication", "prerequisite-unmet"}


def test_numbers_are_decisive_by_their_thresholds(staged: CriteriaSet) -> None:
    result = evaluate(staged, {"walks": ("no", ""), "tone": ("2", "")})
    assert [(u.criterion, u.steps) for u in result.decisive_unknowns] == [
        ("age", ("young", "go", "implant")),
        ("infection", ("implant",)),
    ]
    pending = result.next_steps[0]
    assert (pending.id, pending.stage, pending.status, pending.awaiting) == ("go", "screening", "pending", ("age",))
    assert pending.step == "The criteria would support a screening test once these are known: Age."
    assert result.current_stage == "screening"
    # an adult's age settles it: the step holds, and infection (an implantation item) does not hold it up
    adult = evaluate(staged, {"walks": ("no", ""), "tone": ("2", ""), "age": (30.0, "")})
    assert _steps(adult) == [("go", "screening", "suggested")]
    assert adult.next_steps[0].basis == (
        "Nothing recorded stands in the way (before a screening test), and nothing unknown could change that; "
        "no factor against is recorded."
    )
    assert [s.open_items for s in adult.stages] == [(), ("infection",)]


def test_a_declared_blocking_caution_has_its_own_step_and_stops_support(staged: CriteriaSet) -> None:
    result = evaluate(staged, {"walks": ("no", ""), "tone": ("2", ""), "age": (3.0, "")})
    assert [f.kind for f in result.findings if f.criterion == "age"] == ["caution"]
    assert _steps(result) == [("young", "screening", "suggested")]
    assert result.stages[0].blocking == ("age",)


def test_an_item_that_may_not_apply_keeps_a_rule_undecided(staged: CriteriaSet) -> None:
    """'relies' applies only to walkers: while walking is unknown, its answer cannot make a step hold."""
    result = evaluate(staged, {"relies": ("yes", ""), "tone": ("2", ""), "age": (30.0, "")})
    assert "walks" in {u.criterion for u in result.decisive_unknowns}
    assert _steps(result) == [("go", "screening", "pending")]


def test_current_stage_follows_done_when(staged: CriteriaSet) -> None:
    done = evaluate(staged, {"walks": ("no", ""), "tone": ("2", ""), "age": (30.0, ""), "infection": ("absent", "")})
    assert done.current_stage == "implantation"
    assert [s.id for s in done.stages_in_reading_order()] == ["implantation", "screening"]
    assert _steps(done) == [("go", "screening", "suggested"), ("implant", "implantation", "suggested")]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "        stage: implantation\n",
            "",
            "staged.yaml:{line}:9: sections.0.criteria.4 [criterion 'infection']: required key 'stage' is missing "
            "(the set declares stages)",
        ),
        (
            "        stage: implantation\n",
            "        stage: surgery\n",
            "staged.yaml:{line}:16: sections.0.criteria.4.stage [criterion 'infection']: unknown stage 'surgery' "
            "(stages: screening, implantation)",
        ),
    ],
)
def test_stage_faults_name_file_line_and_place(staged_text: str, old: str, new: str, message: str) -> None:
    text = staged_text.replace(old, new, 1)
    line = text[: text.index("      - id: infection")].count("\n") + 1 + (1 if new else 0)
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "staged.yaml")
    assert [str(p) for p in caught.value.problems] == [message.format(line=line)]


def test_a_finding_cannot_block_an_earlier_stage(staged_text: str) -> None:
    text = staged_text.replace(
        "{kind: contraindication, statement: Active infection.}",
        "{kind: contraindication, blocks: screening, statement: Active infection.}",
    )
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "staged.yaml")
    [problem] = caught.value.problems
    assert problem.line is not None and problem.criterion == "infection"
    assert problem.path.endswith("options.0.finding.blocks")
    assert problem.message == "a finding of a 'implantation' item cannot block the earlier stage 'screening'"


def test_a_rule_cannot_look_ahead_to_a_later_stage(staged_text: str) -> None:
    text = staged_text.replace(
        "    when: {criterion: age, below: 4}\n", "    when: {criterion: infection, equals: present}\n"
    )
    text = text.replace("        - not: {present: unfavourable}\n", "        - not: {blocked: implantation}\n")
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "staged.yaml")
    assert [(p.path, p.message) for p in caught.value.problems] == [
        (
            "next_steps.0.when.criterion",
            "a 'screening' rule cannot test a later stage: 'infection' is settled before 'implantation'",
        ),
        (
            "next_steps.1.when.all.1.not.blocked",
            "a 'screening' rule cannot test a later stage: that stage comes before 'implantation'",
        ),
    ]
    assert all(p.line for p in caught.value.problems)


def test_blocked_is_not_an_applicability_rule(staged_text: str) -> None:
    text = staged_text.replace('applies_when: {criterion: walks, equals: "yes"}', "applies_when: {blocked: screening}")
    with pytest.raises(CriteriaError) as caught:
        load_criteria_text(text, "staged.yaml")
    assert "'blocked' tests findings and cannot decide whether a criterion applies" in str(caught.value.problems[0])


def test_diff_works_across_the_minor_version(itb: CriteriaSet) -> None:
    old = load_criteria(ROOT / "tests" / "data" / "itb_pump_1.0.0.yaml")
    diff = diff_criteria(old, itb)
    assert (diff.old_version, diff.new_version) == ("1.0.0", itb.version)
    assert itb.version.startswith("1.") and itb.version != "1.0.0"
    assert {"progressive_course", "capacity_consent", "pregnancy_plans", "reliable_support"} <= set(diff.added)
    assert diff.removed == ["oral_agents", "risks_discussed"]  # split in 1.3.0; its migration reads them across
    assert {"answer", "stage"} <= set(diff.changed["seizures"])
    assert {"stages", "next_steps"} <= set(diff.other)


def test_incremental_states_equal_fresh_ones(itb: CriteriaSet) -> None:
    """The cheap hypothetical state used for decisive unknowns is the state a full evaluation would build."""
    evaluate(itb, {})  # builds the plan once
    plans = itb.memo("engine.plan", lambda c: None).pathway.items  # type: ignore[union-attr]
    rng = random.Random(7)
    for _ in range(300):
        values = {cid: rng.choice(plan.values) for cid, plan in plans.items() if rng.random() < 0.5}
        values.update({cid: UNKNOWN for cid in plans if cid not in values and rng.random() < 0.3})
        base = State(itb, plans, values)
        cid = rng.choice([c for c in plans if values.get(c) in (None, UNKNOWN)] or list(plans))
        value = rng.choice(plans[cid].values)
        quick, fresh = base.with_answer(cid, value), State(itb, plans, {**values, cid: value})
        for stage in range(len(itb.stages)):
            assert quick.blocked(stage) == fresh.blocked(stage), cid
            assert sorted(quick.blocking(stage)) == sorted(fresh.blocking(stage)), cid
            for kind in kinds.FINDING_KINDS:
                assert quick.present(kind, stage) == fresh.present(kind, stage), (cid, kind)
        assert all(quick.applies(c) == fresh.applies(c) for c in plans), cid


def test_no_step_mentions_cautions_that_are_not_there(itb: CriteriaSet) -> None:
    from candidacy import check_answers

    for label, answer_set in GOLDEN:
        result = evaluate(itb, check_answers(itb, answer_set))
        if not result.by_kind("caution"):
            for step in result.next_steps:
                assert "caution" not in (step.step + step.basis).lower(), (label, step.id)


def test_the_meeting_step_is_the_current_stage_step(itb: CriteriaSet) -> None:
    """After a positive test in a walker, the room sees the implantation step, not the screening-stage one."""
    from candidacy import check_answers
    from candidacy.reports.meeting import meeting_step

    from .golden import BASELINE, answer_set

    walker = {
        **BASELINE["answers"],
        "ambulatory": "yes",
        "leg_strength": "yes",
        "screening_test": "positive",
        "screening_definition": "goal_based",
        "screening_reaction": "none",
    }
    result = evaluate(itb, check_answers(itb, answer_set(walker)))
    assert [(s.id, s.stage) for s in result.next_steps] == [
        ("protect_walking", "screening"),
        ("after_positive_screening", "implantation"),
    ]
    step = meeting_step(result)
    assert step is not None and step.id == "after_positive_screening"
