"""SDC observation-based extraction: the answered observation items of an assessment as a FHIR
transaction Bundle of Observations, with one Provenance that names them (R5 or R4B).

Only items the criteria declare ``observation: true`` (flagged ``sdc-questionnaire-observationExtract``
in the Questionnaire) are extracted, and only when they apply and hold a value: an item left blank or
answered "Unknown" gives nothing. Each Observation carries the item's codes (the project's own code and
its standard codes, as ``item.code``), the case's pseudonymous label as its subject (an identifier, never
a name), the assessment date as its effective date (today on the project clock when the case gives
none), and the answer: a quantity with its UCUM unit for numbers, the level's coding for scales. The
resource ids are derived from the case, the item and the date, so extracting the same assessment twice
gives the same Bundle.
"""

from __future__ import annotations

import html
import uuid
from typing import Any

from candidacy import clock
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.fhir.checks import FhirError, validate
from candidacy.fhir.terms import (
    RELEASES,
    UCUM,
    UCUM_SYSTEM,
    base_url,
    canonical_url,
    coding_for,
    core_profile,
    item_codes,
)
from candidacy.reasoning.answers import AnswerSet, Value, check_answers
from candidacy.reasoning.engine import evaluate

__all__ = ["TOOL", "extraction_bundle", "observation_items"]

#: Who assembled the extracted resources (the Provenance's assembler agent).
TOOL = "candidacy decision-support tool"
_DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"


def observation_items(cset: CriteriaSet) -> list[Criterion]:
    """The criteria whose answers are extracted as Observations."""
    return [c for c in cset.iter_criteria() if c.observation]


def extraction_bundle(
    cset: CriteriaSet, answer_set: AnswerSet, release: str = "R5", base: str | None = None
) -> dict[str, Any]:
    """The transaction Bundle for an assessment, validated by fhir.resources for ``release``.

    Raises FhirError naming the field when the case gives no label to stand for the patient while an
    observation is answered."""
    if release not in RELEASES:
        raise FhirError(f"unknown FHIR release '{release}' (choose R5 or R4B)")
    base = base or base_url()
    checked = check_answers(cset, answer_set)
    applicable = set(evaluate(cset, checked).applicable_ids)
    answered = [
        (c, value)
        for c in observation_items(cset)
        if c.id in applicable and (value := checked.get(c.id, (None, ""))[0]) is not None and value != UNKNOWN
    ]
    case = answer_set.case
    if answered and not case.label:
        names = ", ".join(f"'{c.id}'" for c, _ in answered)
        raise FhirError(
            f"case.label: the case has no label, and the Observations of {names} need a subject "
            "(the case's pseudonymous label)"
        )
    effective = (case.assessed_on or clock.today()).isoformat()
    recorded = clock.now().isoformat(timespec="seconds").replace("+00:00", "Z")
    seed = f"{canonical_url(cset, base)}|{cset.version}|{case.label}|{effective}"
    entries: list[dict[str, Any]] = []
    targets: list[str] = []
    for criterion, value in answered:
        full_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{seed}|{criterion.id}')}"
        resource = _observation(cset, criterion, value, case.label, effective, release, base)
        targets.append(full_url)
        entries.append({"fullUrl": full_url, "resource": resource, "request": {"method": "POST", "url": "Observation"}})
    if entries:
        provenance = _provenance(cset, targets, case.assessor, recorded, release, base)
        entries.append(
            {
                "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{seed}|provenance')}",
                "resource": provenance,
                "request": {"method": "POST", "url": "Provenance"},
            }
        )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "meta": {"profile": [core_profile("Bundle", release)]},
        "type": "transaction",
        "timestamp": recorded,
        "entry": entries,
    }
    if not entries:
        del bundle["entry"]
    validate(bundle, release)
    return bundle


def _subject(label: str, base: str) -> dict[str, Any]:
    return {
        "type": "Patient",
        "identifier": {"system": f"{base}/identifier/case-label", "value": label},
        "display": label,
    }


def _observation(
    cset: CriteriaSet, criterion: Criterion, value: Value, label: str, effective: str, release: str, base: str
) -> dict[str, Any]:
    labels = dict(choices(criterion, cset) or [])
    shown = f"{value} {criterion.answer.unit}" if isinstance(criterion.answer, NumberAnswer) else labels.get(str(value))
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "meta": {"profile": [core_profile("Observation", release)]},
        "text": _narrative(f"{criterion.title}: {shown or value} ({label}, {effective})"),
        "status": "final",
        "code": {
            "coding": item_codes(cset, criterion, base),
            "text": criterion.title,
        },
        "subject": _subject(label, base),
        "effectiveDateTime": effective,
    }
    answer = criterion.answer
    if isinstance(answer, NumberAnswer):
        number = int(value) if answer.integer else float(value)
        resource["valueQuantity"] = {
            "value": number,
            "unit": answer.unit,
            "system": UCUM_SYSTEM,
            "code": UCUM[answer.unit],
        }
    else:
        resource["valueCodeableConcept"] = {
            "coding": [coding_for(cset, criterion, str(value), base)],
            "text": labels.get(str(value), str(value)),
        }
    return resource


def _provenance(
    cset: CriteriaSet, targets: list[str], assessor: str, recorded: str, release: str, base: str
) -> dict[str, Any]:
    agents: list[dict[str, Any]] = []
    if assessor:
        agents.append({"type": _participant("author", "Author"), "who": {"display": assessor}})
    agents.append({"type": _participant("assembler", "Assembler"), "who": {"display": TOOL}})
    return {
        "resourceType": "Provenance",
        "meta": {"profile": [core_profile("Provenance", release)]},
        "text": _narrative(f"{len(targets)} observation(s) extracted from an assessment against {cset.title}"),
        "target": [{"reference": t} for t in targets],
        "recorded": recorded,
        "activity": {"coding": [{"system": _DATA_OPERATION, "code": "CREATE", "display": "create"}]},
        "agent": agents,
        "entity": [
            {
                "role": "source",
                "what": {
                    "display": f"Assessment against {cset.title} version {cset.version} "
                    f"({canonical_url(cset, base)}|{cset.version})"
                },
            }
        ],
    }


def _narrative(summary: str) -> dict[str, str]:
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{html.escape(summary)}</p></div>',
    }


def _participant(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": _PARTICIPANT, "code": code, "display": display}]}
