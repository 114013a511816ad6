"""Wording that reads like a verdict: refused in criteria text, because the tool lays out findings, never decides.

:data:`VERDICT_PATTERNS` is the one list of such wording; :func:`verdict_words` finds it in any text
(every criteria text at start; the tests read golden cases and content with it), and
:func:`wording_faults` names each string of a criteria set that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from candidacy.criteria.faults import Fault
from candidacy.criteria.located import PathKey
from candidacy.criteria.models import CriteriaSet

__all__ = ["VERDICT_PATTERNS", "verdict_words", "wording_faults"]

#: Wording that reads like a decision. The tool lays out findings for clinicians; it never decides.
VERDICT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(in)?eligib\w*",
        r"\bcandidate\s*[:=]\s*(yes|no)\b",
        r"\bis (a|an|not a) (good |poor |suitable )?candidate\b",
        r"\b(approved|rejected)\b",
        r"\bqualif(y|ies|ied)\b",
        r"\bshould (receive|get|have) (a|the) pump\b",
    )
)


_ANY_VERDICT = re.compile("|".join(f"(?:{p.pattern})" for p in VERDICT_PATTERNS), re.IGNORECASE)


def verdict_words(text: str) -> list[str]:
    if not _ANY_VERDICT.search(text):  # one search for the usual case (every criteria text is checked at start)
        return []
    return [m.group(0) for p in VERDICT_PATTERNS for m in [p.search(text)] if m]


def _strings(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _strings(child, (*path, i))


def wording_faults(cset: CriteriaSet) -> Iterator[Fault]:
    data = cset.model_dump(mode="json", by_alias=True, exclude={"sources"})
    for path, text in _strings(data, ()):
        if path[-1:] in (("id",), ("value",), ("source",)):
            continue
        for word in verdict_words(text):
            crit = None
            if path[:1] == ("sections",) and len(path) >= 4:
                crit = cset.sections[int(path[1])].criteria[int(path[3])].id
            yield path, f"wording reads like a verdict ('{word}'); phrase it as a finding for clinician review", crit
