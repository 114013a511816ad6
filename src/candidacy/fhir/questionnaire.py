"""The criteria set as a FHIR Questionnaire (R4B or R5), validated by ``fhir.resources``.

One group per section and one question item per criterion, whose ``linkId`` is the criterion id.
Coded answers use the system ``urn:candidacy:<set>:<criterion>`` with the option value as code, or the
SNOMED CT code when the criteria file gives one; "unknown" is always an option. Numbers are integer
or decimal items with their unit and range. ``applies_when`` becomes ``enableWhen``. One difference is
documented in the description: the app keeps an item open while the item it depends on is unanswered,
whereas a FHIR form hides it until the condition holds.
"""

from __future__ import annotations

import re
from typing import Any

from candidacy.criteria.conditions import AllOf, AnswerIs, AnyOf, Blocked, Condition, Not, Present
from candidacy.criteria.models import UNKNOWN, ChoiceAnswer, CriteriaSet, Criterion, NumberAnswer, ScaleAnswer
from candidacy.criteria.values import choices, level_index
from candidacy.fhir.checks import FhirError, check_questionnaire

__all__ = [
    "HELP_CONTROL",
    "NOTE_EXTENSION",
    "RELEASES",
    "canonical_url",
    "coding_for",
    "questionnaire",
    "validate",
]

RELEASES = ("R5", "R4B")
NOTE_EXTENSION = "urn:candidacy:fhir:StructureDefinition:assessor-note"
UNIT_EXTENSION = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit"
MIN_EXTENSION = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_EXTENSION = "http://hl7.org/fhir/StructureDefinition/maxValue"
HELP_CONTROL = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"


def canonical_url(cset: CriteriaSet) -> str:
    return f"urn:candidacy:criteria:{cset.id}"


def answer_system(cset: CriteriaSet, criterion: Criterion) -> str:
    return f"urn:candidacy:{cset.id}:{criterion.id}"


def coding_for(cset: CriteriaSet, criterion: Criterion, value: str) -> dict[str, str]:
    """The Coding of a closed answer: the SNOMED CT code when the file gives one, else the local code."""
    labels = dict(choices(criterion, cset) or []) | {UNKNOWN: "Unknown"}
    if isinstance(criterion.answer, ChoiceAnswer):
        for option in criterion.answer.options:
            if option.value == value and option.codes:
                code = option.codes[0]
                return {"system": code.system, "code": code.code, "display": code.display}
    return {"system": answer_system(cset, criterion), "code": value, "display": labels.get(value, value)}


def _item(cset: CriteriaSet, criterion: Criterion, release: str) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": criterion.id, "text": criterion.question, "required": True}
    answer = criterion.answer
    if isinstance(answer, NumberAnswer):
        kind = "integer" if answer.integer else "decimal"
        value_key = "valueInteger" if answer.integer else "valueDecimal"
        number = int if answer.integer else float
        item["type"] = kind
        item["extension"] = [
            {"url": UNIT_EXTENSION, "valueCoding": {"display": answer.unit}},
            {"url": MIN_EXTENSION, value_key: number(answer.min)},
            {"url": MAX_EXTENSION, value_key: number(answer.max)},
        ]
    else:
        item["type"] = "coding" if release == "R5" else "choice"
        values = [v for v, _ in choices(criterion, cset) or []] + [UNKNOWN]
        item["answerOption"] = [{"valueCoding": coding_for(cset, criterion, v)} for v in values]
    if criterion.applies_when is not None:
        rules, behavior = _enable_when(cset, criterion.applies_when, criterion.id)
        item["enableWhen"] = rules
        if len(rules) > 1:
            item["enableBehavior"] = behavior
    item["item"] = [
        {
            "linkId": f"{criterion.id}-help",
            "type": "display",
            "text": f"{criterion.help} Why it matters: {criterion.rationale}",
            "extension": [
                {
                    "url": HELP_CONTROL,
                    "valueCodeableConcept": {
                        "coding": [{"system": "http://hl7.org/fhir/questionnaire-item-control", "code": "help"}]
                    },
                }
            ],
        }
    ]
    return item


def _enable_when(cset: CriteriaSet, cond: Condition, owner: str) -> tuple[list[dict[str, Any]], str]:
    """FHIR enableWhen is a flat list joined by all or any; deeper conditions cannot be expressed."""
    if isinstance(cond, (AllOf, AnyOf)):
        behavior = "all" if isinstance(cond, AllOf) else "any"
        rules: list[dict[str, Any]] = []
        for child in cond.all if isinstance(cond, AllOf) else cond.any:
            sub, sub_behavior = _enable_when(cset, child, owner)
            if len(sub) > 1 and sub_behavior != behavior:
                raise FhirError(f"criterion '{owner}': applies_when is too deep for FHIR enableWhen")
            rules += sub
        return rules, behavior
    if isinstance(cond, Not):
        inner, _ = _enable_when(cset, cond.not_, owner)
        if len(inner) != 1 or inner[0]["operator"] != "=":
            raise FhirError(f"criterion '{owner}': only 'not' of a single equals test maps to FHIR enableWhen")
        return [{**inner[0], "operator": "!="}], "all"
    if isinstance(cond, (Present, Blocked)):
        raise FhirError(f"criterion '{owner}': 'present' and 'blocked' cannot decide applicability")
    return _leaf(cset, cond, owner)


def _leaf(cset: CriteriaSet, leaf: AnswerIs, owner: str) -> tuple[list[dict[str, Any]], str]:
    target = cset.criteria_by_id[leaf.criterion]
    if isinstance(target.answer, NumberAnswer):
        key = "answerInteger" if target.answer.integer else "answerDecimal"
        cast = int if target.answer.integer else float
        if leaf.equals is not None:
            return [{"question": target.id, "operator": "=", key: cast(leaf.equals)}], "all"
        if leaf.one_of is not None:
            return [{"question": target.id, "operator": "=", key: cast(v)} for v in leaf.one_of], "any"
        op, bound = (">=", leaf.at_least) if leaf.at_least is not None else ("<", leaf.below)
        return [{"question": target.id, "operator": op, key: cast(bound)}], "all"  # type: ignore[arg-type]
    if leaf.equals is not None:
        values = [str(leaf.equals)]
    elif leaf.one_of is not None:
        values = [str(v) for v in leaf.one_of]
    else:
        assert isinstance(target.answer, ScaleAnswer)
        levels = [v for v, _ in choices(target, cset) or []]
        bound = level_index(target, cset, str(leaf.at_least if leaf.at_least is not None else leaf.below)) or 0
        values = levels[bound:] if leaf.at_least is not None else levels[:bound]
    rules = [{"question": target.id, "operator": "=", "answerCoding": coding_for(cset, target, v)} for v in values]
    return rules, "any"


def questionnaire(cset: CriteriaSet, release: str = "R5") -> dict[str, Any]:
    """The Questionnaire as a plain dict, validated by fhir.resources and by the added checks."""
    if release not in RELEASES:
        raise FhirError(f"unknown FHIR release '{release}' (choose R5 or R4B)")
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "url": canonical_url(cset),
        "version": cset.version,
        "name": re.sub(r"(^|_)([a-z0-9])", lambda m: m.group(2).upper(), cset.id),
        "title": cset.title,
        "status": "active",
        "date": cset.review_date.isoformat(),
        "description": (
            f"{cset.notice} Items whose enableWhen depends on an unanswered item stay open in the candidacy "
            "app; notes are carried in the QuestionnaireResponse item extension " + NOTE_EXTENSION + "."
        ),
        "item": [
            {
                "linkId": section.id,
                "type": "group",
                "text": section.title,
                "item": [_item(cset, c, release) for c in section.criteria],
            }
            for section in cset.sections
        ],
    }
    validate(resource, release)
    problems = check_questionnaire(resource, release)
    if problems:
        raise FhirError(problems)
    return resource


def validate(resource: dict[str, Any], release: str) -> None:
    """Validate with fhir.resources for the release; raise FhirError with its messages."""
    from pydantic import ValidationError

    if release == "R5":
        from fhir.resources import get_fhir_model_class
    else:
        from fhir.resources.R4B import get_fhir_model_class
    try:
        model = get_fhir_model_class(resource.get("resourceType", ""))
    except (KeyError, ValueError) as exc:
        raise FhirError(f"not a FHIR {release} resource type: {resource.get('resourceType')!r}") from exc
    try:
        model.model_validate(resource)
    except ValidationError as exc:
        raise FhirError([f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:20]]) from None
