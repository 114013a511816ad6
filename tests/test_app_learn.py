"""The Learn page through AppTest: practise a vignette, compare, retry; the quick quiz."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from candidacy import load_criteria
from candidacy.criteria.values import answer_label
from candidacy.learning.practice import WARN_AT
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


def unanswered_in_warning(app: AppTest) -> int:
    found = [re.match(r"(\d+) of \d+ applicable items are not answered yet", w.value) for w in app.warning]
    numbers = [int(m[1]) for m in found if m]
    assert numbers, "no warning about unanswered items"
    return numbers[0]


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
    # Most items are unanswered: a warning first, nothing compared yet.
    assert unanswered_in_warning(app) >= WARN_AT
    assert not app.get("metric")
    app.button(key="learn-submit-anyway-v09_true_allergy").click().run()
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


def test_case_reads_as_a_letter_with_its_checklist_enclosed() -> None:
    app = learn()
    app.selectbox(key="learn-vignette").set_value("v01_ms_wheelchair").run()
    texts = [m.value for m in app.markdown]
    letter = next(t for t in texts if t.startswith("Dear colleagues,"))
    assert "58-year-old woman" in letter and "Enclosed: pre-meeting checklist, documented." in letter
    assert "no baclofen allergy" not in letter  # the checklist is not read as part of the letter
    enclosure = next(t for t in texts if t.startswith("**Enclosure: Pre-meeting checklist, documented**"))
    assert "\n- no baclofen allergy\n" in enclosure
    assert "- tone changes with the speed of stretch (no fixed contracture)\n" in enclosure


def test_many_unanswered_asks_before_comparing() -> None:
    app = learn()
    app.selectbox(key="learn-vignette").set_value("v09_true_allergy").run()
    app.button(key="learn-submit-v09_true_allergy").click().run()
    checklist = [w for w in [*app.button_group, *app.number_input] if str(w.key).startswith(f"{SCOPE}-answer-")]
    assert unanswered_in_warning(app) == len(checklist)  # nothing answered: every applicable item
    app.button(key="learn-keep-v09_true_allergy").click().run()
    assert not [w for w in app.warning if "not answered yet" in w.value] and not app.get("metric")
    assert app.button(key="learn-submit-v09_true_allergy")  # back to the checklist, nothing lost


def _quiz_answer(app: AppTest, right: bool) -> None:
    """Answer the current quiz question, rightly or not, from the reference the core holds."""
    from candidacy.learning.quiz import question_at
    from candidacy.learning.vignettes import quiz_items

    cset = load_criteria(ITB)
    items = quiz_items(cset, load_vignettes(ROOT / "criteria" / "vignettes" / "itb_pump", cset))
    number = next(
        int(m.value.split(".")[0].removeprefix("**Question "))
        for m in app.markdown
        if m.value.startswith("**Question ")
    )
    item = question_at(items, number - 1)
    radios = [r for r in app.radio if r.key == "quiz-answer"]
    if radios:
        radios[0].set_value(item.answer if right else "unknown" if item.answer != "unknown" else "yes").run()
    else:
        app.number_input(key="quiz-answer").set_value(item.answer if right else -1).run()


def test_quiz_needs_a_choice_and_keeps_score() -> None:
    app = learn()
    assert any(m.value == "**Score so far:** No question checked yet" for m in app.markdown)
    assert app.button(key="quiz-check").disabled  # nothing chosen: nothing to check
    assert not app.error and not app.success
    _quiz_answer(app, right=True)
    app.button(key="quiz-check").click().run()
    assert any(s.value.startswith("Correct. The reference answer is") for s in app.success)
    app.button(key="quiz-check").click().run()  # checking again does not count twice
    assert any(m.value == "**Score so far:** 1 of 1 correct (100%)" for m in app.markdown)
    app.button(key="quiz-next").click().run()
    assert any(m.value.startswith("**Question 2.**") for m in app.markdown)
    assert app.button(key="quiz-check").disabled
    _quiz_answer(app, right=False)
    app.button(key="quiz-check").click().run()
    feedback = [e.value for e in app.error]
    assert any(f.startswith("Not quite: you chose") and "Why it matters" in f for f in feedback)
    assert any(m.value == "**Score so far:** 1 of 2 correct (50%)" for m in app.markdown)
