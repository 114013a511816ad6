"""Checks that ``fhir.resources`` leaves out, on plain resource dicts.

Each returns a list of problems (empty when the resource is sound); callers raise :class:`FhirError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from candidacy.errors import FhirError

__all__ = ["ITEM_TYPES", "FhirError", "check_questionnaire", "check_response", "walk_items"]

_COMMON_TYPES = {
    "group", "display", "question", "boolean", "decimal", "integer", "date", "dateTime", "time", "string",
    "text", "url", "attachment", "reference", "quantity",
}  # fmt: skip
#: Item types by release: R5 replaced choice and open-choice with coding.
ITEM_TYPES = {"R5": _COMMON_TYPES | {"coding"}, "R4B": _COMMON_TYPES | {"choice", "open-choice"}}
_ANSWER_KEYS = {
    "coding": "valueCoding",
    "choice": "valueCoding",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "string": "valueString",
    "text": "valueString",
    "boolean": "valueBoolean",
}


def walk_items(items: list[dict[str, Any]] | None, path: str = "item") -> Iterator[tuple[str, dict[str, Any]]]:
    for i, item in enumerate(items or []):
        here = f"{path}.{i}"
        yield here, item
        yield from walk_items(item.get("item"), f"{here}.item")
        for j, answer in enumerate(item.get("answer") or []):
            yield from walk_items(answer.get("item"), f"{here}.answer.{j}.item")


def check_questionnaire(resource: dict[str, Any], release: str) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path, item in walk_items(resource.get("item")):
        link = item.get("linkId")
        if link in seen:
            problems.append(f"{path}: linkId '{link}' is used twice (first at {seen[link]})")
        seen.setdefault(str(link), path)
        if item.get("type") not in ITEM_TYPES[release]:
            problems.append(f"{path}: item type '{item.get('type')}' does not exist in FHIR {release}")
    items = {link: item for link, item in ((i.get("linkId"), i) for _, i in walk_items(resource.get("item")))}
    for path, item in walk_items(resource.get("item")):
        for k, rule in enumerate(item.get("enableWhen") or []):
            target = items.get(rule.get("question"))
            if target is None:
                problems.append(f"{path}.enableWhen.{k}: question '{rule.get('question')}' is not an item")
            elif target.get("type") in ("group", "display"):
                problems.append(f"{path}.enableWhen.{k}: question '{rule.get('question')}' has no answer to test")
    return problems


def check_response(response: dict[str, Any], questionnaire: dict[str, Any]) -> list[str]:
    """Every answered item exists in the questionnaire and each answer fits its item."""
    problems: list[str] = []
    items = {i.get("linkId"): i for _, i in walk_items(questionnaire.get("item"))}
    for path, item in walk_items(response.get("item")):
        link = item.get("linkId")
        spec = items.get(link)
        if spec is None:
            problems.append(f"{path}: linkId '{link}' is not an item of the questionnaire")
            continue
        answers = item.get("answer") or []
        if answers and spec.get("type") in ("group", "display"):
            problems.append(f"{path}: '{link}' is a {spec.get('type')} and takes no answer")
            continue
        if len(answers) > 1 and not spec.get("repeats"):
            problems.append(f"{path}: '{link}' takes one answer, got {len(answers)}")
        key = _ANSWER_KEYS.get(str(spec.get("type")))
        for j, answer in enumerate(answers):
            given = [k for k in answer if k.startswith("value")]
            if key and given != [key]:
                problems.append(f"{path}.answer.{j}: '{link}' expects {key}, got {', '.join(given) or 'nothing'}")
                continue
            if key == "valueCoding" and spec.get("answerOption"):
                coding = answer["valueCoding"]
                allowed = {(o["valueCoding"].get("system"), o["valueCoding"].get("code")) for o in spec["answerOption"]}
                if (coding.get("system"), coding.get("code")) not in allowed:
                    problems.append(
                        f"{path}.answer.{j}: code '{coding.get('code')}' is not an answer option of '{link}'"
                    )
    return problems
