"""What a record's resources may be read as: a diagnosis short of confirmed is a suspected cause, a
procedure not done or a fusion not yet performed is no procedure, an unconfirmed allergy is no
documented hypersensitivity; a rule that assumes what the codes do not say says so; a drug still taken
is current when the record says so recently; a medication is found however it is referenced."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from candidacy.fhir.prefill import Prefill, propose
from candidacy.fhir.record import read_record
from tests.clock_support import TODAY
from tests.prefill_support import CRITERIA, CSET, RULES, TBI

CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"


def _run(ident: str, update: dict[str, Any], on: dt.date = TODAY) -> Prefill:
    data = json.loads(TBI.read_text())
    next(e["resource"] for e in data["entry"] if e["resource"]["id"] == ident).update(update)
    record = read_record([("referral.json", json.dumps(data).encode())], TODAY)
    return propose(CSET, RULES, record, on)


def _proposed(result: Prefill) -> dict[str, str | int]:
    return {p.criterion: p.value for p in result.proposals}


def _verification(system: str, code: str) -> dict[str, Any]:
    return {"verificationStatus": {"coding": [{"system": system, "code": code}]}}


@pytest.mark.parametrize("code", ["provisional", "differential", "unconfirmed"])
def test_a_cause_short_of_confirmed_is_proposed_as_suspected(code: str) -> None:
    proposed = _proposed(_run("cond-tbi", _verification(CONDITION_VERIFICATION, code)))
    assert proposed["cause"] == "suspected"
    assert "months_since_tbi" not in proposed  # no count of months from an injury not confirmed


def test_a_confirmed_cause_is_proposed_as_it_is() -> None:
    assert _proposed(_run("cond-tbi", _verification(CONDITION_VERIFICATION, "confirmed")))["cause"] == (
        "traumatic_brain_injury"
    )


def test_an_unconfirmed_allergy_is_no_documented_hypersensitivity() -> None:
    result = _run("allergy-baclofen", {"type": "allergy", **_verification(ALLERGY_VERIFICATION, "unconfirmed")})
    assert "baclofen_hypersensitivity" not in _proposed(result)
    confirmed = _run("allergy-baclofen", {"type": "allergy", **_verification(ALLERGY_VERIFICATION, "confirmed")})
    assert _proposed(confirmed)["baclofen_hypersensitivity"] == "hypersensitivity"


@pytest.mark.parametrize(
    ("ident", "status", "criterion"),
    [
        ("proc-fusion", "not-done", "spinal_fusion"),
        ("proc-fusion", "preparation", "spinal_fusion"),  # planned, not a previous fusion
        ("proc-vp-shunt", "not-done", "vp_shunt"),
        ("obs-bmi", "cancelled", "body_habitus"),  # a measurement cancelled: no BMI
    ],
)
def test_what_the_record_says_did_not_happen_is_not_evidence(ident: str, status: str, criterion: str) -> None:
    assert criterion not in _proposed(_run(ident, {"status": status}))


def test_a_proposal_that_assumes_what_the_codes_do_not_say_says_so() -> None:
    from click.testing import CliRunner

    from candidacy.cli.main import main

    checks = {
        p.criterion: p.check
        for p in propose(CSET, RULES, read_record([(TBI.name, TBI.read_bytes())], TODAY), TODAY).proposals
    }
    assert checks["seizures"].startswith("Whether the epilepsy is controlled is not coded")
    assert checks["vp_shunt"] and checks["spinal_fusion"] and checks["coagulation"] and checks["oral_baclofen"]
    assert checks["cause"] == "" and checks["age_years"] == ""  # read as the codes say
    args = ["fhir", "prefill", "--criteria", str(CRITERIA), "--date", "2026-12-01", "--record", str(TBI)]
    text = CliRunner().invoke(main, args).output
    assert "    Check before accepting: Whether the epilepsy is controlled is not coded" in text
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).output)
    assert next(p for p in data["proposals"] if p["criterion"] == "seizures")["check"] == checks["seizures"]


def test_a_drug_still_taken_since_long_ago_is_current_when_the_record_says_so_recently() -> None:
    warfarin = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "B01AA03"}]},
        "effectivePeriod": {"start": "2023-01-10"},  # started long ago, not ended
        "dateAsserted": "2026-11-20",  # and said to be taken ten days ago
    }
    data = json.loads(TBI.read_text())
    entry = next(e for e in data["entry"] if e["resource"]["id"] == "rx-apixaban")
    entry["resource"] = {"id": "med-warfarin", "subject": {"reference": "Patient/pat-tbi"}, **warfarin}
    result = propose(CSET, RULES, read_record([("referral.json", json.dumps(data).encode())], TODAY), TODAY)
    assert _proposed(result)["coagulation"] == "no_plan_yet"
    assert not result.stale


@pytest.mark.parametrize(
    "reference", ["urn:uuid:5d0f3c1e-0a6b-4e8e-9a53-0b8f1e2c7d10", "Medication/baclofen-tab/_history/2"]
)
def test_a_medication_named_by_a_fullurl_or_a_versioned_reference_is_read(reference: str) -> None:
    data = json.loads(TBI.read_text())
    statement = next(e["resource"] for e in data["entry"] if e["resource"]["id"] == "med-baclofen")
    medication = {
        "resourceType": "Medication",
        "id": "baclofen-tab",
        "code": statement.pop("medicationCodeableConcept"),
    }
    statement["medicationReference"] = {"reference": reference}
    data["entry"].append({"fullUrl": "urn:uuid:5d0f3c1e-0a6b-4e8e-9a53-0b8f1e2c7d10", "resource": medication})
    result = propose(CSET, RULES, read_record([("referral.json", json.dumps(data).encode())], TODAY), TODAY)
    assert _proposed(result)["oral_baclofen"] == "failed_or_not_tolerated"
