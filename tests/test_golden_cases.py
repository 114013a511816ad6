"""Golden cases, written as a clinician would read them (tests/cases/*.yaml): answers in, findings out.

Each file names the case in a sentence, gives every answer, and lists the criteria behind each kind of
finding and the next steps the criteria suggest. The expectations were written by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from candidacy import FINDING_KINDS, AnswerSet, CriteriaSet, check_answers, evaluate
from candidacy.criteria.yamlsource import read_file

CASES = sorted((Path(__file__).parent / "cases").glob("*.yaml"))


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden_case(itb: CriteriaSet, path: Path) -> None:
    case = read_file(path).data
    answer_set = AnswerSet.model_validate({"criteria": case["criteria"], "answers": case["answers"]})
    result = evaluate(itb, check_answers(itb, answer_set))
    expect = case["expect"]
    got = {kind: sorted(f.criterion for f in result.by_kind(kind)) for kind in FINDING_KINDS}
    assert got == {kind: expect[kind] for kind in FINDING_KINDS}, case["name"]
    assert [s.id for s in result.next_steps] == expect["next_steps"], case["name"]
    for criterion in case["exercises"]:
        assert criterion in result.applicable_ids, f"{path.name}: '{criterion}' is not exercised (not applicable)"


def test_cases_cover_the_selection_themes() -> None:
    exercised: set[str] = set()
    steps: set[str] = set()
    for path in CASES:
        case = read_file(path).data
        exercised |= set(case["exercises"])
        steps |= set(case["expect"]["next_steps"])
    for theme in ("distribution", "limb_predominance", "relies_on_tone", "active_infection", "vp_shunt", "goals"):
        assert theme in exercised
    assert {"support_screening", "focal_or_mild", "contraindication_recorded", "obtain_missing"} <= steps
