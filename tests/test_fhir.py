"""FHIR R5 and R4B: the SDC Questionnaire, QuestionnaireResponse round trips, strict import, added checks."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    read_response,
)
from candidacy.fhir.checks import walk_items
from candidacy.settings import SettingsError, load_settings

from .conftest import ITB, ROOT
from .golden import GOLDEN, GOLDEN_IDS

EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"
RELEASES = ["R5", "R4B"]
BASE = "https://candidacy.example.org/fhir"
URL = f"{BASE}/Questionnaire/itb_pump"


def _answers(path: Path | AnswerSet) -> AnswerSet:
    if isinstance(path, AnswerSet):
        return path  # a golden case (tests/golden.py)
    data = read_file(path).data
    return AnswerSet.model_validate({"criteria": "itb_pump", "answers": data["answers"], "case": data.get("case", {})})


def _items(resource: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["linkId"]: item for _, item in walk_items(resource["item"])}


def _codes(item: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (o["valueCoding"]["system"], o["valueCoding"]["code"], o["valueCoding"]["display"])
        for o in item["answerOption"]
    ]


def _weights(item: dict[str, Any]) -> dict[str, float]:
    return {
        o["valueCoding"]["code"]: o["extension"][0]["valueDecimal"] for o in item["answerOption"] if "extension" in o
    }


@pytest.mark.parametrize("release", RELEASES)
def test_questionnaire_is_an_sdc_form(itb: CriteriaSet, release: str) -> None:
    q = questionnaire(itb, release)
    version = "5.0" if release == "R5" else "4.3"
    assert (q["url"], q["version"], q["status"], q["subjectType"]) == (URL, "1.3.0", "active", ["Patient"])
    assert q["meta"]["profile"] == [
        f"http://hl7.org/fhir/{version}/StructureDefinition/Questionnaire",
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire",
    ]
    assert q["publisher"] and q["text"]["status"] == "generated" and "Multiple" not in q["text"]["div"]
    items = _items(q)
    assert set(itb.criteria_by_id) <= set(items)
    header = [i["linkId"] for i in q["item"][0]["item"]]
    assert header == [f"case-header.{f}" for f in ("label", "meeting-date", "assessor", "role", "assessed-on")]
    assert [items[h]["type"] for h in header] == ["string", "date", "string", "string", "date"]
    cause = items["cause"]
    assert cause["type"] == ("coding" if release == "R5" else "choice") and cause["required"] is True
    assert cause["code"] == [
        {"system": f"{BASE}/CodeSystem/itb_pump", "code": "cause", "display": "Cause of spasticity"}
    ]
    assert ("http://snomed.info/sct", "230690007", "Stroke") in _codes(cause)  # the criteria's label, SNOMED's code
    assert _codes(cause)[-1] == ("http://terminology.hl7.org/CodeSystem/data-absent-reason", "unknown", "Unknown")
    assert cause["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "drop-down"
    assert items["ambulatory"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == "radio-button"
    assert ("http://terminology.hl7.org/CodeSystem/v2-0136", "Y", "Yes") in _codes(items["ambulatory"])
    weight = "http://hl7.org/fhir/StructureDefinition/" + ("itemWeight" if release == "R5" else "ordinalValue")
    assert items["lower_limb_mas"]["answerOption"][2]["extension"][0]["url"] == weight
    # the weight a filler shows beside a level is the level's own score, never a second number
    assert _weights(items["lower_limb_mas"]) == {"0": 0, "1": 1, "1+": 1.5, "2": 2, "3": 3, "4": 4}
    assert _weights(items["spasm_frequency"]) == {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4}
    assert _weights(items["gmfcs_level"]) == {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}
    age = items["age_years"]
    assert age["type"] == "integer" and "required" not in age
    assert age["extension"][0]["valueCoding"] == {
        "system": "http://unitsofmeasure.org",
        "code": "a",
        "display": "years",
    }
    assert age["enableWhen"] == [{"question": "age_years.unknown", "operator": "!=", "answerBoolean": True}]
    assert items["age_years.unknown"]["type"] == "boolean"
    assert items["months_since_tbi"]["extension"][0]["valueCoding"]["code"] == "mo"
    assert items["cause.note"]["type"] == "text" and items["cause.help"]["type"] == "display"
    assert items["leg_strength.group"]["enableWhen"] == [
        {
            "question": "ambulatory",
            "operator": "=",
            "answerCoding": {"system": "http://terminology.hl7.org/CodeSystem/v2-0136", "code": "Y", "display": "Yes"},
        }
    ]
    reaction = items["screening_reaction.group"]
    assert reaction["enableBehavior"] == "any" and len(reaction["enableWhen"]) == 4
    assert check_questionnaire(q, release) == []


def test_canonical_base_comes_from_settings(itb: CriteriaSet, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANDIDACY_FHIR_BASE", "https://fhir.hospital.example/candidacy/")
    q = questionnaire(itb)
    assert q["url"] == "https://fhir.hospital.example/candidacy/Questionnaire/itb_pump"
    response = questionnaire_response(itb, _answers(EXAMPLE))
    assert response["questionnaire"] == "https://fhir.hospital.example/candidacy/Questionnaire/itb_pump|1.3.0"
    assert answers_from_response(itb, json.dumps(response).encode()).answers["cause"].value == "multiple_sclerosis"
    monkeypatch.setenv("CANDIDACY_FHIR_BASE", "http://insecure.example/fhir")
    with pytest.raises(SettingsError, match=r"CANDIDACY_FHIR_BASE: .*https URL"):
        load_settings()


@pytest.mark.parametrize("release", RELEASES)
@pytest.mark.parametrize("path", [*(a for _, a in GOLDEN), EXAMPLE], ids=[*GOLDEN_IDS, EXAMPLE.stem])
def test_response_round_trip(itb: CriteriaSet, release: str, path: Path) -> None:
    answer_set = _answers(path)
    response = questionnaire_response(itb, answer_set, release)
    assert response["questionnaire"] == f"{URL}|1.3.0"
    back = answers_from_response(itb, json.dumps(response).encode(), "qr.json")
    applicable = {i for i in itb.criteria_by_id if f"{i}.group" in _items(response)}
    given = {k: (v.value, v.note) for k, v in answer_set.answers.items() if k in applicable}
    assert {k: (v.value, v.note) for k, v in back.answers.items()} == given
    assert back.case == answer_set.case


def test_unknown_numbers_notes_and_case_header_are_items(itb: CriteriaSet) -> None:
    answer_set = _answers(EXAMPLE)
    answer_set.answers["age_years"].value = "unknown"
    # with the age unknown, the question for children applies too (an unknown never hides a question)
    answer_set.answers["child_infection_risk"] = answer_set.answers["malnutrition"].model_copy(update={"note": ""})
    response = questionnaire_response(itb, answer_set)
    assert response["status"] == "completed"
    items = _items(response)
    assert "age_years" not in items and items["age_years.unknown"]["answer"] == [{"valueBoolean": True}]
    assert items["oral_baclofen.note"]["answer"][0]["valueString"].startswith("Baclofen to 80 mg/day")
    assert items["case-header.role"]["answer"] == [{"valueString": "Consultant neurologist"}]
    assert items["case-header.meeting-date"]["answer"] == [{"valueDate": "2026-11-27"}]
    assert items["case-header.assessed-on"]["answer"] == [{"valueDate": "2026-11-20"}]
    assert "extension" not in json.dumps(response["item"])  # no project extension anywhere
    back = answers_from_response(itb, json.dumps(response).encode())
    assert back.answers["age_years"].value == "unknown"
    assert back.case.model_dump() == answer_set.case.model_dump()
    del answer_set.answers["goals"]
    assert questionnaire_response(itb, answer_set)["status"] == "in-progress"


def test_import_refuses_another_questionnaire_or_version(itb: CriteriaSet) -> None:
    response = questionnaire_response(itb, _answers(EXAMPLE))
    for other in (f"{BASE}/Questionnaire/botox|1.2.0", f"{URL}|0.9.0", URL):
        changed = {**response, "questionnaire": other}
        with pytest.raises(FhirError) as caught:
            answers_from_response(itb, json.dumps(changed).encode(), "qr.json")
        assert str(caught.value) == (
            f"qr.json: this response is for questionnaire '{other}', not "
            f"'{URL}|1.3.0' (criteria set 'itb_pump' version 1.3.0)"
        )
    with pytest.raises(FhirError, match="not a FHIR QuestionnaireResponse"):
        answers_from_response(itb, b'{"resourceType": "Patient"}', "p.json")


def _group(resource: dict[str, Any], link: str) -> dict[str, Any]:
    return _items(resource)[link]


def _duplicate(r: dict[str, Any]) -> None:
    block = _group(r, "severity.group")
    block["item"].append(copy.deepcopy(block["item"][0]))


def _disabled(r: dict[str, Any]) -> None:  # ambulatory is 'no', so leg strength does not apply
    coding = {"system": "http://terminology.hl7.org/CodeSystem/v2-0136", "code": "Y", "display": "Yes"}
    _group(r, "mobility")["item"].append(
        {"linkId": "leg_strength.group", "item": [{"linkId": "leg_strength", "answer": [{"valueCoding": coding}]}]}
    )


def _flat(r: dict[str, Any]) -> None:
    r["item"] = [i for _, i in walk_items(r["item"]) if "answer" in i]


def _set(link: str, answer: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    def change(r: dict[str, Any]) -> None:
        _items(r)[link]["answer"] = [answer]

    return change


def _both(r: dict[str, Any]) -> None:
    _group(r, "age_years.group")["item"].append({"linkId": "age_years.unknown", "answer": [{"valueBoolean": True}]})


def _partial(r: dict[str, Any]) -> None:
    _group(r, "indication")["item"] = [g for g in _group(r, "indication")["item"] if g["linkId"] != "severity.group"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_duplicate, "'severity': the item appears more than once"),
        (_disabled, "'leg_strength' is answered but does not apply"),
        (_flat, "'cause': the item must be inside group 'cause.group', not at the top"),
        (_set("cause", {"valueCoding": {"system": "http://snomed.info/sct", "code": "0000"}}), "code '0000' is not an answer option of 'cause'"),
        (_set("age_years", {"valueString": "fifty"}), "answer 0 of 'age_years' must be valueInteger, got valueString"),
        (_set("age_years", {"valueInteger": 130}), "'age_years': 130 is outside 0 to 120"),
        (_both, "'age_years' has both a number (52) and 'not known'"),
        (_set("case-header.meeting-date", {"valueDate": "2026-02-30"}), "'case-header.meeting-date' (item.0.item.1.answer.0.valueDate): Input should be a valid date"),
        (_set("case-header.label", {"valueString": "x" * 121}), "'case-header.label' takes at most 120 characters, got 121"),
        (lambda r: r.update(authored="2026-02-30T10:00:00Z"), "authored: Input should be a valid datetime or date, day value is outside"),
        (lambda r: r.update(status="done"), "status 'done' is not a QuestionnaireResponse status (one of in-progress, completed"),
        (lambda r: r.update(status="entered-in-error"), "the response is marked 'entered-in-error'"),
        (lambda r: r["item"][1]["item"].append({"linkId": "shoe_size", "answer": [{"valueInteger": 9}]}), "linkId 'shoe_size' is not an item of the questionnaire"),
        (lambda r: r.pop("meta"), "the FHIR release is not stated"),
    ],
    ids=["duplicate", "disabled", "flat", "code", "type", "range", "number-and-unknown", "date", "length", "authored", "status-done", "entered-in-error", "unknown-item", "no-release"],
)  # fmt: skip
def test_strict_import_refuses_with_the_link_id(itb: CriteriaSet, change: Any, message: str) -> None:
    response = questionnaire_response(itb, _answers(EXAMPLE))
    answers_from_response(itb, json.dumps(response).encode())  # the untouched response imports
    change(response)
    with pytest.raises(FhirError) as caught:
        answers_from_response(itb, json.dumps(response).encode(), "qr.json")
    assert message in str(caught.value)


def test_release_comes_from_meta_profile_or_the_caller(itb: CriteriaSet) -> None:
    r4b = questionnaire_response(itb, _answers(EXAMPLE), "R4B")
    assert isinstance(r4b["identifier"], dict)
    assert answers_from_response(itb, json.dumps(r4b).encode()).case.label == "MS-meeting-03"
    r4b["meta"]["profile"][0] = "http://hl7.org/fhir/4.0/StructureDefinition/QuestionnaireResponse"  # as LHC-Forms
    assert answers_from_response(itb, json.dumps(r4b).encode()).answers["cause"].value == "multiple_sclerosis"
    with pytest.raises(FhirError, match=r"meta\.profile says FHIR R4B, but R5 was asked for"):
        answers_from_response(itb, json.dumps(r4b).encode(), release="R5")
    del r4b["meta"]
    assert answers_from_response(itb, json.dumps(r4b).encode(), release="R4B").answers["ambulatory"].value == "no"
    with pytest.raises(FhirError, match="identifier"):  # not guessed from identifier's shape: R5 wants a list
        answers_from_response(itb, json.dumps(r4b).encode(), release="R5")


def test_added_questionnaire_checks_catch_their_faults(itb: CriteriaSet) -> None:
    q = questionnaire(itb, "R5")
    broken = copy.deepcopy(q)
    cause_block = _items(broken)["cause.group"]
    cause_block["item"][1]["linkId"] = "cause"
    cause_block["item"][0]["type"] = "choice"
    _items(broken)["leg_strength.group"]["enableWhen"][0]["question"] = "ambulant"
    problems = check_questionnaire(broken, "R5")
    assert "item.1.item.0.item.1: linkId 'cause' is used twice (first at item.1.item.0.item.0)" in problems
    assert "item.1.item.0.item.0: item type 'choice' does not exist in FHIR R5" in problems
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
    imported = json.loads(back.stdout)
    assert imported["answers"]["ambulatory"]["value"] == "no"
    assert imported["case"]["role"] == "Consultant neurologist"
    data = json.loads(out.read_text())
    del data["meta"]
    out.write_text(json.dumps(data))
    unstated = runner.invoke(main, ["fhir", "import", "--criteria", str(ITB), str(out)])
    assert unstated.exit_code == 2 and "give the release (--release R5 or R4B)" in unstated.stderr
    stated = runner.invoke(main, ["fhir", "import", "--criteria", str(ITB), "--release", "R5", str(out)])
    assert stated.exit_code == 0, stated.stderr
    out.write_text(out.read_text().replace("itb_pump|1.3.0", "itb_pump|2.0.0"))
    refused = runner.invoke(main, ["fhir", "import", "--criteria", str(ITB), "--release", "R5", str(out)])
    assert refused.exit_code == 2
    assert f"this response is for questionnaire '{URL}|2.0.0'" in refused.stderr


def test_completed_counts_only_the_items_a_form_shows(itb: CriteriaSet) -> None:
    """With the age not known, the app keeps the under-18 item open; a FHIR form hides it (age < 18
    cannot hold without an age), so a form filler's 'completed' response is accepted without it."""
    answer_set = _answers(EXAMPLE)
    answer_set.answers["age_years"].value = "unknown"
    response = questionnaire_response(itb, answer_set)
    assert response["status"] == "in-progress"
    response["status"] = "completed"  # LHC-Forms always writes completed
    assert answers_from_response(itb, json.dumps(response).encode()).answers["age_years"].value == "unknown"
    _items(response)["age_years.group"]["item"] = [{"linkId": "age_years", "answer": [{"valueInteger": 12}]}]
    answers, notes = read_response(itb, json.dumps(response).encode())
    assert "child_infection_risk" not in answers.answers  # imported, the blank item left unanswered
    title = itb.criteria_by_id["child_infection_risk"].title
    assert notes == (
        "The response is marked 'completed' but 1 applicable item(s) the form showed have no answer; they are "
        f"imported as not yet answered: {title}.",
    )


def test_a_completed_response_with_a_blank_item_is_imported_naming_it_by_title(itb: CriteriaSet) -> None:
    """LHC-Forms marks every export 'completed': a blank item is imported as unanswered and named, by title."""
    response = questionnaire_response(itb, _answers(EXAMPLE))
    response["status"] = "completed"
    _partial(response)
    answers, notes = read_response(itb, json.dumps(response).encode())
    assert "severity" not in answers.answers and answers.answers["cause"].value is not None
    assert len(notes) == 1 and itb.criteria_by_id["severity"].title in notes[0] and "severity;" not in notes[0]


def test_cli_import_of_a_completed_response_with_a_blank_item_says_so_on_stderr(
    itb: CriteriaSet, tmp_path: Path
) -> None:
    response = questionnaire_response(itb, _answers(EXAMPLE))
    response["status"] = "completed"
    _partial(response)
    path = tmp_path / "lhc.json"
    path.write_text(json.dumps(response))
    result = CliRunner().invoke(main, ["fhir", "import", "--criteria", str(ITB), str(path)])
    assert result.exit_code == 0, result.stderr
    assert "severity" not in json.loads(result.stdout)["answers"]
    assert "note: The response is marked 'completed'" in result.stderr
    assert itb.criteria_by_id["severity"].title in result.stderr


def test_scale_weights_are_the_levels_own_numbers(itb: CriteriaSet) -> None:
    """A filler shows the weight beside the label: for the Ashworth scale it must read as the same score."""
    from candidacy.fhir.terms import ordinal

    mas = itb.criteria_by_id["lower_limb_mas"]
    assert [ordinal(itb, mas, level) for level in ("0", "1", "1+", "2", "3", "4")] == [0.0, 1.0, 1.5, 2.0, 3.0, 4.0]
