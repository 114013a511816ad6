"""The one reading path for every input: criteria, answers, uploads, FHIR JSON and backups.

Every file and upload is hostile until read. Here the input is checked before it is parsed:

- regular files only, at most :data:`MAX_BYTES` (:func:`candidacy.files.read_limited`: a FIFO,
  device or folder is refused before a byte is read, so a pipe never hangs the reader);
- UTF-8 text (a BOM is allowed), with no control character (NUL and the like): one is named with
  its line and column;
- JSON is read as YAML (so a JSON file gets the same line numbers); escaped surrogate pairs, which
  libyaml refuses, are rewritten to the equivalent ``\\U`` escape first.

Then :mod:`.yamlevents` builds the plain data from libyaml's events, without recursion and with the
mark of every value (a :class:`~candidacy.criteria.located.Located`), and :mod:`.yamlscalars` reads
each unquoted value as the decimal text it shows.
"""

from __future__ import annotations

import re
from pathlib import Path

from candidacy.criteria.located import Located
from candidacy.criteria.yamlevents import CONTROL, SurrogateEscape, build
from candidacy.errors import Problem, SourceFileError
from candidacy.files import MAX_BYTES, read_limited

__all__ = ["MAX_BYTES", "parse_bytes", "parse_text", "read_file", "read_limited"]


def read_file(path: Path | str, display_name: str | None = None) -> Located:
    """Read and parse a YAML or JSON file (regular files only, at most 1 MiB)."""
    name = display_name or str(path)
    return parse_bytes(read_limited(path, name), name)


def parse_bytes(raw: bytes, name: str) -> Located:
    """Parse uploaded or read bytes: size cap, then UTF-8 (a BOM is allowed), then :func:`parse_text`."""
    if len(raw) > MAX_BYTES:
        raise SourceFileError(Problem(f"file is {len(raw)} bytes; the limit is {MAX_BYTES} bytes (1 MiB)", file=name))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(Problem(f"not UTF-8 text (bad byte at offset {exc.start})", file=name)) from exc
    return parse_text(text, name)


def parse_text(text: str, name: str, first_line: int = 1, escaped_controls: bool = False) -> Located:
    """Parse YAML (or JSON) text into plain data with marks; raise SourceFileError naming the line.

    ``first_line`` numbers the lines of a text cut from a larger file (one line of a backup).
    ``escaped_controls`` accepts control characters written as escapes inside quoted strings (but NUL):
    a backup restores notes exactly as the database held them.
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SourceFileError(Problem(f"text is larger than the limit of {MAX_BYTES} bytes", file=name))
    found = CONTROL.search(text)
    if found:
        line = text.count("\n", 0, found.start())
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1)
        raise SourceFileError(
            Problem(
                f"control character U+{ord(found.group()):04X} is not allowed in the file; remove it",
                file=name,
                line=line + first_line,
                column=column + 1,
            )
        )
    if text.lstrip()[:1] in ("{", "["):
        # JSON (and JSON Lines) may carry these raw inside strings, where YAML would fold them as line
        # breaks; outside strings JSON does not allow them, so their escapes keep the text as it was.
        text = text.translate(_JSON_BREAKS)
    try:
        return build(text, name, first_line, escaped_controls)
    except SurrogateEscape:
        return build(_rewrite_surrogate_pairs(text), name, first_line, escaped_controls)


_JSON_BREAKS = str.maketrans({"\u2028": "\\L", "\u2029": "\\P", "\x85": "\\N"})


_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _rewrite_surrogate_pairs(text: str) -> str:
    def joined(match: re.Match[str]) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        return f"{match.group(1)}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"

    return _PAIR.sub(joined, text)
