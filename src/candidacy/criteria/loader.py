"""Load a criteria set from YAML: parse with marks, validate the schema, run the cross checks.

Every problem is reported at once as ``FILE:LINE:COL: dotted.path [criterion 'id']: message``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from candidacy.criteria.checks import check_criteria_set
from candidacy.criteria.located import Located, PathKey, format_path
from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.yamlsource import parse_text, read_file
from candidacy.errors import CriteriaError, Problem

__all__ = ["criteria_files", "load_criteria", "load_criteria_text", "problems_from_validation"]


def load_criteria(path: Path | str, display_name: str | None = None) -> CriteriaSet:
    return _validate(read_file(path, display_name))


def load_criteria_text(text: str, name: str = "<text>") -> CriteriaSet:
    return _validate(parse_text(text, name))


def criteria_files(folder: Path | str) -> list[Path]:
    """The criteria sets in a folder: its ``*.yaml`` / ``*.yml`` files, sorted by name."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _validate(located: Located) -> CriteriaSet:
    if not isinstance(located.data, dict):
        raise CriteriaError(located.problem((), "a criteria file must be a mapping (id, title, sections, ...)"))
    try:
        cset = CriteriaSet.model_validate(located.data)
    except ValidationError as exc:
        raise CriteriaError(problems_from_validation(exc, located, _criterion_at)) from None
    faults = check_criteria_set(cset)
    if faults:
        problems = [located.problem(path, message, crit) for path, message, crit in faults]
        raise CriteriaError(sorted(problems, key=_by_place))
    return cset


def _criterion_at(data: Any, path: PathKey) -> str | None:
    if len(path) >= 4 and path[0] == "sections" and path[2] == "criteria":
        try:
            crit = data["sections"][path[1]]["criteria"][path[3]]
        except (KeyError, IndexError, TypeError):
            return None
        ident = crit.get("id") if isinstance(crit, dict) else None
        return ident if isinstance(ident, str) else None
    return None


def _data_path(data: Any, loc: Iterable[str | int]) -> PathKey:
    """Follow a pydantic error location through the data, dropping union tags that are not keys."""
    path: list[str | int] = []
    node = data
    for part in loc:
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if present:
            node = node[part]
        elif isinstance(node, (dict, list)) and not _is_tag(part):
            node = None  # a missing or extra key: name it, then stop descending
        else:
            continue  # a discriminator tag or union member name: not a step in the data
        path.append(part)
    return tuple(path)


_TAGS = {
    "all",
    "any",
    "not",
    "present",
    "answer",
    "yes_no",
    "choice",
    "number",
    "scale",
    "str",
    "int",
    "float",
    "list[str]",
    "function-after[model_post_init]",
    # the kinds of prefill rule (candidacy.fhir.prefill_rules)
    "age",
    "months_since_onset",
    "coded",
    "quantity",
}


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and (part in _TAGS or part.startswith(("function-", "list[", "tagged-union[")))


_TYPE_NAMES = {bool: "true/false", int: "a whole number", float: "a number", type(None): "empty (null)"}


def _message(err: Any, located: Located, path: PathKey) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{path[-1]}' (not part of the schema; check the spelling)"
    if kind == "missing":
        return f"required key '{path[-1]}' is missing"
    if kind == "string_type":
        raw = located.plain_text.get(path)
        value = err.get("input")
        if raw is not None and not isinstance(value, str):
            read_as = _TYPE_NAMES.get(type(value), type(value).__name__)
            return f"expected text, but YAML read the unquoted value {raw!r} as {read_as}; put it in quotes: '{raw}'"
        return "expected text"
    message = str(err["msg"])
    return message.removeprefix("Value error, ")


def problems_from_validation(exc: ValidationError, located: Located, criterion_at: Any = None) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for err in exc.errors():
        path = _data_path(located.data, err["loc"])
        key = format_path(path)
        if key in seen:
            continue  # one message per place: union members would repeat it
        seen.add(key)
        crit = criterion_at(located.data, path) if criterion_at else None
        problems.append(located.problem(path, _message(err, located, path), crit))
    return sorted(problems, key=_by_place)


def _by_place(problem: Problem) -> tuple[int, int]:
    return (problem.line or 0, problem.column or 0)
