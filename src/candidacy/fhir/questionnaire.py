"""The criteria set as an SDC Questionnaire (FHIR R5 or R4B) that any SDC form filler can complete.

Layout: a ``case-header`` group (label, meeting date, assessor, role, date assessed), then one group per
section holding one group per criterion (``<id>.group``, enabled by the criterion's ``applies_when``)
with the question (linkId = criterion id), a "Not known" box for numbers (``<id>.unknown``, which
disables the number), a free-text note (``<id>.note``) and the help text. Coded questions are required
and offer "Unknown"; numbers are optional because "Not known" answers them. Scale options carry their
score (``itemWeight`` in R5, ``ordinalValue`` in R4B), numbers their UCUM unit and range. Questions carry
the criteria's standard codes after the project's own; observations are flagged for SDC extraction.

One difference is documented in the description: the app keeps an item open while the item it depends
on is unanswered, whereas a FHIR form hides it until the condition holds.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Sequence
from typing import Any

from candidacy.criteria.conditions import AnswerIs, Condition, Leaf, Walker
from candidacy.criteria.models import UNKNOWN, CriteriaSet, Criterion, NumberAnswer, ScaleAnswer
from candidacy.criteria.values import choices, level_index
from candidacy.fhir.checks import FhirError, check_questionnaire, validate
from candidacy.fhir.terms import (
    HEADER,
    HEADER_FIELDS,
    OBSERVATION_EXTRACT,
    RELEASES,
    SDC_PROFILES,
    UCUM,
    UCUM_SYSTEM,
    base_url,
    canonical_url,
    coding_for,
    core_profile,
    group_id,
    help_id,
    item_codes,
    note_id,
    ordinal,
    unknown_id,
)
from candidacy.reasoning.answers import MAX_NOTE

__all__ = ["PUBLISHER", "questionnaire", "shared_questionnaire"]

PUBLISHER = "candidacy decision-support project"
EXT = "http://hl7.org/fhir/StructureDefinition/"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
#: Up to this many options show as radio buttons; longer lists as a drop-down.
RADIO_LIMIT = 6
MAX_TEXT = 120


def _control(code: str) -> dict[str, Any]:
    return {
        "url": EXT + "questionnaire-itemControl",
        "valueCodeableConcept": {"coding": [{"system": ITEM_CONTROL_SYSTEM, "code": code}]},
    }


def _question(cset: CriteriaSet, criterion: Criterion, release: str, base: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": criterion.id,
        "code": item_codes(cset, criterion, base),
        "text": criterion.question,
    }
    answer = criterion.answer
    if isinstance(answer, NumberAnswer):
        key = "valueInteger" if answer.integer else "valueDecimal"
        cast = int if answer.integer else float
        unit: dict[str, str] = {"display": answer.unit}
        if answer.unit in UCUM:
            unit = {"system": UCUM_SYSTEM, "code": UCUM[answer.unit], "display": answer.unit}
        item["type"] = "integer" if answer.integer else "decimal"
        item["extension"] = [
            {"url": EXT + "questionnaire-unit", "valueCoding": unit},
            {"url": EXT + "minValue", key: cast(answer.min)},
            {"url": EXT + "maxValue", key: cast(answer.max)},
        ]
        item["enableWhen"] = [{"question": unknown_id(criterion), "operator": "!=", "answerBoolean": True}]
    else:
        values = [v for v, _ in choices(criterion, cset) or []] + [UNKNOWN]
        item["type"] = "coding" if release == "R5" else "choice"
        item["required"] = True
        item["extension"] = [_control("radio-button" if len(values) <= RADIO_LIMIT else "drop-down")]
        item["answerOption"] = [_option(cset, criterion, v, release, base) for v in values]
    if criterion.observation:
        item["extension"].append({"url": OBSERVATION_EXTRACT, "valueBoolean": True})
    item["item"] = [
        {
            "linkId": help_id(criterion),
            "type": "display",
            "text": f"{criterion.help} Why it matters: {criterion.rationale}",
            "extension": [_control("help")],
        }
    ]
    return item


def _option(cset: CriteriaSet, criterion: Criterion, value: str, release: str, base: str) -> dict[str, Any]:
    option: dict[str, Any] = {"valueCoding": coding_for(cset, criterion, value, base)}
    score = ordinal(cset, criterion, value)
    if score is not None:
        url = EXT + ("itemWeight" if release == "R5" else "ordinalValue")
        option["extension"] = [{"url": url, "valueDecimal": score}]
    return option


def _criterion_group(cset: CriteriaSet, criterion: Criterion, release: str, base: str) -> dict[str, Any]:
    items = [_question(cset, criterion, release, base)]
    if isinstance(criterion.answer, NumberAnswer):
        items.append({"linkId": unknown_id(criterion), "type": "boolean", "text": f"{criterion.title}: not known"})
    items.append({"linkId": note_id(criterion), "type": "text", "text": "Note (optional)", "maxLength": MAX_NOTE})
    group: dict[str, Any] = {"linkId": group_id(criterion), "type": "group", "text": criterion.title}
    if criterion.applies_when is not None:
        rules, behavior = _enable_when(cset, criterion.applies_when, criterion.id, base)
        group["enableWhen"] = rules
        if len(rules) > 1:
            group["enableBehavior"] = behavior
    group["item"] = items
    return group


_Rules = tuple[list[dict[str, Any]], str]


class _EnableWhen(Walker[_Rules, None]):
    """FHIR enableWhen is a flat list joined by all or any; deeper conditions cannot be expressed."""

    def __init__(self, cset: CriteriaSet, owner: str, base: str) -> None:
        self.cset, self.owner, self.base = cset, owner, base

    def _junction(self, children: Sequence[Condition], behavior: str) -> _Rules:
        rules: list[dict[str, Any]] = []
        for child in children:
            sub, sub_behavior = self.walk(child, None)
            if len(sub) > 1 and sub_behavior != behavior:
                raise FhirError(f"criterion '{self.owner}': applies_when is too deep for FHIR enableWhen")
            rules += sub
        return rules, behavior

    def all_of(self, children: Sequence[Condition], arg: None) -> _Rules:
        return self._junction(children, "all")

    def any_of(self, children: Sequence[Condition], arg: None) -> _Rules:
        return self._junction(children, "any")

    def negation(self, child: Condition, arg: None) -> _Rules:
        inner, _ = self.walk(child, None)
        if len(inner) != 1 or inner[0]["operator"] != "=":
            raise FhirError(f"criterion '{self.owner}': only 'not' of a single equals test maps to FHIR enableWhen")
        return [{**inner[0], "operator": "!="}], "all"

    def leaf(self, leaf: Leaf, arg: None) -> _Rules:
        if not isinstance(leaf, AnswerIs):
            raise FhirError(f"criterion '{self.owner}': 'present' and 'blocked' cannot decide applicability")
        return _leaf(self.cset, leaf, self.base)


def _enable_when(cset: CriteriaSet, cond: Condition, owner: str, base: str) -> _Rules:
    return _EnableWhen(cset, owner, base).walk(cond, None)


def _leaf(cset: CriteriaSet, leaf: AnswerIs, base: str) -> tuple[list[dict[str, Any]], str]:
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
    rules = [
        {"question": target.id, "operator": "=", "answerCoding": coding_for(cset, target, v, base)} for v in values
    ]
    return rules, "any"


def _header() -> dict[str, Any]:
    items = []
    for _, link, text, kind in HEADER_FIELDS:
        item: dict[str, Any] = {"linkId": link, "type": kind, "text": text}
        if kind == "string":
            item["maxLength"] = MAX_TEXT
        items.append(item)
    return {"linkId": HEADER, "type": "group", "text": "Case", "item": items}


def _narrative(cset: CriteriaSet) -> dict[str, str]:
    sections = "".join(f"<li>{html.escape(s.title)} ({len(s.criteria)} items)</li>" for s in cset.sections)
    div = (
        f'<div xmlns="http://www.w3.org/1999/xhtml"><p><b>{html.escape(cset.title)}</b> '
        f"version {html.escape(cset.version)}</p><p>{html.escape(cset.notice)}</p><ul>{sections}</ul></div>"
    )
    return {"status": "generated", "div": div}


def questionnaire(cset: CriteriaSet, release: str = "R5", base: str | None = None) -> dict[str, Any]:
    """The Questionnaire as a plain dict (the caller's own copy), validated by fhir.resources and the added checks."""
    return copy.deepcopy(shared_questionnaire(cset, release, base))


def shared_questionnaire(cset: CriteriaSet, release: str = "R5", base: str | None = None) -> dict[str, Any]:
    """The same Questionnaire built once per criteria set, release and base: read it, never change it."""
    if release not in RELEASES:
        raise FhirError(f"unknown FHIR release '{release}' (choose R5 or R4B)")
    base = base or base_url()
    return cset.memo(f"fhir-questionnaire {release} {base}", lambda c: _build(c, release, base))


def _build(cset: CriteriaSet, release: str, base: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "meta": {"profile": [core_profile("Questionnaire", release), SDC_PROFILES["Questionnaire"]]},
        "text": _narrative(cset),
        "url": canonical_url(cset, base),
        "version": cset.version,
        "name": re.sub(r"(^|_)([a-z0-9])", lambda m: m.group(2).upper(), cset.id),
        "title": cset.title,
        "status": "active",
        "subjectType": ["Patient"],
        "date": cset.review_date.isoformat(),
        "publisher": PUBLISHER,
        "description": (
            f"{cset.notice} Items whose enableWhen depends on an unanswered item stay open in the candidacy "
            "app; a FHIR form hides them until the condition holds."
        ),
        "item": [_header()]
        + [
            {
                "linkId": section.id,
                "type": "group",
                "text": section.title,
                "item": [_criterion_group(cset, c, release, base) for c in section.criteria],
            }
            for section in cset.sections
        ],
    }
    validate(resource, release)
    problems = check_questionnaire(resource, release)
    if problems:
        raise FhirError(problems)
    return resource
