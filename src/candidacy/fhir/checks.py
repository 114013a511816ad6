"""Checks that ``fhir.resources`` leaves out, on plain resource dicts.

Each check returns a list of problems naming the linkId (empty when the resource is sound); callers
raise :class:`FhirError`. :func:`validate` runs fhir.resources for the release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from candidacy.errors import FhirError

__all__ = ["ITEM_TYPES", "FhirError", "check_questionnaire", "check_response", "validate", "walk_items"]

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
    "date": "valueDate",
}
_EXT = "http://hl7.org/fhir/StructureDefinition/"


def walk_items(items: list[dict[str, Any]] | None, path: str = "item") -> Iterator[tuple[str, dict[str, Any]]]:
    for i, item in enumerate(items or []):
        here = f"{path}.{i}"
        yield here, item
        yield from walk_items(item.get("item"), f"{here}.item")
        for j, answer in enumerate(item.get("answer") or []):
            yield from walk_items(answer.get("item"), f"{here}.answer.{j}.item")


def _parents(items: list[dict[str, Any]] | None, parent: str | None = None) -> Iterator[tuple[str, str | None]]:
    """(linkId, parent linkId) for every item, descending into answers too."""
    for item in items or []:
        link = str(item.get("linkId"))
        yield link, parent
        yield from _parents(item.get("item"), link)
        for answer in item.get("answer") or []:
            yield from _parents(answer.get("item"), link)


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
    """Every item sits where the questionnaire puts it, once, and each answer fits its item."""
    problems: list[str] = []
    specs = {i.get("linkId"): i for _, i in walk_items(questionnaire.get("item"))}
    expected_parent = dict(_parents(questionnaire.get("item")))
    seen: set[str] = set()
    for link, parent in _parents(response.get("item")):
        if link in seen:
            problems.append(f"'{link}': the item appears more than once")
        seen.add(link)
        if link in expected_parent and expected_parent[link] != parent:
            where = f"inside group '{expected_parent[link]}'" if expected_parent[link] else "at the top level"
            problems.append(f"'{link}': the item must be {where}, not {f'in {parent!r}' if parent else 'at the top'}")
    for path, item in walk_items(response.get("item")):
        link = str(item.get("linkId"))
        spec = specs.get(link)
        if spec is None:
            problems.append(f"{path}: linkId '{link}' is not an item of the questionnaire")
            continue
        problems += [f"{path}: {p}" for p in _answer_problems(link, spec, item.get("answer") or [])]
    return problems


def _answer_problems(link: str, spec: dict[str, Any], answers: list[dict[str, Any]]) -> list[str]:
    kind = str(spec.get("type"))
    if answers and kind in ("group", "display"):
        return [f"'{link}' is a {kind} and takes no answer"]
    problems = []
    if len(answers) > 1 and not spec.get("repeats"):
        problems.append(f"'{link}' takes one answer, got {len(answers)}")
    key = _ANSWER_KEYS.get(kind)
    for j, answer in enumerate(answers):
        given = [k for k in answer if k.startswith("value")]
        if key and given != [key]:
            problems.append(f"answer {j} of '{link}' must be {key}, got {', '.join(given) or 'nothing'}")
            continue
        value: Any = answer.get(key or "")
        if key == "valueCoding" and spec.get("answerOption"):
            allowed = {(o["valueCoding"].get("system"), o["valueCoding"].get("code")) for o in spec["answerOption"]}
            if (value.get("system"), value.get("code")) not in allowed:
                problems.append(f"code '{value.get('code')}' is not an answer option of '{link}'")
        elif key in ("valueInteger", "valueDecimal"):
            problems += _range_problems(link, spec, value)
        elif key == "valueString" and spec.get("maxLength") and len(str(value)) > int(spec["maxLength"]):
            problems.append(f"'{link}' takes at most {spec['maxLength']} characters, got {len(str(value))}")
        elif key == "valueDate" and parse_date(value) is None:
            problems.append(f"'{link}': {value!r} is not a calendar date (YYYY-MM-DD)")
    return problems


def _range_problems(link: str, spec: dict[str, Any], value: Any) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [f"'{link}': {value!r} is not a number"]
    bounds = {e.get("url"): e.get("valueInteger", e.get("valueDecimal")) for e in spec.get("extension") or []}
    low, high = bounds.get(_EXT + "minValue"), bounds.get(_EXT + "maxValue")
    if (low is not None and value < low) or (high is not None and value > high):
        return [f"'{link}': {value} is outside {low} to {high}"]
    return []


def parse_date(value: Any) -> dt.date | None:
    """A full calendar date, or None (partial dates such as 2026-02 do not fit a case header)."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


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
        raise FhirError([f"{_where(resource, e['loc'])}: {e['msg']}" for e in exc.errors()[:20]]) from None


def _where(resource: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """A pydantic error location, with the linkId of the innermost item it passes through."""
    node: Any = resource
    link = None
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("linkId"), str):
            link = node["linkId"]
    path = ".".join(map(str, loc))
    return f"'{link}' ({path})" if link else path


def enabled(spec: dict[str, Any], answers: dict[str, list[dict[str, Any]]]) -> bool:
    """Whether a form filler shows the item: its enableWhen under FHIR's rules, where a question
    without an answer fails every test but '!=' (the app instead keeps such an item open)."""
    rules = spec.get("enableWhen") or []
    results = [_rule_holds(rule, answers.get(str(rule.get("question"))) or []) for rule in rules]
    if not results:
        return True
    return any(results) if spec.get("enableBehavior") == "any" else all(results)


def _rule_holds(rule: dict[str, Any], given: list[dict[str, Any]]) -> bool:
    operator = rule.get("operator")
    if operator == "exists":
        return bool(given) == bool(rule.get("answerBoolean"))
    expected = next((v for k, v in rule.items() if k.startswith("answer")), None)
    values = [next((v for k, v in a.items() if k.startswith("value")), None) for a in given]
    if isinstance(expected, dict):  # a Coding: compare system and code
        expected = (expected.get("system"), expected.get("code"))
        values = [(v.get("system"), v.get("code")) if isinstance(v, dict) else v for v in values]
    if operator == "!=":
        return all(v != expected for v in values)
    tests = {"=": lambda v: v == expected, ">=": lambda v: v >= expected, "<": lambda v: v < expected,
             ">": lambda v: v > expected, "<=": lambda v: v <= expected}  # fmt: skip
    test = tests.get(str(operator))
    return test is not None and any(_safe(test, v) for v in values)


def _safe(test: Any, value: Any) -> bool:
    try:
        return bool(test(value))
    except TypeError:  # a value of another type never satisfies the rule
        return False
