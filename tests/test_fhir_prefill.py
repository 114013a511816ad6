"""Proposals from a patient's FHIR record: referral-like records the project writes (an R4 searchset
as Patient/$everything returns it, R5 Bulk Data NDJSON), each rule, a conflict, an out-of-date value,
each bad input refused with a clear error, and acceptance through the one change path."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from candidacy.case import CaseContent, apply_change
from candidacy.errors import CandidacyError, CriteriaError, FhirError, SourceFileError
from candidacy.fhir.prefill import Prefill, acceptance, propose
from candidacy.fhir.prefill_rules import load_rules, rules_path
from candidacy.fhir.record import read_record
from candidacy.reasoning.answers import Answer, AnswerSet
from tests.clock_support import TODAY
from tests.prefill_support import CRITERIA, CSET, RECORDS, RULES, TBI
from tests.prefill_support import resource as _resource


def _bundle() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TBI.read_text())
    return data


def _run(files: list[tuple[str, bytes]], on: dt.date = TODAY, identifier: str | None = None) -> Prefill:
    return propose(CSET, RULES, read_record(files, TODAY, identifier), on)


def _tbi(change: Callable[[dict[str, Any]], None] | None = None) -> list[tuple[str, bytes]]:
    data = _bundle()
    if change:
        change(data)
    return [("referral.json", json.dumps(data, indent=1).encode())]


def test_a_referral_record_proposes_every_answer_its_resources_support() -> None:
    result = _run(_tbi())
    proposed = {p.criterion: p.value for p in result.proposals}
    assert proposed == {
        "cause": "traumatic_brain_injury",
        "months_since_tbi": 21,  # 10 February 2025 to 1 December 2026
        "age_years": 38,  # born 12 April 1988
        "oral_baclofen": "failed_or_not_tolerated",
        "other_oral_agents": "failed_or_not_tolerated",
        "baclofen_hypersensitivity": "intolerance_only",
        "body_habitus": "concern_not_reviewed",
        "seizures": "controlled",
        "coagulation": "no_plan_yet",
        "spinal_fusion": "previous",
        "vp_shunt": "not_checked",
    }
    assert not result.conflicts and not result.stale
    assert result.summary["unknown_codes"] == 1  # the hypertension Condition: no rule knows its code
    assert result.summary["matched_without_answer"] == 1  # the body weight (118 kg): in no band
    assert result.summary["not_read"] == {"Encounter": 1, "Practitioner": 1}


def test_each_proposal_names_its_resources_and_rule() -> None:
    lines = {p.criterion: p.note_line() for p in _run(_tbi()).proposals}
    assert lines["baclofen_hypersensitivity"] == (
        "From record: AllergyIntolerance/allergy-baclofen (2025-09-03), SNOMED 387342009 Baclofen (substance), "
        "intolerance (rule baclofen-intolerance)"
    )
    assert lines["oral_baclofen"] == (
        "From record: MedicationStatement/med-baclofen (2025-09-01), ATC M03BX01 baclofen, "
        "stopped: drowsiness at 60 mg a day (rule oral-baclofen-stopped)"
    )
    assert lines["age_years"] == "From record: Patient/pat-tbi (1988-04-12), birth date (rule age-from-birth-date)"
    assert "41.6 kg/m2" in lines["body_habitus"]


def test_bulk_ndjson_in_r5_with_an_out_of_date_weight_and_pregnancy() -> None:
    files = [(p.name, p.read_bytes()) for p in sorted(RECORDS.glob("bulk-ms-r5-*.ndjson"))]
    result = _run(files)
    assert {p.criterion: p.value for p in result.proposals} == {
        "cause": "multiple_sclerosis",
        "baclofen_hypersensitivity": "hypersensitivity",  # R5: type is a CodeableConcept
        "age_years": 47,
    }
    stale = {s.criterion: (s.rule, s.look_back_months) for s in result.stale}
    assert stale == {"body_habitus": ("weight-under-20-kg", 12), "pregnancy_plans": ("pregnancy", 10)}


def test_conflicting_resources_give_a_named_conflict_and_no_proposal() -> None:
    def add_stroke_and_allergy(data: dict[str, Any]) -> None:
        stroke = copy.deepcopy(_resource(data, "cond-tbi"))
        stroke.update(id="cond-stroke", code={"coding": [{"system": "http://snomed.info/sct", "code": "230690007"}]})
        allergy = copy.deepcopy(_resource(data, "allergy-baclofen"))
        allergy.update(id="allergy-baclofen-2", type="allergy")
        data["entry"] += [{"resource": stroke}, {"resource": allergy}]

    result = _run(_tbi(add_stroke_and_allergy))
    conflicts = {c.criterion: sorted(label for label, _ in c.candidates) for c in result.conflicts}
    assert conflicts == {
        "cause": ["Stroke", "Traumatic brain injury"],
        "baclofen_hypersensitivity": [
            "Intolerance or side effects only (recorded as allergy)",
            "True hypersensitivity documented",
        ],
    }
    assert {"cause", "baclofen_hypersensitivity"}.isdisjoint(p.criterion for p in result.proposals)


def test_weights_in_other_ucum_units_convert() -> None:
    def in_stone(data: dict[str, Any]) -> None:
        data["entry"] = [e for e in data["entry"] if e["resource"]["id"] != "obs-bmi"]
        quantity = {"value": 2.9, "unit": "stone", "system": "http://unitsofmeasure.org", "code": "[stone_av]"}
        _resource(data, "obs-weight")["valueQuantity"] = quantity

    proposal = next(p for p in _run(_tbi(in_stone)).proposals if p.criterion == "body_habitus")
    assert (proposal.value, proposal.rule) == ("very_small", "weight-under-20-kg")
    assert proposal.sources[0].detail == "18.4 kg"  # 2.9 x 6.35029318 kg, to one decimal


def test_refuted_and_later_resources_are_not_evidence() -> None:
    def refute(data: dict[str, Any]) -> None:
        _resource(data, "cond-epilepsy")["verificationStatus"] = {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "refuted"}]
        }

    result = _run(_tbi(refute), on=dt.date(2025, 12, 1))
    proposed = {p.criterion for p in result.proposals}
    assert "seizures" not in proposed
    assert "coagulation" not in proposed  # the apixaban order is dated after the assessment date
    assert result.summary["after_assessment_date"] >= 1


def _drop_patient(data: dict[str, Any]) -> None:
    data["entry"] = [e for e in data["entry"] if e["resource"]["resourceType"] != "Patient"]


def _second_patient(data: dict[str, Any]) -> None:
    other = copy.deepcopy(_resource(data, "pat-tbi"))
    other["id"] = "pat-other"
    data["entry"].append({"resource": other})


def _other_subject(data: dict[str, Any]) -> None:
    _resource(data, "obs-bmi")["subject"] = {"reference": "Patient/pat-other"}


def _malformed(data: dict[str, Any]) -> None:
    _resource(data, "cond-tbi")["onsetDateTime"] = "last spring"


def _future(data: dict[str, Any]) -> None:
    _resource(data, "obs-bmi")["effectiveDateTime"] = (TODAY + dt.timedelta(days=3)).isoformat()


def _length(data: dict[str, Any]) -> None:
    _resource(data, "obs-weight")["valueQuantity"] = {"value": 180, "system": "http://unitsofmeasure.org", "code": "cm"}


def _not_ucum(data: dict[str, Any]) -> None:
    _resource(data, "obs-weight")["valueQuantity"] = {"value": 18, "unit": "stone", "code": "st"}


def _no_id(data: dict[str, Any]) -> None:
    del _resource(data, "cond-tbi")["id"]


def _history(data: dict[str, Any]) -> None:
    data["type"] = "history"


BAD: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "no patient": (_drop_patient, "no Patient resource"),
    "several patients": (_second_patient, "2 patients (Patient/pat-tbi, Patient/pat-other)"),
    "another patient's resource": (_other_subject, "Observation/obs-bmi is about Patient/pat-other"),
    "malformed resource": (_malformed, "Condition/cond-tbi is not a valid FHIR resource"),
    "date in the future": (_future, "effectiveDateTime is 2026-12-04, after today (2026-12-01)"),
    "unit of another kind": (_length, "the unit does not convert to kg ('cm' does not convert to 'kg')"),
    "unit that is not UCUM": (_not_ucum, "the unit does not convert to kg ('st' is not given as a UCUM code)"),
    "resource without an id": (_no_id, "Condition has no id"),
    "a bundle that is not a record": (_history, "a Bundle of type 'history' is not a patient record"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_with_a_clear_error(case: str) -> None:
    change, message = BAD[case]
    with pytest.raises(FhirError) as caught:
        _run(_tbi(change))
    assert message in str(caught.value)
    assert "referral.json" in str(caught.value) or case in ("no patient", "several patients")


def test_a_record_of_another_patient_than_the_case_names_is_refused() -> None:
    assert _run(_tbi(), identifier="https://fhir.nhs.uk/Id/nhs-number|9434765919").proposals
    with pytest.raises(FhirError, match="do not include the case's"):
        _run(_tbi(), identifier="https://fhir.nhs.uk/Id/nhs-number|1234567890")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"[" * 100 + b"]" * 100, "nested"),
        (b'{"resourceType": "Bundle"' + b" " * (1024 * 1024) + b"}", "limit"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Bundle"}}]}', ""),
    ],
)
def test_huge_deep_or_unreadable_files_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises((SourceFileError, FhirError)) as caught:
        read_record([("record.json", raw)], TODAY)
    assert message in str(caught.value)


def test_accepting_goes_through_the_change_path_and_keeps_the_provenance_in_the_note() -> None:
    proposal = next(p for p in _run(_tbi()).proposals if p.criterion == "oral_baclofen")
    answers = AnswerSet(criteria=CSET.id, answers={"oral_baclofen": Answer(note="max 60 mg/day")})
    for change in acceptance(answers, proposal):
        answers = apply_change(CaseContent(answers), change).answers
    accepted = answers.answers["oral_baclofen"]
    assert accepted.value == "failed_or_not_tolerated"
    assert accepted.note == f"max 60 mg/day\n{proposal.note_line()}"
    assert acceptance(answers, proposal)[1:] == []  # accepting twice adds no second line


RULE_ERRORS = {
    "no such criterion": ("criterion: age_years", "criterion: age_in_years", "no criterion 'age_in_years'"),
    "no such option": ("answer: hypersensitivity", "answer: allergic", "'allergic' is not an answer"),
    "bad SNOMED code": ('code: "24700007"', 'code: "MS"', "'MS' is not a SNOMED CT code"),
    "SNOMED typing slip (the criteria's own check digit)": (
        'code: "24700007"',
        'code: "24700008"',
        "not the Verhoeff check digit",
    ),
    "unknown system": (
        'system: "http://loinc.org", code: "39156-5"',
        'system: "loinc", code: "39156-5"',
        "system 'loinc'",
    ),
    "unknown key": ("look_back_months: 10", "lookback_months: 10", "unknown key 'lookback_months'"),
    "not a UCUM unit": ("unit: kg\n", "unit: kilo\n", "'kilo' is not a UCUM unit"),
    "a filter the resource type does not carry": (
        '    resource: [Condition]\n    clinical_status: [active]\n    answer: "yes"',
        '    resource: [Condition, Observation]\n    clinical_status: [active]\n    answer: "yes"',
        "Observation has no clinical_status",
    ),
    "an allergy type on a procedure": (
        "    status: [completed]\n",
        "    status: [completed]\n    allergy_type: allergy\n",
        "Procedure has no allergy_type",
    ),
}


@pytest.mark.parametrize("case", RULE_ERRORS)
def test_a_rules_file_error_names_file_line_and_field(case: str, tmp_path: Path) -> None:
    old, new, message = RULE_ERRORS[case]
    text = rules_path(CRITERIA).read_text()
    assert old in text
    broken = tmp_path / "rules.yaml"
    broken.write_text(text.replace(old, new, 1))
    with pytest.raises(CriteriaError) as caught:
        load_rules(broken, CSET)
    problem = caught.value.problems[0]
    assert message in problem.message
    assert problem.file == str(broken) and problem.line is not None and problem.path.startswith("rules.")


def test_nothing_in_the_record_reader_escapes_as_a_bug() -> None:
    for raw in (b"{}", b"null", b'{"resourceType": 3}', b'{"resourceType": "Patient"}', b"\n\n"):
        with pytest.raises(CandidacyError):
            read_record([("x.json", raw)], TODAY)


def test_the_command_prints_proposals_out_of_date_items_and_the_summary() -> None:
    from click.testing import CliRunner

    from candidacy.cli.main import main

    args = ["fhir", "prefill", "--criteria", str(CRITERIA), "--date", "2026-12-01"]
    bulk = [arg for p in sorted(RECORDS.glob("bulk-ms-r5-*.ndjson")) for arg in ("--record", str(p))]
    done = CliRunner().invoke(main, [*args, *bulk])
    assert done.exit_code == 0, done.output
    assert "Nothing below is an answer until a clinician accepts it" in done.output
    assert "Age [age_years]: 47" in done.output
    assert "Out of date, not proposed (2):" in done.output
    assert "6 resources read from 5 file(s)" in done.output
    as_json = CliRunner().invoke(main, [*args, "--record", str(TBI), "--json"])
    data = json.loads(as_json.output)
    assert {p["criterion"] for p in data["proposals"]} >= {"cause", "age_years", "months_since_tbi"}
    assert data["summary"]["unknown_codes"] == 1
    refused = CliRunner().invoke(main, [*args, "--record", str(TBI), "--patient-identifier", "123"])
    assert refused.exit_code == 2
    assert "do not include the case's (123)" in refused.output


def test_accepted_provenance_reaches_the_record_the_pdf_and_the_questionnaire_response() -> None:
    import io

    from pypdf import PdfReader

    from candidacy import reports
    from candidacy.draft import draft_record
    from candidacy.fhir import questionnaire_response

    answers = AnswerSet(criteria=CSET.id, version=CSET.version)
    proposals = _run(_tbi()).proposals
    for proposal in proposals:
        for change in acceptance(answers, proposal):
            answers = apply_change(CaseContent(answers), change).answers
    line = next(p for p in proposals if p.criterion == "baclofen_hypersensitivity").note_line()
    markdown = reports.render(draft_record(CSET, answers), "markdown").decode()
    assert "AllergyIntolerance/allergy-baclofen (2025-09-03), SNOMED 387342009" in markdown
    pdf = reports.render(draft_record(CSET, answers), "pdf")
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "From record: AllergyIntolerance/allergy-baclofen (2025-09-03), SNOMED 387342009" in text
    response = json.dumps(questionnaire_response(CSET, answers, "R5"))
    assert json.dumps(line)[1:-1] in response


def test_validate_checks_the_prefill_rules_beside_a_criteria_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from candidacy.cli.main import main

    ok = CliRunner().invoke(main, ["validate", str(CRITERIA)])
    assert ok.exit_code == 0 and "19 prefill rules" in ok.output
    (tmp_path / "fhir").mkdir()
    (tmp_path / "itb_pump.yaml").write_text(CRITERIA.read_text())
    text = rules_path(CRITERIA).read_text().replace("criterion: seizures", "criterion: fits", 1)
    (tmp_path / "fhir" / "itb_pump_prefill.yaml").write_text(text)
    broken = CliRunner().invoke(main, ["validate", str(tmp_path / "itb_pump.yaml")])
    assert broken.exit_code == 1
    assert "itb_pump_prefill.yaml:" in broken.output and "no criterion 'fits'" in broken.output


def test_a_number_outside_the_items_range_is_not_proposed() -> None:
    def born_long_ago(data: dict[str, Any]) -> None:
        _resource(data, "pat-tbi")["birthDate"] = "1880-01-01"

    result = _run(_tbi(born_long_ago))
    assert "age_years" not in {p.criterion for p in result.proposals}
    assert result.summary["out_of_range"] == 1


def test_a_file_over_the_limit_is_refused_before_it_is_read() -> None:
    with pytest.raises(SourceFileError, match="the limit is 1048576 bytes"):
        read_record([("big.ndjson", b"{}\n" * 400_000)], TODAY)
