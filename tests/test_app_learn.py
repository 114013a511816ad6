"""The Learn page through AppTest: practise a vignette, compare, retry; the quick quiz."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from candidacy import load_criteria
from candidacy.criteria.values import answer_label
from candidacy.learning.vignettes import load_vignettes

from .conftest import ITB, ROOT

APP = str(ROOT / "app.py")
SCOPE = "learn-v09_true_allergy-itb_pump"


def learn() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("views/learn.py").run()
    assert not app.exception
    return app


def test_practise_compare_and_retry() -> None:
    app = learn()
    app.selectbox(key="learn-theme").set_value("contraindication").run()
    app.selectbox(key="learn-vignette").set_value("v09_true_allergy").run()
    assert any("anaphylaxis" in m.value for m in app.markdown)
    text = " ".join(m.value for m in app.markdown) + " ".join(s.value for s in app.success)
    assert "Teaching point" not in text and "Reference" not in text  # nothing given away before submitting
    app.button_group(key=f"{SCOPE}-answer-baclofen_hypersensitivity").set_value("hypersensitivity").run()
    app.button_group(key=f"{SCOPE}-answer-cause").set_value("spinal_cord_injury").run()
    app.button(key="learn-submit-v09_true_allergy").click().run()
    assert not app.exception
    score = app.get("metric")[0]
    assert 0 < int(score.proto.body.rstrip("%")) < 100
    tables = [m.value for m in app.markdown if m.value.startswith("| | Criterion")]
    assert tables and "| ✓ | Hypersensitivity to baclofen | True hypersensitivity documented |" in tables[0]
    assert "| ✗ | Severity" not in tables[0]
    assert any("Teaching point" in s.value for s in app.success)
    assert any("Done in this session: 1 of" in c.value for c in app.caption)
    app.button(key="learn-retry-v09_true_allergy").click().run()
    assert app.button_group(key=f"{SCOPE}-answer-cause").value is None


def test_perfect_answers_score_full_marks() -> None:
    cset = load_criteria(ITB)
    vignette = next(
        v for v in load_vignettes(ROOT / "criteria" / "vignettes" / "itb_pump", cset) if v.id == "v05_focal_mild"
    )
    app = learn()
    app.selectbox(key="learn-vignette").set_value(vignette.id).run()
    scope = f"learn-{vignette.id}-itb_pump"
    for cid, ref in vignette.reference.items():
        if cset.criteria_by_id[cid].answer.type == "number":
            app.number_input(key=f"{scope}-answer-{cid}").set_value(ref.value).run()
        else:
            app.button_group(key=f"{scope}-answer-{cid}").set_value(str(ref.value)).run()
    app.button(key=f"learn-submit-{vignette.id}").click().run()
    assert app.get("metric")[0].proto.body == "100%"
    assert any(m.value.startswith("**Next step (agrees):**") for m in app.markdown)
    label = answer_label(cset.criteria_by_id["distribution"], cset, "focal")
    assert label in " ".join(m.value for m in app.markdown)


def test_quick_quiz_gives_immediate_feedback() -> None:
    app = learn()
    question = [m.value for m in app.markdown if m.value.startswith("**Question 1.**")]
    assert question
    radios = [r for r in app.radio if r.key == "quiz-answer"]
    if radios:
        radios[0].set_value("unknown").run()
    else:
        app.number_input(key="quiz-answer").set_value(0).run()
    app.button(key="quiz-check").click().run()
    feedback = [e.value for e in app.error] + [s.value for s in app.success]
    assert any("The reference answer is" in f and "Why it matters" in f for f in feedback)
    app.button(key="quiz-next").click().run()
    assert any(m.value.startswith("**Question 2.**") for m in app.markdown)
