"""What a cross check of a criteria set yields, and the helpers the checks share.

A check yields :data:`Fault` triples ``(path, message, criterion_id)``; the loader turns them into
located problems, so that one run reports every fault of a file at once. The checks are grouped by
what they look at (:mod:`.checks`, :mod:`.answer_checks`, :mod:`.rule_checks`, :mod:`.wording`,
:mod:`.codes`); they walk the items and name duplicates and unknown stages alike, from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from candidacy.criteria.located import PathKey
from candidacy.criteria.models import CriteriaSet, Criterion

__all__ = ["Fault", "criterion_paths", "duplicates_of", "unknown_stage"]

Fault = tuple[PathKey, str, str | None]


def criterion_paths(cset: CriteriaSet) -> Iterator[tuple[PathKey, Criterion]]:
    for si, section in enumerate(cset.sections):
        for ci, criterion in enumerate(section.criteria):
            yield ("sections", si, "criteria", ci), criterion


def duplicates_of(items: Iterable[tuple[PathKey, str]], what: str, crit: str | None = None) -> Iterator[Fault]:
    seen: dict[str, PathKey] = {}
    for path, value in items:
        if value in seen:
            yield path, f"duplicate {what} '{value}' (first at {'.'.join(map(str, seen[value]))})", crit
        else:
            seen[value] = path


def unknown_stage(cset: CriteriaSet, stage: str) -> str:
    declared = ", ".join(s.id for s in cset.stages) or "none declared"
    return f"unknown stage '{stage}' (stages: {declared})"
