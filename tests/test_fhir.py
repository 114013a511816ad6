"""FHIR R5 and R4B: the Questionnaire, QuestionnaireResponse round trips, import refusals, added checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from candidacy import AnswerSet, CriteriaSet
from candidacy.cli import main
from candidacy.criteria.yamlsource import read_file
from candidacy.fhir import (
    FhirError,
    answers_from_response,
    check_questionnaire,
    check_response,
    questionnaire,
    questionnaire_response,
)
from candidacy.fhir.checks import walk_items

from .conftest import ITB, ROOT
from .golden import GOLDEN, GOLDEN_IDS

EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"
RELEASES = ["R5", "R4B"]


def _answers(path: Path | AnswerSet) -> AnswerSet:
    if isinstance(path, AnswerSet):
        return path  # a golden case (tests/golden.py)
    data = read_file(path).data
    return AnswerSet.model_validate({"criteria": "itb_pump", "answers": data["answers"], "case": data.get("case", {})})


def _items(resource: dict) -> dict[str, dict]:
    return {item["linkId"]: item for _, item in walk_items(resource["item"])}


@pytest.mark.parametrize("release", RELEASES)
def test_questionnaire_has_one_item_per_criterion(itb: CriteriaSet, release: str) -> None:
    q = questionnaire(itb, release)
    assert (q["url"], q["version"], q["status"]) == ("urn:candidacy:criteria:itb_pump", "1.1.0", "active")
    items = _items(q)
    assert set(itb.criteria_by_id) <= set(items)
    cause = items["cause"]
    assert cause["type"] == ("coding" if release == "R5" else "choice")
    assert cause["required"] is True
    snomed = [o["valueCoding"] for o in cause["answerOption"] if o["valueCoding"]["system"] == "http://snomed.info/sct"]
    assert {"system": "http://snomed.info/sct", "code": "24700007", "display": "Multiple sclerosis"} in snomed
    assert cause["answerOption"][-1]["valueCoding"]["code"] == "unknown"
    assert items["age_years"]["type"] == "integer"
    assert items["leg_strength"]["enableWhen"] == [
        {
            "question": "ambulatory",
            "operator": "=",
            "answerCoding": {"system": "urn:candidacy:itb_pump:ambulatory", "code": "yes", "display": "Yes"},
        }
    ]
    reaction = items["screening_reaction"]
    assert reaction["enableBehavior"] == "any" and len(reaction["enableWhen"]) == 4
    assert items["cause-help"]["type"] == "display"
    assert check_questionnaire(q, release) == []


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("path", [*(a for _, a in GOLDEN), EXAMPLE], ids=[*GOLDEN_IDS, EXAMPLE.stem])
def test_response_round_trip(itb: CriteriaSet, release: str, path: Path) -> None:
    answer_set = _answers(path)
    response = questionnaire_response(itb, answer_set, release)
    assert response["questionnaire"] == "urn:candidacy:criteria:itb_pump|1.1.0"
    back = answers_from_response(itb, json.dumps(response).encode(), "qr.json")
    applicable = {i for i in itb.criteria_by_id if i in _items(response)}
    given = {k: (v.value, v.note) for k, v in answer_set.answers.items() if k in applicable}
    assert {k: (v.value, v.note) for k, v in back.answers.items()} == given


def test_status_notes_and_unknown_numbers(itb: CriteriaSet) -> None:
    answer_set = _answers(EXAMPLE)
    answer_set.answers["age_years"].value = "unknown"
    # with the age unknown, the question for children applies too (an unknown never hides a question)
    answer_set.answers["child_infection_risk"] = answer_set.answers["malnutrition"].model_copy(update={"note": ""})
    response = questionnaire_response(itb, answer_set)
    assert response["status"] == "completed"
    age = _items(response)["age_years"]
    assert "answer" not in age
    assert {"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"} in age[
        "extension"
    ]
    note = _items(response)["oral_agents"]["extension"][0]
    assert note["url"] == "urn:candidacy:fhir:StructureDefinition:assessor-note"
    assert note["valueString"].startswith("Baclofen to 80 mg/day")
    del answer_set.answers["goals"]
    assert questionnaire_response(itb, answer_set)["status"] == "in-progress"
    back = answers_from_response(itb, json.dumps(response).encode())
    assert back.answers["age_years"].value == "unknown"
    assert back.case.label == "MS-meeting-03"


def test_import_refuses_another_questionnaire_or_version(itb: CriteriaSet) -> None:
    response = questionnaire_response(itb, _answers(EXAMPLE))
    for other in ("urn:candidacy:criteria:botox|1.0.0", "urn:candidacy:criteria:itb_pump|0.9.0"):
        changed = {**response, "questionnaire": other}
        with pytest.raises(FhirError) as caught:
            answers_from_response(itb, json.dumps(changed).encode(), "qr.json")
        assert str(caught.value) == (
            f"qr.json: this response is for questionnaire '{other}', not "
            "'urn:candidacy:criteria:itb_pump|1.1.0' (criteria set 'itb_pump' version 1.1.0)"
        )
    with pytest.raises(FhirError, match="not a FHIR QuestionnaireResponse"):
        answers_from_response(itb, b'{"resourceType": "Patient"}', "p.json")


def test_import_refuses_answers_that_do_not_fit(itb: CriteriaSet) -> None:
    response = questionnaire_response(itb, _answers(EXAMPLE))
    bad = copy.deepcopy(response)
    _items(bad)["cause"]["answer"] = [{"valueCoding": {"system": "http://snomed.info/sct", "code": "0000"}}]
    with pytest.raises(FhirError, match="code '0000' is not an answer option of 'cause'"):
        answers_from_response(itb, json.dumps(bad).encode())
    bad = copy.deepcopy(response)
    _items(bad)["age_years"]["answer"] = [{"valueString": "fifty"}]
    with pytest.raises(FhirError, match="'age_years' expects valueInteger, got valueString"):
        answers_from_response(itb, json.dumps(bad).encode())
    bad = copy.deepcopy(response)
    bad["item"][0]["item"].append({"linkId": "shoe_size", "answer": [{"valueInteger": 9}]})
    with pytest.raises(FhirError, match="linkId 'shoe_size' is not an item of the questionnaire"):
        answers_from_response(itb, json.dumps(bad).encode())


def test_added_questionnaire_checks_catch_their_faults(itb: CriteriaSet) -> None:
    q = questionnaire(itb, "R5")
    broken = copy.deepcopy(q)
    broken["item"][0]["item"][1]["linkId"] = "cause"
    broken["item"][0]["item"][2]["type"] = "choice"
    _items(broken)["leg_strength"]["enableWhen"][0]["question"] = "ambulant"
    problems = check_questionnaire(broken, "R5")
    assert "item.0.item.1: linkId 'cause' is used twice (first at item.0.item.0)" in problems
    assert "item.0.item.2: item type 'choice' does not exist in FHIR R5" in problems
    assert any("question 'ambulant' is not an item" in p for p in problems)


def test_check_response_on_multiple_answers(itb: CriteriaSet) -> None:
    q = questionnaire(itb, "R5")
    response = questionnaire_response(itb, _answers(EXAMPLE))
    item = _items(response)["severity"]
    item["answer"] = item["answer"] * 2
    assert "takes one answer, got 2" in " ".join(check_response(response, q))


def test_cli_fhir_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    q = runner.invoke(main, ["fhir", "questionnaire", "--criteria", str(ITB), "--release", "R4B"])
    assert q.exit_code == 0
    assert json.loads(q.stdout)["resourceType"] == "Questionnaire"
    out = tmp_path / "qr.json"
    r = runner.invoke(main, ["fhir", "response", "--criteria", str(ITB), "--answers", str(EXAMPLE), "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    back = runner.invoke(main, ["fhir", "import", "--criteria", str(ITB), str(out)])
    assert back.exit_code == 0, back.stderr
    assert json.loads(back.stdout)["answers"]["ambulatory"]["value"] == "no"
    out.write_text(out.read_text().replace("itb_pump|1.1.0", "itb_pump|2.0.0"))
    refused = runner.invoke(main, ["fhir", "import", "--criteria", str(ITB), str(out)])
    assert refused.exit_code == 2
    assert "this response is for questionnaire 'urn:candidacy:criteria:itb_pump|2.0.0'" in refused.stderr
