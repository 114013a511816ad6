"""SDC observation-based extraction: what the Bundle holds for a golden answer set, what gives nothing,
that it is valid in R5 and R4B, and the command line's errors (file and field named)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from candidacy import AnswerSet, CriteriaSet, load_criteria
from candidacy.cli import main
from candidacy.criteria.models import UNKNOWN
from candidacy.fhir import extraction_bundle, questionnaire_response
from candidacy.fhir.checks import FhirError, validate
from candidacy.fhir.extract import observation_items
from candidacy.fhir.response import dumps

from .clock_support import TEST_NOW, TODAY, at
from .conftest import ITB, ROOT

DATA = Path(__file__).resolve().parent / "data"
OBS = DATA / "observations.yaml"
GOLDEN = DATA / "observations-bundle.json"
EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"
CASE = {"label": "OBS-07", "assessor": "Dr B. Example", "role": "Physiotherapist", "assessed_on": "2026-11-20"}
ANSWERS = {
    "walks": {"value": "yes"},
    "body_weight": {"value": 72.5, "note": "Weighed in clinic."},
    "bmi": {"value": 24.1},
    "motor": {"value": "5"},
    "epilepsy": {"value": "yes"},
}


@pytest.fixture(scope="module")
def obs() -> CriteriaSet:
    return load_criteria(OBS)


def _answers(answers: dict[str, Any], case: dict[str, Any] | None = None) -> AnswerSet:
    return AnswerSet.model_validate({"criteria": "obs", "case": CASE if case is None else case, "answers": answers})


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle.get("entry", []) if e["resource"]["resourceType"] == kind]


def test_golden_answer_set_gives_the_stored_bundle(obs: CriteriaSet) -> None:
    bundle = extraction_bundle(obs, _answers(ANSWERS))
    assert bundle == json.loads(GOLDEN.read_text(encoding="utf-8")), (
        "the extracted Bundle changed: if on purpose, regenerate tests/data/observations-bundle.json"
    )


def test_golden_bundle_contents_in_words(obs: CriteriaSet) -> None:
    bundle = extraction_bundle(obs, _answers(ANSWERS))
    assert bundle["type"] == "transaction"
    weight, bmi, motor = _resources(bundle, "Observation")
    assert [o["code"]["coding"][1]["code"] for o in (weight, bmi, motor)] == ["29463-7", "39156-5", "9268-4"]
    assert weight["valueQuantity"] == {"value": 72.5, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}
    assert bmi["valueQuantity"]["code"] == "kg/m2"
    assert motor["valueCodeableConcept"]["coding"][0]["code"] == "5"
    for o in (weight, bmi, motor):
        assert o["status"] == "final"
        assert o["effectiveDateTime"] == "2026-11-20"  # the assessment date
        assert o["subject"]["identifier"]["value"] == "OBS-07"  # the pseudonymous label, nothing else
    [provenance] = _resources(bundle, "Provenance")
    urls = [e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert [t["reference"] for t in provenance["target"]] == urls
    assert provenance["recorded"] == TEST_NOW.isoformat().replace("+00:00", "Z")
    assert provenance["agent"][0]["who"] == {"display": "Dr B. Example"}
    assert all(e["request"]["method"] == "POST" for e in bundle["entry"])


def test_blank_unknown_and_not_applicable_items_give_nothing(obs: CriteriaSet) -> None:
    answers = {
        "walks": {"value": "no"},
        "bmi": {"value": 24.1},
        "motor": {"value": UNKNOWN},
        "epilepsy": {"value": "no"},
    }
    bundle = extraction_bundle(obs, _answers(answers))  # weight blank, BMI does not apply, motor unknown
    assert "entry" not in bundle
    validate(bundle, "R5")


def test_the_effective_date_is_today_on_the_project_clock_without_an_assessment_date(
    obs: CriteriaSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = extraction_bundle(obs, _answers(ANSWERS, {"label": "OBS-07"}))
    assert {o["effectiveDateTime"] for o in _resources(bundle, "Observation")} == {TODAY.isoformat()}
    assert [a["type"]["coding"][0]["code"] for a in _resources(bundle, "Provenance")[0]["agent"]] == ["assembler"]
    at(monkeypatch, TEST_NOW.replace(year=2027, month=3, day=4))
    later = extraction_bundle(obs, _answers(ANSWERS, {"label": "OBS-07"}))
    assert {o["effectiveDateTime"] for o in _resources(later, "Observation")} == {"2027-03-04"}


def test_a_case_without_a_label_is_refused_naming_the_field(obs: CriteriaSet) -> None:
    with pytest.raises(FhirError) as caught:
        extraction_bundle(obs, _answers(ANSWERS, {"assessed_on": "2026-11-20"}))
    assert str(caught.value.problems[0]).startswith("case.label: the case has no label")
    assert "'body_weight', 'bmi', 'motor'" in str(caught.value.problems[0])


def test_the_same_assessment_gives_the_same_ids(obs: CriteriaSet) -> None:
    first = extraction_bundle(obs, _answers(ANSWERS))
    again = extraction_bundle(obs, _answers(ANSWERS))
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in again["entry"]]
    other = extraction_bundle(obs, _answers(ANSWERS, {**CASE, "label": "OBS-08"}))
    assert not {e["fullUrl"] for e in first["entry"]} & {e["fullUrl"] for e in other["entry"]}


@pytest.mark.parametrize("release", ["R5", "R4B"])
def test_bundles_are_valid_in_both_releases(obs: CriteriaSet, itb: CriteriaSet, release: str) -> None:
    from candidacy.reasoning.answers import load_answers

    example, _ = load_answers(EXAMPLE)
    for bundle in (extraction_bundle(obs, _answers(ANSWERS), release), extraction_bundle(itb, example, release)):
        validate(bundle, release)  # fhir.resources, the release's own models
        for entry in bundle["entry"]:
            validate(entry["resource"], release)
            assert entry["resource"]["meta"]["profile"][0].startswith(
                "http://hl7.org/fhir/5.0/" if release == "R5" else "http://hl7.org/fhir/4.3/"
            )


def test_the_itb_example_gives_its_age(itb: CriteriaSet) -> None:
    from candidacy.reasoning.answers import load_answers

    example, _ = load_answers(EXAMPLE)
    [age] = _resources(extraction_bundle(itb, example), "Observation")
    assert age["code"]["coding"][1] == {"system": "http://loinc.org", "code": "30525-0", "display": "Age"}
    assert age["valueQuantity"] == {"value": 52, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}


_VALUES = {
    "walks": st.sampled_from([None, "yes", "no", UNKNOWN]),
    "body_weight": st.sampled_from([None, UNKNOWN, 0.5, 72.5, 400.0]),
    "bmi": st.sampled_from([None, UNKNOWN, 5.0, 41.2]),
    "motor": st.sampled_from([None, UNKNOWN, "1", "6"]),
    "epilepsy": st.sampled_from([None, "yes", "no"]),
}


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries(_VALUES))
def test_each_answered_observation_gives_exactly_one_observation(values: dict[str, Any]) -> None:
    """Whatever the combination: one Observation per applicable observation item holding a value, in
    the criteria's order, and one Provenance naming them all when there is any."""
    cset = load_criteria(OBS)
    answers = {k: {"value": v} for k, v in values.items() if v is not None}
    bundle = extraction_bundle(cset, _answers(answers))
    applies = {c: True for c in values} | {"bmi": values["walks"] in ("yes", None, UNKNOWN)}
    expected = [c.id for c in observation_items(cset) if values[c.id] not in (None, UNKNOWN) and applies[c.id]]
    observations = _resources(bundle, "Observation")
    assert [o["code"]["coding"][0]["code"] for o in observations] == expected
    provenances = _resources(bundle, "Provenance")
    assert len(provenances) == (1 if expected else 0)
    if expected:
        assert len(provenances[0]["target"]) == len(expected)


def _write(tmp_path: Path, cset: CriteriaSet, answers: AnswerSet, release: str) -> Path:
    path = tmp_path / f"response-{release}.json"
    path.write_text(dumps(questionnaire_response(cset, answers, release)), encoding="utf-8")
    return path


def test_cli_extracts_from_a_response_or_an_answers_file(tmp_path: Path, itb: CriteriaSet) -> None:
    from candidacy.reasoning.answers import load_answers

    runner = CliRunner()
    r4b = _write(tmp_path, itb, load_answers(EXAMPLE)[0], "R4B")
    done = runner.invoke(main, ["fhir", "extract", "--criteria", str(ITB), "--response", str(r4b)])
    assert done.exit_code == 0, done.stderr
    bundle = json.loads(done.stdout)
    assert bundle["meta"]["profile"] == ["http://hl7.org/fhir/4.3/StructureDefinition/Bundle"]  # the response's release
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["Observation", "Provenance"]
    out = tmp_path / "bundle.json"
    done = runner.invoke(main, ["fhir", "extract", "--criteria", str(ITB), "--answers", str(EXAMPLE), "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert json.loads(out.read_text())["meta"]["profile"] == ["http://hl7.org/fhir/5.0/StructureDefinition/Bundle"]


def test_cli_errors_name_the_file_and_the_field(tmp_path: Path, itb: CriteriaSet) -> None:
    from candidacy.reasoning.answers import load_answers

    runner = CliRunner()
    neither = runner.invoke(main, ["fhir", "extract", "--criteria", str(ITB)])
    assert neither.exit_code == 2 and "exactly one of --response FILE or --answers FILE" in neither.stderr
    example = load_answers(EXAMPLE)[0]
    r4b = _write(tmp_path, itb, example, "R4B")
    clash = runner.invoke(main, ["fhir", "extract", "--criteria", str(ITB), "--response", str(r4b), "--release", "R5"])
    assert clash.exit_code == 2
    assert clash.stderr == f"{r4b}: meta.profile says FHIR R4B, but R5 was asked for\n"
    nameless = _write(
        tmp_path, itb, example.model_copy(update={"case": example.case.model_copy(update={"label": ""})}), "R5"
    )
    refused = runner.invoke(main, ["fhir", "extract", "--criteria", str(ITB), "--response", str(nameless)])
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"{nameless}: case.label: the case has no label")
    missing = runner.invoke(
        main, ["fhir", "extract", "--criteria", str(ITB), "--response", str(tmp_path / "none.json")]
    )
    assert missing.exit_code == 2 and str(tmp_path / "none.json") in missing.stderr
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"resourceType": "Patient"}', encoding="utf-8")
    wrong = runner.invoke(main, ["fhir", "extract", "--criteria", str(ITB), "--response", str(garbage)])
    assert wrong.exit_code == 2 and "not a FHIR QuestionnaireResponse" in wrong.stderr


def test_cli_says_when_nothing_is_extracted(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"criteria": "itb_pump", "case": {"label": "X-1"}, "answers": {}}), encoding="utf-8")
    done = CliRunner().invoke(main, ["fhir", "extract", "--criteria", str(ITB), "--answers", str(answers)])
    assert done.exit_code == 0
    assert "no observation item is answered" in done.stderr
    assert "entry" not in json.loads(done.stdout)
