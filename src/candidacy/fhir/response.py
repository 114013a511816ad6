"""An assessment as a FHIR QuestionnaireResponse, and a QuestionnaireResponse back into answers.

The response references ``<canonical url>|<version>``; its status is ``completed`` when every
applicable item is answered, else ``in-progress``. Each answered item carries its answer; the
assessor's note travels in the item extension :data:`NOTE_EXTENSION`; a number answered "unknown"
has no answer and the standard data-absent-reason extension (code ``unknown``). Items that do not
apply are left out. The case label is the response identifier (system ``urn:candidacy:case-label``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.criteria.values import choices
from candidacy.criteria.yamlsource import parse_bytes
from candidacy.errors import CandidacyError
from candidacy.fhir.checks import FhirError, check_response, walk_items
from candidacy.fhir.questionnaire import NOTE_EXTENSION, canonical_url, coding_for, questionnaire, validate
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, check_answers
from candidacy.reasoning.engine import evaluate

__all__ = ["ABSENT_EXTENSION", "CASE_LABEL_SYSTEM", "answers_from_response", "questionnaire_response"]

ABSENT_EXTENSION = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
CASE_LABEL_SYSTEM = "urn:candidacy:case-label"


def questionnaire_response(cset: CriteriaSet, answer_set: AnswerSet, release: str = "R5") -> dict[str, Any]:
    checked = check_answers(cset, answer_set)
    result = evaluate(cset, checked)
    applicable = set(result.applicable_ids)
    groups = []
    for section in cset.sections:
        items = []
        for criterion in section.criteria:
            value, note = checked.get(criterion.id, (None, ""))
            if criterion.id not in applicable or (value is None and not note):
                continue
            items.append(_response_item(cset, criterion, value, note))
        if items:
            groups.append({"linkId": section.id, "text": section.title, "item": items})
    case = answer_set.case
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{canonical_url(cset)}|{cset.version}",
        "status": "completed" if result.answered == result.applicable else "in-progress",
    }
    if case.label:
        identifier = {"system": CASE_LABEL_SYSTEM, "value": case.label}
        resource["identifier"] = [identifier] if release == "R5" else identifier
    if case.assessed_on:
        resource["authored"] = case.assessed_on.isoformat()
    if case.assessor:
        resource["author"] = {"display": f"{case.assessor} ({case.role})" if case.role else case.assessor}
    resource["item"] = groups
    validate(resource, release)
    problems = check_response(resource, questionnaire(cset, release))
    if problems:
        raise FhirError(problems)
    return resource


def _response_item(cset: CriteriaSet, criterion: Criterion, value: str | float | None, note: str) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": criterion.id, "text": criterion.question}
    extensions = []
    if note:
        extensions.append({"url": NOTE_EXTENSION, "valueString": note})
    if isinstance(criterion.answer, NumberAnswer):
        if value == UNKNOWN:
            extensions.append({"url": ABSENT_EXTENSION, "valueCode": "unknown"})
        elif value is not None:
            number = float(value)
            key, cast = ("valueInteger", int) if criterion.answer.integer else ("valueDecimal", float)
            item["answer"] = [{key: cast(number)}]
    elif value is not None:
        item["answer"] = [{"valueCoding": coding_for(cset, criterion, str(value))}]
    if extensions:
        item["extension"] = extensions
    return item


def answers_from_response(cset: CriteriaSet, raw: bytes, name: str = "<response>") -> AnswerSet:
    """Read a QuestionnaireResponse (JSON) into answers for ``cset``; refuse one for another questionnaire."""
    data = parse_bytes(raw, name).data
    if not isinstance(data, dict) or data.get("resourceType") != "QuestionnaireResponse":
        raise FhirError("not a FHIR QuestionnaireResponse (resourceType is missing or different)", file=name)
    release = "R4B" if isinstance(data.get("identifier"), dict) else "R5"
    expected = f"{canonical_url(cset)}|{cset.version}"
    given = data.get("questionnaire")
    if given != expected:
        raise FhirError(
            f"this response is for questionnaire '{given}', not '{expected}' (criteria set '{cset.id}' "
            f"version {cset.version})",
            file=name,
        )
    try:
        validate(data, release)
    except FhirError as error:
        raise FhirError([p.message for p in error.problems], file=name) from None
    problems = check_response(data, questionnaire(cset, release))
    if problems:
        raise FhirError(problems, file=name)
    answers: dict[str, Answer] = {}
    for _, item in walk_items(data.get("item")):
        criterion = cset.criteria_by_id.get(str(item.get("linkId")))
        if criterion is None:
            continue  # a section group
        answers[criterion.id] = Answer(value=_value(cset, criterion, item), note=_extension(item, NOTE_EXTENSION) or "")
    answer_set = AnswerSet(criteria=cset.id, version=cset.version, case=_case(data), answers=answers)
    try:
        check_answers(cset, answer_set)
    except CandidacyError as error:
        raise FhirError([str(p) for p in error.problems], file=name) from None
    return answer_set


def _extension(item: dict[str, Any], url: str) -> Any:
    for ext in item.get("extension") or []:
        if ext.get("url") == url:
            return ext.get("valueString", ext.get("valueCode"))
    return None


def _value(cset: CriteriaSet, criterion: Criterion, item: dict[str, Any]) -> str | int | float | None:
    answers = item.get("answer") or []
    if not answers:
        return UNKNOWN if _extension(item, ABSENT_EXTENSION) == "unknown" else None
    answer = answers[0]
    if "valueInteger" in answer:
        return int(answer["valueInteger"])
    if "valueDecimal" in answer:
        return float(answer["valueDecimal"])
    coding = answer.get("valueCoding") or {}
    for value in [v for v, _ in choices(criterion, cset) or []] + [UNKNOWN]:
        expected = coding_for(cset, criterion, value)
        if (expected["system"], expected["code"]) == (coding.get("system"), coding.get("code")):
            return value
    raise FhirError(f"item '{criterion.id}': code '{coding.get('code')}' is not an answer of this criterion")


def _case(data: dict[str, Any]) -> CaseHeader:
    identifier = data.get("identifier")
    if isinstance(identifier, list):
        identifier = identifier[0] if identifier else None
    label = identifier.get("value", "") if isinstance(identifier, dict) else ""
    authored = str(data.get("authored") or "")[:10]
    try:
        assessed_on = dt.date.fromisoformat(authored) if authored else None
    except ValueError:
        assessed_on = None
    author = data.get("author") or {}
    return CaseHeader(label=str(label)[:120], assessor=str(author.get("display", ""))[:120], assessed_on=assessed_on)


def dumps(resource: dict[str, Any]) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
