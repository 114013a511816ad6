"""Teaching vignettes stay true to the criteria: reference answers valid, expectations equal the engine."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from candidacy import AnswerSet, CriteriaError, CriteriaSet, check_answers, evaluate
from candidacy.cli import main
from candidacy.criteria.models import FINDING_KINDS
from candidacy.learning.vignettes import compare, load_vignettes, quiz_items

from .conftest import ROOT

FOLDER = ROOT / "criteria" / "vignettes" / "itb_pump"


@pytest.fixture(scope="module")
def vignettes(itb: CriteriaSet) -> list:
    return load_vignettes(FOLDER, itb)


def test_at_least_fifteen_vignettes_spanning_the_themes(vignettes: list) -> None:
    assert len(vignettes) >= 15
    causes = {c for v in vignettes for c in v.causes}
    assert {"multiple_sclerosis", "spinal_cord_injury", "cerebral_palsy", "stroke", "traumatic_brain_injury"} <= causes
    themes = {t for v in vignettes for t in v.themes}
    assert {
        "good-candidate",
        "focal-or-mild",
        "upper-limb",
        "relies-on-tone",
        "contraindication",
        "not-a-contraindication",
        "missing-information",
        "relative",
    } <= themes


# What each teaching theme promises the trainee, checked against the engine. The loader (the fixture)
# already insists that a vignette's stored findings equal the engine's; this checks something it does not:
# that the case teaches what its theme says (a "contraindication" vignette really has one, and so on).
THEME_PROMISES = {
    "contraindication": lambda n: n["contraindication"] >= 1,
    "not-a-contraindication": lambda n: n["contraindication"] == 0 and n["caution"] >= 1,
    "good-candidate": lambda n: n["contraindication"] == n["unfavourable"] == n["missing"] == 0,
    "missing-information": lambda n: n["missing"] >= 1,
    "focal-or-mild": lambda n: n["unfavourable"] >= 1,
    "upper-limb": lambda n: n["unfavourable"] >= 1,
    "relies-on-tone": lambda n: n["unfavourable"] >= 1,
}


def test_each_vignette_teaches_what_its_themes_promise(itb: CriteriaSet, vignettes: list) -> None:
    broken = []
    for vignette in vignettes:
        result = evaluate(itb, check_answers(itb, vignette.reference_answers()))
        counts = {kind: len(result.by_kind(kind)) for kind in FINDING_KINDS}
        broken += [f"{vignette.id}: {t} {counts}" for t in vignette.themes if t in THEME_PROMISES
                   and not THEME_PROMISES[t](counts)]  # fmt: skip
        assert all(ref.because for ref in vignette.reference.values()), vignette.id
    assert broken == []
    assert {t for v in vignettes for t in v.themes} >= set(THEME_PROMISES)


def test_a_drifted_vignette_is_reported_with_its_line(itb: CriteriaSet, tmp_path: Path) -> None:
    shutil.copy(FOLDER / "v07_relies_on_tone.yaml", tmp_path / "v07.yaml")
    text = (tmp_path / "v07.yaml").read_text()
    (tmp_path / "v07.yaml").write_text(text.replace("  - protect_walking\n", ""))
    with pytest.raises(CriteriaError) as caught:
        load_vignettes(tmp_path, itb)
    [problem] = caught.value.problems
    assert problem.file == str(tmp_path / "v07.yaml") and problem.line is not None
    assert problem.path == "expected.next_steps"
    assert problem.message == (
        "the engine suggests ['protect_walking', 'weigh_factors', 'lower_first_dose_ms']; "
        "the vignette expects ['weigh_factors', 'lower_first_dose_ms']"
    )


def test_bad_reference_answer_names_the_criterion(itb: CriteriaSet, tmp_path: Path) -> None:
    text = (FOLDER / "v01_ms_wheelchair.yaml").read_text().replace("value: multiple_sclerosis", "value: ms", 1)
    (tmp_path / "v01.yaml").write_text(text)
    with pytest.raises(CriteriaError) as caught:
        load_vignettes(tmp_path, itb)
    first = caught.value.problems[0]
    assert (first.path, first.criterion) == ("reference.cause.value", "cause")
    assert "'ms' is not an answer of this item" in first.message


def test_validate_command_checks_vignettes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "criteria" / "itb_pump.yaml", tmp_path / "itb_pump.yaml")
    folder = tmp_path / "vignettes" / "itb_pump"
    folder.mkdir(parents=True)
    text = (FOLDER / "v05_focal_mild.yaml").read_text().replace("  - focal_or_mild\n", "")
    (folder / "v05.yaml").write_text(text)
    done = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert done.exit_code == 1
    assert "v05.yaml:" in done.stderr and "expected.next_steps" in done.stderr
    ok = CliRunner().invoke(main, ["validate"])
    assert ok.exit_code == 0 and "vignettes" in ok.stdout


def test_compare_scores_contraindications_most(itb: CriteriaSet, vignettes: list) -> None:
    allergy = next(v for v in vignettes if v.id == "v09_true_allergy")
    perfect = compare(itb, allergy, allergy.reference_answers())
    assert perfect.percent == 100 and perfect.steps_agree
    answers = allergy.reference_answers().model_copy(deep=True)
    answers.answers["baclofen_hypersensitivity"].value = "none"
    missed = compare(itb, allergy, answers)
    assert missed.missed["contraindication"] == ["Hypersensitivity to baclofen"]
    assert missed.by_kind["contraindication"] == (0, 3)
    assert not missed.steps_agree
    wrong = next(i for i in missed.items if i.criterion == "baclofen_hypersensitivity")
    assert (wrong.agrees, wrong.trainee, wrong.reference) == (False, "None", "True hypersensitivity documented")
    empty = compare(itb, allergy, AnswerSet(criteria="itb_pump"))
    assert empty.score == 0


def test_quiz_items_come_from_the_case_facts(itb: CriteriaSet, vignettes: list) -> None:
    items = quiz_items(itb, vignettes)
    assert len(items) > 100
    tone = next(i for i in items if i.vignette == "v07_relies_on_tone" and i.criterion == "relies_on_tone")
    assert tone.answer == "yes" and "stands on extensor stiffness" in tone.prompt
    assert not any("pre-meeting checklist" in i.prompt for i in items)
