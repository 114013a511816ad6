"""Spot case labels that look like patient identifiers, so the app can ask for a pseudonym.

Heuristics only: they warn, they never block, and they cannot prove a label is anonymous.
"""

from __future__ import annotations

import re

__all__ = ["identifier_warning"]

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "an e-mail address"),
    (re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"), "an NHS-number-like 10-digit number"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})\b"), "a date (date of birth?)"),
    (re.compile(r"\b(19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}\b"), "a date (date of birth?)"),
    (re.compile(r"\b(mrn|nhs|hospital|patient|pid)\s*(no|number|#)?\s*[:#]?\s*\w*\d{3,}", re.I), "a record number"),
    (re.compile(r"\b[A-Za-z]{0,3}\d{6,}\b"), "a long number (a record number?)"),
)


def identifier_warning(label: str) -> str | None:
    """A sentence asking for a pseudonym if the label looks like an identifier; otherwise None."""
    for pattern, what in _PATTERNS:
        if pattern.search(label):
            return (
                f"This case label looks like it contains {what}. Use a pseudonymous label "
                "(for example a meeting code) and keep identifiers out of this tool."
            )
    return None
