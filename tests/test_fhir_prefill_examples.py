"""The prefill reader against records nobody here wrote: the official FHIR R4 and R4B examples (npm
``hl7.fhir.r4.examples`` 4.0.1, ``hl7.fhir.r4b.examples`` 4.3.0, pinned in tests/lhcforms).

Every Patient-centred example is read without a traceback (a clear error is allowed: one example
holds a 19-digit number, beyond the project's limit, and nine are about someone who is not a Patient
the record holds: a contained newborn, a Group, a name alone); each Patient with the examples about it forms a
record whose proposals are what its codes imply: the age from its birth date, the stroke example's
cause, and nothing from the other allergies, conditions and medications (counted as unknown codes).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from candidacy.criteria.loader import load_criteria
from candidacy.errors import CandidacyError
from candidacy.fhir.prefill import propose
from candidacy.fhir.prefill_rules import load_rules, rules_path
from candidacy.fhir.record import read_record
from tests.clock_support import TODAY
from tests.fhir_tools import npm_tools

ROOT = Path(__file__).resolve().parents[1]
CRITERIA = ROOT / "criteria" / "itb_pump.yaml"
CSET = load_criteria(CRITERIA)
RULES = load_rules(rules_path(CRITERIA), CSET)
PACKAGES = ("hl7.fhir.r4.examples", "hl7.fhir.r4b.examples")
TYPES = (
    "Patient",
    "AllergyIntolerance",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "Observation",
    "Procedure",
)
ON = dt.date(2026, 12, 1)
#: Age in whole years on 1 December 2026 of every example Patient with a birth date.
AGES = {
    "animal": 16,  # 2010-03-23 (a dog: the reader does not judge species)
    "ch-example": 51,  # 1974-12-25
    "example": 51,
    "f001": 82,  # 1944-11-17
    "f201": 66,  # 1960-03-13
    "genetics-example1": 53,  # 1973-05-31
    "glossy": 94,  # 1932-09-24
    "infant-mom": 31,  # 1995-10-12
    "infant-twin-1": 9,  # 2017-05-15
    "infant-twin-2": 9,
    "mom": 53,
    "newborn": 9,  # 2017-09-05
    "pat3": 44,  # 1982-01-23
    "pat4": 44,  # 1982-08-02
    "proband": 60,  # 1966-04-04
    "xcda": 94,
    "xds": 70,  # 1956-05-27
}
#: Everything else the examples' codes imply for the checklist.
EXPECTED = {("example", "cause"): "stroke"}  # Condition/stroke: SNOMED 422504002 Ischemic stroke


def _examples(package: str) -> list[dict[str, Any]]:
    folder = npm_tools() / package
    found = []
    for path in sorted(folder.glob("*.json")):
        if path.name.split("-")[0] in TYPES:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["_file"] = path.name
            found.append(data)
    return found


def _subject(resource: dict[str, Any]) -> str | None:
    ref = (resource.get("subject") or resource.get("patient") or {}).get("reference", "")
    return ref.split("/")[-1] if isinstance(ref, str) and ref.startswith("Patient/") else None


def _bundle(resources: list[dict[str, Any]]) -> bytes:
    entries = [{"resource": {k: v for k, v in r.items() if k != "_file"}} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


@pytest.mark.parametrize("package", PACKAGES)
def test_every_patient_centred_example_is_read_without_a_traceback(package: str) -> None:
    errors = []
    examples = _examples(package)
    assert len(examples) > 150
    for resource in examples:
        record = [resource]
        if resource["resourceType"] != "Patient":
            record.append({"resourceType": "Patient", "id": _subject(resource) or "someone"})
        try:
            propose(CSET, RULES, read_record([(resource["_file"], _bundle(record))], TODAY), ON)
        except CandidacyError as error:  # a clear error is fine; any other exception fails the test
            errors.append(str(error))
    digits = [e for e in errors if "the whole number has 19 digits" in e]  # Observation-decimal.json
    someone_else = [e for e in errors if "the record mixes patients" in e]
    assert len(digits) == 1 and len(someone_else) == 9 and len(errors) == 10, errors
    assert sum("is about #newborn" in e for e in someone_else) == 5


@pytest.mark.parametrize("package", PACKAGES)
def test_each_example_patient_record_gives_what_its_codes_imply(package: str) -> None:
    examples = [r for r in _examples(package) if r["_file"] != "Observation-decimal.json"]
    patients = [r for r in examples if r["resourceType"] == "Patient"]
    checked = 0
    for patient in patients:
        about = [r for r in examples if r["resourceType"] != "Patient" and _subject(r) == patient["id"]]
        record = read_record([(patient["_file"], _bundle([patient, *about]))], TODAY)
        result = propose(CSET, RULES, record, ON)
        proposed = {p.criterion: p.value for p in result.proposals}
        expected: dict[str, str | int] = {c: v for (pid, c), v in EXPECTED.items() if pid == patient["id"]}
        if patient["id"] in AGES:
            expected["age_years"] = AGES[patient["id"]]
        assert proposed == expected, patient["_file"]
        assert not result.conflicts and not result.stale, patient["_file"]
        if patient["id"] == "example":  # dozens of conditions, allergies and drugs no rule knows: ignored, counted
            assert result.summary["unknown_codes"] >= 20, result.summary
        checked += len(about)
    assert checked > 50  # the examples about Patient/example alone are dozens
