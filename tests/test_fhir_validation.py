"""Independent validation of every generated resource, by definitions and tools the project did not write.

- the official FHIR JSON schema (``openapi/fhir.schema.json`` of the npm packages ``hl7.fhir.r5.core``
  5.0.0 and ``hl7.fhir.r4b.core`` 4.3.0), checked with ``jsonschema``;
- every FHIRPath invariant (que-*, qrs-*, bdl-*, obs-*, dom-*, ele-*, ext-*) of the core StructureDefinitions
  of Questionnaire, QuestionnaireResponse, Bundle, Observation and Provenance in those packages, evaluated with the npm FHIRPath engine
  ``fhirpath`` (the one LHC-Forms uses; tests/lhcforms/invariants.js only feeds it).

fhir.resources validates the same resources inside the project; these checks do not share its code.
"""

from __future__ import annotations

import functools
import json
import subprocess
from typing import Any

import jsonschema
import pytest

from candidacy import AnswerSet, CriteriaSet, load_criteria
from candidacy.criteria.yamlsource import read_file
from candidacy.fhir import extraction_bundle, questionnaire, questionnaire_response

from .conftest import ROOT
from .fhir_tools import CORE_PACKAGES, TOOLS, npm_tools
from .golden import GOLDEN
from .test_fhir_extract import ANSWERS as OBS_ANSWERS
from .test_fhir_extract import CASE as OBS_CASE

EXAMPLE = ROOT / "examples" / "ms_wheelchair_user.yaml"
RELEASES = ["R5", "R4B"]
#: Each definition's nested items (contentReference) are selected at every depth.
NESTED = {
    "Questionnaire.item": "Questionnaire.repeat(item)",
    "QuestionnaireResponse.item": "QuestionnaireResponse.repeat(item | answer.item)",
}


@functools.cache
def _schema(release: str) -> dict[str, Any]:
    data = json.loads((CORE_PACKAGES[release] / "openapi" / "fhir.schema.json").read_text())
    return data  # type: ignore[no-any-return]


@functools.cache
def _invariants(release: str, resource_type: str) -> list[tuple[str, str, str, str]]:
    """(key, severity, selection, expression) of every constraint in the core StructureDefinition, but those
    that resolve() a reference (obs-9, prov-1 to prov-3): fhirpath.js cannot resolve without a server, and
    the only references the project writes are display-only or to urn:uuid entries of the same Bundle."""
    path = CORE_PACKAGES[release] / f"StructureDefinition-{resource_type}.json"
    definition = json.loads(path.read_text())
    found = []
    for element in definition["snapshot"]["element"]:
        selection = element["path"].replace("[x]", "")
        for prefix, nested in NESTED.items():
            if selection == prefix or selection.startswith(prefix + "."):
                selection = nested + selection[len(prefix) :]
        for constraint in element.get("constraint", []):
            if "expression" in constraint and "resolve()" not in constraint["expression"]:
                found.append((constraint["key"], constraint["severity"], selection, constraint["expression"]))
    return found


def _example() -> AnswerSet:
    data = read_file(EXAMPLE).data
    return AnswerSet.model_validate({"criteria": "itb_pump", "answers": data["answers"], "case": data["case"]})


def _resources(cset: CriteriaSet, release: str) -> list[dict[str, Any]]:
    """The Questionnaire, a response for every golden case and the example (which has the case header), and
    the extraction Bundles of the example and of the observations test set, with each resource they hold."""
    cases = [a for _, a in GOLDEN] + [_example()]
    observations = AnswerSet.model_validate(
        {"criteria": "obs", "case": OBS_CASE, "answers": OBS_ANSWERS}  # weight, BMI and a coded scale
    )
    bundles = [extraction_bundle(cset, _example(), release), extraction_bundle(_obs(), observations, release)]
    return (
        [questionnaire(cset, release)]
        + [questionnaire_response(cset, a, release) for a in cases]
        + bundles
        + [e["resource"] for b in bundles for e in b["entry"]]
    )


@functools.cache
def _obs() -> CriteriaSet:
    return load_criteria(ROOT / "tests" / "data" / "observations.yaml")


@pytest.fixture(scope="module")
def core() -> None:
    npm_tools()


def test_the_invariants_are_read(core: None) -> None:
    """The check covers the invariants it claims (a definition read as empty would pass everything)."""
    keys = {k for r in RELEASES for t in ("Questionnaire", "QuestionnaireResponse") for k, *_ in _invariants(r, t)}
    assert {"que-1a", "que-1c", "que-2", "que-3", "que-4", "que-5", "que-6", "que-7", "que-8", "que-9"} <= keys
    assert {"que-10", "que-11", "que-12", "que-13", "qrs-1", "qrs-2", "dom-2", "dom-6", "ele-1", "ext-1"} <= keys
    extracted = {k for r in RELEASES for t in ("Bundle", "Observation", "Provenance") for k, *_ in _invariants(r, t)}
    assert {"bdl-3", "bdl-7", "obs-6", "obs-7"} <= extracted
    skipped = {
        c["key"]
        for r in RELEASES
        for t in ("Questionnaire", "QuestionnaireResponse", "Bundle", "Observation", "Provenance")
        for e in json.loads((CORE_PACKAGES[r] / f"StructureDefinition-{t}.json").read_text())["snapshot"]["element"]
        for c in e.get("constraint", [])
        if "resolve()" in c.get("expression", "")
    }
    assert skipped == {"obs-9", "prov-1", "prov-2", "prov-3"}


@pytest.mark.parametrize("release", RELEASES)
def test_generated_resources_pass_the_official_json_schema(core: None, itb: CriteriaSet, release: str) -> None:
    schema = _schema(release)
    validator_class = jsonschema.validators.validator_for(schema)
    for resource in _resources(itb, release):
        target = {**schema, "oneOf": [{"$ref": f"#/definitions/{resource['resourceType']}"}]}
        errors = [f"{e.json_path}: {e.message[:200]}" for e in validator_class(target).iter_errors(resource)]
        assert errors == [], resource["resourceType"]


def _failing(release: str, resources: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """(resource index, invariant key, failing nodes) for every invariant a resource breaks.

    fhirpath.js has R4 and R5 models; R4B's Questionnaire and QuestionnaireResponse are R4's."""
    checks = [
        {"resource": r, "invariants": [[k, sel, expr] for k, _, sel, expr in _invariants(release, r["resourceType"])]}
        for r in resources
    ]
    done = subprocess.run(
        ["node", str(TOOLS / "invariants.js")],
        input=json.dumps({"release": release, "checks": checks}),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [tuple(f) for f in json.loads(done.stdout)]  # type: ignore[misc]


@pytest.mark.parametrize("release", RELEASES)
def test_generated_resources_pass_the_core_invariants(core: None, itb: CriteriaSet, release: str) -> None:
    resources = _resources(itb, release)
    failures = [(resources[i]["resourceType"], key, nodes) for i, key, nodes in _failing(release, resources)]
    assert failures == []


@pytest.mark.parametrize("release", RELEASES)
def test_the_invariant_check_catches_a_broken_resource(core: None, itb: CriteriaSet, release: str) -> None:
    """Proof that the check can fail: a display item with a code (que-3) and an answer beside child items
    (qrs-1) are reported."""
    q = questionnaire(itb, release)
    q["item"][1]["item"][0]["item"][0]["item"][0]["code"] = [{"code": "x"}]
    response = questionnaire_response(itb, _example(), release)
    response["item"][1]["answer"] = [{"valueBoolean": True}]
    assert {(i, key) for i, key, _ in _failing(release, [q, response])} >= {(0, "que-3"), (1, "qrs-1")}
