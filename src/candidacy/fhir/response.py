"""An assessment as an SDC QuestionnaireResponse, shaped as a form filler would return it.

The response references ``<canonical url>|<version>`` and claims its release in ``meta.profile``. Its
status is ``completed`` only when every applicable item is answered (a number by a value or by "Not
known"), else ``in-progress``. The case header is in the ``case-header`` items (and, for systems that
read them, the label in ``identifier`` and the assessor in ``author``). Items that do not apply and
empty groups are left out, as a form filler leaves out disabled items.
"""

from __future__ import annotations

import html
import json
from typing import Any

from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer
from candidacy.fhir.checks import FhirError, check_response, validate
from candidacy.fhir.questionnaire import shared_questionnaire
from candidacy.fhir.terms import (
    HEADER,
    HEADER_FIELDS,
    SDC_PROFILES,
    base_url,
    canonical_url,
    coding_for,
    core_profile,
    group_id,
    note_id,
    unknown_id,
)
from candidacy.reasoning.answers import AnswerSet, CaseHeader, Value, check_answers
from candidacy.reasoning.engine import evaluate

__all__ = ["dumps", "questionnaire_response"]


def questionnaire_response(
    cset: CriteriaSet, answer_set: AnswerSet, release: str = "R5", base: str | None = None
) -> dict[str, Any]:
    base = base or base_url()
    checked = check_answers(cset, answer_set)
    result = evaluate(cset, checked)
    applicable = set(result.applicable_ids)
    groups = []
    header = _header_items(answer_set.case)
    if header:
        groups.append({"linkId": HEADER, "text": "Case", "item": header})
    for section in cset.sections:
        blocks = []
        for criterion in section.criteria:
            value, note = checked.get(criterion.id, (None, ""))
            if criterion.id in applicable and (value is not None or note):
                blocks.append(_criterion_block(cset, criterion, value, note, base))
        if blocks:
            groups.append({"linkId": section.id, "text": section.title, "item": blocks})
    case = answer_set.case
    complete = result.answered == result.applicable
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "meta": {"profile": [core_profile("QuestionnaireResponse", release), SDC_PROFILES["QuestionnaireResponse"]]},
        "text": _narrative(cset, case, result.answered, result.applicable),
        "questionnaire": f"{canonical_url(cset, base)}|{cset.version}",
        "status": "completed" if complete else "in-progress",
    }
    if case.label:
        identifier = {"system": f"{base}/identifier/case-label", "value": case.label}
        resource["identifier"] = [identifier] if release == "R5" else identifier
    if case.assessed_on:
        resource["authored"] = case.assessed_on.isoformat()
    if case.assessor:
        resource["author"] = {"display": case.assessor}
    resource["item"] = groups
    validate(resource, release)
    problems = check_response(resource, shared_questionnaire(cset, release, base))
    if problems:
        raise FhirError(problems)
    return resource


def _header_items(case: CaseHeader) -> list[dict[str, Any]]:
    items = []
    for field, link, text, kind in HEADER_FIELDS:
        value = getattr(case, field)
        if value:
            key = "valueDate" if kind == "date" else "valueString"
            items.append({"linkId": link, "text": text, "answer": [{key: str(value)}]})
    return items


def _criterion_block(
    cset: CriteriaSet, criterion: Criterion, value: Value | None, note: str, base: str
) -> dict[str, Any]:
    question: dict[str, Any] = {"linkId": criterion.id, "text": criterion.question}
    items = [question]
    if isinstance(criterion.answer, NumberAnswer):
        if value == UNKNOWN:
            items = [{"linkId": unknown_id(criterion), "answer": [{"valueBoolean": True}]}]
        elif value is not None:
            number = float(value)
            key, cast = ("valueInteger", int) if criterion.answer.integer else ("valueDecimal", float)
            question["answer"] = [{key: cast(number)}]
        else:
            items = []
    elif value is not None:
        question["answer"] = [{"valueCoding": coding_for(cset, criterion, str(value), base)}]
    else:
        items = []
    if note:
        items.append({"linkId": note_id(criterion), "answer": [{"valueString": note}]})
    return {"linkId": group_id(criterion), "text": criterion.title, "item": items}


def _narrative(cset: CriteriaSet, case: CaseHeader, answered: int, applicable: int) -> dict[str, str]:
    label = f"Case {html.escape(case.label)}: " if case.label else ""
    div = (
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{label}{html.escape(cset.title)} version '
        f"{html.escape(cset.version)}, {answered} of {applicable} applicable items answered.</p></div>"
    )
    return {"status": "generated", "div": div}


def dumps(resource: dict[str, Any]) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"
