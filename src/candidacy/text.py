"""Text from users, shown exactly as typed: on a terminal, in Markdown files, on screen and in PDF.

A label or note is data, never markup. Three places would otherwise interpret it:

- a terminal runs escape sequences (``ESC [ 2 J`` clears it) and a right-to-left override reverses
  what follows it: :func:`printable` shows control, bidirectional and lone-surrogate characters as
  visible ``\\u202e``-style escapes (line breaks and tabs are kept);
- a Markdown viewer turns ``**x**``, ``# x``, ``[a](b)``, ``<b>``, ``$x^2$`` and bare addresses into
  formatting, maths and links: :func:`markdown_literal` escapes them with backslashes;
- Streamlit's Markdown adds ``:red[...]`` colours, ``:smile:`` emoji and ``:material/x:`` icons, and
  the icons survive a backslash: :func:`screen_literal` also writes a colon that starts such a
  name as ``&#58;``.

Both Markdown forms put an invisible word joiner (U+2060) into ``www.``, ``://`` and ``@`` so that
an address is shown, not linked.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["markdown_literal", "printable", "screen_literal"]

# C0 controls but tab and line feed; DEL; C1 controls; bidirectional embeddings, overrides, isolates
# and marks; lone surrogates (from JSON escapes); line and paragraph separators; zero-width spaces,
# joiners and the byte-order mark (two labels that differ only by one would otherwise print alike).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control or direction-changing character written as a visible escape."""
    return _INVISIBLE.sub(_visible, text)


_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~$!&{}])")
# A list item, numbered item or heading underline at the start of a line: escape its marker.
_LINE_START = re.compile(r"(?m)^([ \t]*)(?:([-+=])|(\d+)([.)]))")
_LINK_TRIGGERS = re.compile(r"(?i)www\.|://|@")
_JOINER = "\u2060"
# ":red[", ":smile:", ":+1:", ":100:", ":material/home:": a colon touching a letter, sign, slash or bracket.
_DIRECTIVE = re.compile(r":(?=[A-Za-z_/+\-\[]|100:|1234:)")


def _line_start(match: re.Match[str]) -> str:
    indent, marker, number, closer = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\{closer}"


def _unlink(match: re.Match[str]) -> str:
    found = match.group()
    return found[:-1] + _JOINER + found[-1] if len(found) > 1 else found + _JOINER


def markdown_literal(text: str) -> str:
    """``text`` for a Markdown document: read back as typed, with nothing active."""
    text = _LINE_START.sub(_line_start, _MARKDOWN_ACTIVE.sub(r"\\\1", printable(text)))
    return _LINK_TRIGGERS.sub(_unlink, text)


_REMEMBERED = 400  # texts up to this length are kept once escaped (titles, questions, options, short notes)


def screen_literal(text: str) -> str:
    """``text`` for Streamlit's Markdown (labels, captions, messages): shown as typed, nothing active.

    The app escapes the same titles, questions and options some 300 times a rerun (a few milliseconds):
    short texts are escaped once and remembered, at most 4,096 of them.
    """
    return _screen_short(text) if len(text) <= _REMEMBERED else _screen(text)


def _screen(text: str) -> str:
    return _DIRECTIVE.sub("&#58;", markdown_literal(text))


_screen_short = lru_cache(maxsize=4096)(_screen)
