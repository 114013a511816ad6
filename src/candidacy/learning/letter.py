"""A vignette's case as a referral letter: the narrative as the letter, a checklist as its enclosure.

Vignettes keep the case as plain text. A paragraph of the form ``<heading>: item, item, item, ...`` is
what a referral pack attaches as a form, not prose; shown inside the letter it reads as a list of
answers. So the letter keeps the narrative paragraphs, and such a paragraph becomes an enclosure
with one line per item. The text itself is not changed: every word of the case is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Letter", "referral_letter", "split_items"]

#: A checklist paragraph: a short heading, a colon, then at least six comma-separated items (a sentence
#: with a colon and a short list stays prose).
_CHECKLIST = re.compile(r"^(?P<heading>[A-Z][^:.]{2,60}):\s+(?P<items>.+)$", re.DOTALL)
_MIN_ITEMS = 6


@dataclass(frozen=True, slots=True)
class Letter:
    paragraphs: tuple[str, ...]
    enclosures: tuple[tuple[str, tuple[str, ...]], ...]  # (heading, items)


def split_items(text: str) -> list[str]:
    """Comma-separated items, ignoring commas inside parentheses; the final full stop is dropped."""
    items: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text.strip().removesuffix("."):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    items.append("".join(current).strip())
    return [item for item in items if item]


def referral_letter(case: str) -> Letter:
    """The case text split into letter paragraphs and enclosed checklists, in their order of appearance."""
    paragraphs: list[str] = []
    enclosures: list[tuple[str, tuple[str, ...]]] = []
    for block in re.split(r"\n\s*\n|\n", case.strip()):
        text = " ".join(block.split())
        if not text:
            continue
        match = _CHECKLIST.match(text)
        items = split_items(match["items"]) if match else []
        if match and len(items) >= _MIN_ITEMS:
            enclosures.append((match["heading"].strip(), tuple(items)))
        else:
            paragraphs.append(text)
    return Letter(tuple(paragraphs), tuple(enclosures))
