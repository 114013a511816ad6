"""The app through Streamlit's AppTest: widgets found by key, the summary read back from the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import TextArea

from candidacy import load_criteria
from candidacy.draft import draft_json
from candidacy.reasoning.answers import AnswerSet

from .conftest import ITB, ROOT

APP = str(ROOT / "app.py")
EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"


def k(role: str, name: str = "") -> str:
    return f"itb_pump-{role}-{name}" if name else f"itb_pump-{role}"


def note(app: AppTest, crit: str) -> TextArea:
    """The note box of an item, opening its "note" control first when it is closed."""
    if not any(t.key == k("note", crit) for t in app.text_area):
        app.session_state[k("notes", crit)] = True
        app.run()
    return app.text_area(key=k("note", crit))


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def markdown(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown]


def headings(app: AppTest) -> list[str]:
    return [v for v in markdown(app) if v.startswith("##### ")]


def expander_labels(app: AppTest) -> list[str]:
    return [e.label for e in app.expander]


def summary_blocks(app: AppTest) -> list[str]:
    """The summary's category boxes and headings (alerts carry the colour, their first line the name)."""
    return [e.value for e in (*app.error, *app.warning, *app.info, *app.markdown)]


def has_category(app: AppTest, title: str) -> bool:
    return any(title in block.split("\n")[0] for block in summary_blocks(app))


def finding_line(app: AppTest, criterion: str, title: str) -> str:
    """The summary's line for one finding: the title links to the question."""
    start = f"- **[{title}](#q-{criterion})**: "
    lines = [line for block in summary_blocks(app) for line in block.split("\n") if line.startswith(start)]
    assert lines, f"no summary line for {criterion}"
    return lines[0].removeprefix(start)


def test_both_pages_render(at: AppTest) -> None:
    assert at.title[0].value == "Assess a case"
    # every item that applies to an empty draft: the questions about a test's result wait for a test
    assert len(at.button_group) + len(at.number_input) == 55
    assert "itb_pump-answer-screening_definition" not in [b.key for b in at.button_group]
    assert any(i.value.startswith("Decision support for clinician review") for i in at.info)
    at.switch_page("views/criteria.py").run()
    assert not at.exception
    assert at.title[0].value == "Criteria"
    assert any("sha256" in m for m in markdown(at))
    assert len([e for e in at.expander if "`" in e.label]) == 57


def test_nothing_is_pre_answered(at: AppTest) -> None:
    assert all(r.value is None for r in at.button_group)
    assert all(n.value is None for n in at.number_input)
    assert "Answered 0 of 55 applicable items" in [p.proto.text for p in at.get("progress")]


def test_every_answer_type_feeds_the_summary(at: AppTest) -> None:
    at.button_group(key=k("answer", "active_infection")).set_value("yes").run()  # yes / no
    at.button_group(key=k("answer", "distribution")).set_value("focal").run()  # choice
    at.button_group(key=k("answer", "lower_limb_mas")).set_value("4").run()  # scale
    at.number_input(key=k("answer", "age_years")).set_value(3).run()  # number
    assert not at.exception
    assert has_category(at, "Contraindications (1)")
    assert has_category(at, "Cautions (1)")
    assert has_category(at, "Factors against (1)")
    assert has_category(at, "Factors in favour (1)")
    assert finding_line(at, "active_infection", "Active infection").startswith("Active infection")
    assert finding_line(at, "age_years", "Age").startswith("Under 4 years")
    steps = [m for m in markdown(at) if m.startswith("1. ")]
    assert steps and steps[0].startswith("1. Active infection: defer the screening test")


def test_number_can_be_unknown(at: AppTest) -> None:
    at.checkbox(key=k("unknown", "age_years")).check().run()
    assert at.number_input(key=k("answer", "age_years")).disabled
    assert has_category(at, "Missing information (1)")
    assert finding_line(at, "age_years", "Age").startswith("Not known: Age.")


def test_unknown_is_shown_apart_from_unanswered(at: AppTest) -> None:
    at.button_group(key=k("answer", "seizures")).set_value("unknown").run()
    assert has_category(at, "Missing information (1)")
    assert "##### Not yet answered (54)" in [h.split("\n")[0] for h in headings(at)]


def test_items_that_do_not_apply_say_why(at: AppTest) -> None:
    at.button_group(key=k("answer", "leg_strength")).set_value("no").run()
    at.button_group(key=k("answer", "ambulatory")).set_value("no").run()
    assert not [r for r in at.button_group if r.key == k("answer", "leg_strength")]
    captions = [c.value for c in at.caption]
    assert "Applies only when 'Walks' is 'Yes'. Earlier answer kept: No." in captions
    assert "Answered 1 of 54 applicable items" in [p.proto.text for p in at.get("progress")]
    at.button_group(key=k("answer", "ambulatory")).set_value("yes").run()
    assert at.button_group(key=k("answer", "leg_strength")).value == "no"  # nothing was lost


def test_answers_and_notes_survive_page_switches(at: AppTest) -> None:
    at.button_group(key=k("answer", "cause")).set_value("traumatic_brain_injury").run()
    at.number_input(key=k("answer", "months_since_tbi")).set_value(6).run()
    note(at, "cause").input("Fall from height, 2026").run()
    at.text_input(key=k("case", "label")).input("TBI-meeting-07").run()
    at.switch_page("views/criteria.py").run()
    at.switch_page("views/assess.py").run()
    assert not at.exception
    assert at.button_group(key=k("answer", "cause")).value == "traumatic_brain_injury"
    assert at.number_input(key=k("answer", "months_since_tbi")).value == 6
    assert note(at, "cause").value == "Fall from height, 2026"
    assert at.text_input(key=k("case", "label")).value == "TBI-meeting-07"
    assert has_category(at, "Contraindications (1)")


def test_identifier_like_label_gets_a_warning(at: AppTest) -> None:
    at.text_input(key=k("case", "label")).input("Jane 943 476 5919").run()
    assert any("pseudonymous label" in w.value for w in at.warning)
    at.text_input(key=k("case", "label")).input("MS-meeting-03").run()
    assert not any("pseudonymous label" in w.value for w in at.warning)


def _saved_example() -> bytes:
    cset = load_criteria(ITB)
    from candidacy.criteria.yamlsource import read_file

    data = read_file(EXAMPLE).data
    return draft_json(AnswerSet.model_validate(data)).encode() if cset else b""


def test_upload_of_a_saved_case_resumes_it(at: AppTest) -> None:
    at.file_uploader(key="resume-upload").set_value(("case.json", _saved_example(), "application/json")).run()
    assert not at.exception
    assert any(s.value.startswith("Loaded 50 answers from case.json") for s in at.success)
    assert at.button_group(key=k("answer", "ambulatory")).value == "no"
    assert at.text_input(key=k("case", "label")).value == "MS-meeting-03"
    assert note(at, "oral_baclofen").value.startswith("Baclofen to 80 mg/day")
    steps = [m for m in markdown(at) if m.startswith("1. ")]
    assert steps[0].startswith("1. The criteria support proceeding to an intrathecal screening test")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.json", b'{"criteria": "itb_pump", "answers": ', "not valid YAML"),
        (
            "other.json",
            json.dumps({"criteria": "botox_clinic", "answers": {}}).encode(),
            "criteria set 'botox\\_clinic'",
        ),
        (
            "wrong.json",
            json.dumps({"criteria": "itb_pump", "answers": {"age_years": {"value": 400}}}).encode(),
            "400 is out of range",
        ),
    ],
)
def test_bad_upload_is_refused_and_work_is_kept(at: AppTest, name: str, content: bytes, expected: str) -> None:
    at.button_group(key=k("answer", "cause")).set_value("stroke").run()
    at.file_uploader(key="resume-upload").set_value((name, content, "application/json")).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("Not loaded; the current work is unchanged.")
    assert expected in errors[0]
    assert at.button_group(key=k("answer", "cause")).value == "stroke"


def test_downloads_do_not_rerun(at: AppTest) -> None:
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) == {"download-pdf", "download-markdown", "download-fhir", "download-json"}


def test_invalid_criteria_file_is_shown_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "itb_pump.yaml").write_text(
        ITB.read_text(encoding="utf-8").replace('version: "1.3.0"', "version: 1.10")
    )
    (tmp_path / "broken.yaml").write_text("id: [unclosed\n")
    monkeypatch.setenv("CANDIDACY_CRITERIA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert any("itb\\_pump.yaml:7:10: version:" in e and "put it in quotes" in e for e in errors)
    assert any("broken.yaml" in e and "not valid YAML" in e for e in errors)
    assert any("No valid criteria set" in w.value for w in app.warning)


def test_upload_of_a_fhir_response_resumes_the_case(at: AppTest) -> None:
    from candidacy.criteria.yamlsource import read_file
    from candidacy.fhir import questionnaire_response
    from candidacy.fhir.response import dumps

    cset = load_criteria(ITB)
    answer_set = AnswerSet.model_validate(read_file(EXAMPLE).data)
    raw = dumps(questionnaire_response(cset, answer_set)).encode()
    at.file_uploader(key="resume-upload").set_value(("case.fhir.json", raw, "application/fhir+json")).run()
    assert not at.exception
    assert any(s.value.startswith("Loaded 50 answers from case.fhir.json") for s in at.success)
    assert at.button_group(key=k("answer", "ambulatory")).value == "no"


def test_criteria_page_offers_the_fhir_questionnaire(at: AppTest) -> None:
    at.switch_page("views/criteria.py").run()
    keys = {b.key for b in at.get("download_button")}
    assert keys == {"download-questionnaire-R5", "download-questionnaire-R4B"}


def test_several_criteria_sets_itb_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ITB.read_text(encoding="utf-8")
    (tmp_path / "itb_pump.yaml").write_text(text)
    other = text.replace("id: itb_pump\n", "id: itb_teaching_copy\n", 1).replace(
        "title: Intrathecal baclofen (ITB) pump — candidate selection criteria", "title: A second criteria set", 1
    )
    (tmp_path / "a_second.yaml").write_text(other)
    monkeypatch.setenv("CANDIDACY_CRITERIA_DIR", str(tmp_path))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    picker = app.selectbox(key="criteria-set")
    assert picker.value == "itb_pump"
    assert set(picker.options) == {
        "Intrathecal baclofen (ITB) pump — candidate selection criteria",
        "A second criteria set",
    }
    app.button_group(key=k("answer", "cause")).set_value("stroke").run()
    app.selectbox(key="criteria-set").set_value("itb_teaching_copy").run()
    assert app.button_group(key="itb_teaching_copy-answer-cause").value is None
    app.selectbox(key="criteria-set").set_value("itb_pump").run()
    assert app.button_group(key=k("answer", "cause")).value == "stroke"  # each set keeps its own draft
