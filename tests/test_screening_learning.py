"""Teaching screening worksheets: checked against the core, judged before the reference is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from candidacy.criteria.loader import load_criteria
from candidacy.errors import CandidacyError
from candidacy.learning.screening import judge, load_teaching, teaching_folder
from candidacy.learning.vignettes import load_vignettes

from .screening_support import ROOT, protocol

FOLDER = teaching_folder(ROOT / "criteria")


def _vignette_ids() -> set[str]:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    return {v.id for v in load_vignettes(ROOT / "criteria" / "vignettes" / cset.id, cset)}


def test_every_outcome_has_a_teaching_worksheet_tied_to_a_vignette() -> None:
    teaching = load_teaching(FOLDER, protocol(), _vignette_ids())
    outcomes = {t.reference.outcome for t in teaching}
    assert outcomes == {"positive_function_kept", "tone_reduced_function_lost", "no_response_100", "unclear"}
    by_id = {t.id: t for t in teaching}
    assert by_id["t03_goal_based_function_lost"].worksheet.plan.definition == "goals_met"
    hours = {p.hour for d in by_id["t04_observed_at_2_4_6_hours"].worksheet.doses for p in d.observations}
    assert hours == {0, 2, 4, 6}  # read without an 8-hour value


@pytest.mark.parametrize("ident", [p.stem for p in sorted(FOLDER.glob("*.yaml"))])
def test_each_teaching_worksheet_is_judged_in_the_app(ident: str) -> None:
    proto = protocol()
    teaching = {t.id: t for t in load_teaching(FOLDER, proto)}[ident]
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("views/learn.py").run()
    app.selectbox(key="learn-screening-chosen").set_value(ident).run()
    app.radio(key=f"learn-screening-{ident}-outcome").set_value(teaching.reference.outcome)
    lost = any(d.function_lost for d in judge(proto, teaching, teaching.reference.outcome, True).result.doses)
    app.radio(key=f"learn-screening-{ident}-lost").set_value("yes" if lost else "no").run()
    app.button(key=f"learn-screening-{ident}-submit").click().run()
    assert not app.exception
    assert any("2 of 2 agree" in h.value for h in app.subheader)


def test_judging_scores_the_outcome_and_the_function_reading() -> None:
    proto = protocol()
    teaching = {t.id: t for t in load_teaching(FOLDER, proto)}["t02_tone_reduced_function_lost"]
    fooled = judge(proto, teaching, "positive_function_kept", function_lost=False)
    assert fooled.score == (0, 2)
    assert fooled.reference_outcome == "Function lost during the test"
    right = judge(proto, teaching, "tone_reduced_function_lost", function_lost=True)
    assert right.score == (2, 2)
    losses = [loss.item for d in right.result.doses for loss in d.function_lost]
    assert losses == ["standing", "walking", "timed_walk"]


def test_a_reference_that_disagrees_with_the_worksheet_is_refused(tmp_path: Path) -> None:
    text = (FOLDER / "t01_responder.yaml").read_text(encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(
        text.replace("outcome: positive_function_kept", "outcome: unclear"), encoding="utf-8"
    )
    with pytest.raises(CandidacyError) as caught:
        load_teaching(tmp_path, protocol())
    assert "the worksheet computes 'positive_function_kept'; the reference says 'unclear'" in str(caught.value)
    assert "bad.yaml:" in str(caught.value)


def test_the_trainee_judges_before_the_reference_is_shown() -> None:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    app.switch_page("views/learn.py").run()
    app.selectbox(key="learn-screening-chosen").set_value("t02_tone_reduced_function_lost").run()
    assert not app.exception
    shown = " ".join(m.value for m in app.markdown) + " ".join(i.value for i in app.info)
    assert "is not offset by the fall in tone" not in shown  # the reference stays hidden
    submit = app.button(key="learn-screening-t02_tone_reduced_function_lost-submit")
    assert submit.disabled
    app.radio(key="learn-screening-t02_tone_reduced_function_lost-outcome").set_value("positive_function_kept")
    app.radio(key="learn-screening-t02_tone_reduced_function_lost-lost").set_value("no").run()
    app.button(key="learn-screening-t02_tone_reduced_function_lost-submit").click().run()
    assert not app.exception
    assert any("0 of 2 agree" in h.value for h in app.subheader)
    assert any("is not offset by the fall in tone" in i.value for i in app.info)
    text = " ".join(m.value for m in app.markdown)
    assert "Function lost: Standing: stands without help at baseline, cannot stand at 2 h." in text
