"""The one reading path for every input: criteria, answers, uploads, FHIR JSON and backups.

Every file and upload is hostile until read. This module

- reads regular files only, at most :data:`MAX_BYTES` (:func:`candidacy.files.read_limited`: a FIFO,
  device or folder is refused before a byte is read, so a pipe never hangs the reader);
- refuses control characters (NUL and the like) in the text and in escaped strings, naming the field;
- walks libyaml's event stream, which is iterative, and builds plain data itself without recursion,
  refusing a document nested deeper than :data:`MAX_DEPTH` at the first event beyond it (PyYAML's own
  composer recurses in C and crashes the process on about 100 KB of ``[``);
- reads unquoted numbers as their decimal text (``1e2`` is 100.0, as in JSON and YAML 1.2) and refuses
  the forms YAML 1.1 would silently re-type (``052`` octal, ``0x34``, ``1_2``, ``1:00``) with a hint to
  write plain decimals or quote, and refuses whole numbers longer than :data:`MAX_INT_DIGITS` digits;
- keeps the line and column of every value, reports duplicate keys with both lines, and refuses
  aliases, merge keys and explicit tags.

JSON is read as YAML (so a JSON file gets the same line numbers); escaped surrogate pairs, which
libyaml refuses, are rewritten to the equivalent ``\\U`` escape first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from candidacy.errors import Problem, SourceFileError
from candidacy.files import MAX_BYTES, read_limited

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "Located",
    "PathKey",
    "format_path",
    "parse_bytes",
    "parse_text",
    "read_file",
    "read_limited",
]

MAX_DEPTH = 64
MAX_INT_DIGITS = 15

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    return ".".join(str(part) for part in path)


@dataclass
class Located:
    """Plain data from a YAML document, with the mark of every value by its path."""

    data: Any
    file: str
    marks: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    plain_text: dict[PathKey, str] = field(default_factory=dict)

    def mark(self, path: PathKey) -> tuple[int, int] | None:
        """The line and column of the value at ``path``, or of its nearest located parent."""
        for end in range(len(path), -1, -1):
            found = self.marks.get(path[:end])
            if found is not None:
                return found
        return None

    def problem(self, path: PathKey, message: str, criterion: str | None = None) -> Problem:
        line_col = self.mark(path)
        return Problem(
            message=message,
            file=self.file,
            line=line_col[0] if line_col else None,
            column=line_col[1] if line_col else None,
            path=format_path(path),
            criterion=criterion,
        )


# libyaml's parser (an iterative state machine) is several times faster than the pure-Python one.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


# C0 controls but tab, line feed and carriage return; DEL; C1 controls but NEL; surrogates; non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


_NUL = re.compile("[\x00\ud800-\udfff]")


def control_character(text: str) -> str | None:
    """The first control character in ``text`` as ``U+XXXX``, or None."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def parse_text(text: str, name: str, first_line: int = 1, escaped_controls: bool = False) -> Located:
    """Parse YAML (or JSON) text into plain data with marks; raise SourceFileError naming the line.

    ``first_line`` numbers the lines of a text cut from a larger file (one line of a backup).
    ``escaped_controls`` accepts control characters written as escapes inside quoted strings (but NUL):
    a backup restores notes exactly as the database held them.
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SourceFileError(Problem(f"text is larger than the limit of {MAX_BYTES} bytes", file=name))
    found = _CONTROL.search(text)
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
        return _Builder(text, name, first_line, escaped_controls).build()
    except _SurrogateEscape:
        return _Builder(_rewrite_surrogate_pairs(text), name, first_line, escaped_controls).build()


_JSON_BREAKS = str.maketrans({"\u2028": "\\L", "\u2029": "\\P", "\x85": "\\N"})


class _SurrogateEscape(Exception):
    """libyaml refused a ``\\uD83D``-style escape: JSON's way of writing characters beyond U+FFFF."""


_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})")


def _rewrite_surrogate_pairs(text: str) -> str:
    def joined(match: re.Match[str]) -> str:
        high, low = int(match.group(2), 16), int(match.group(3), 16)
        return f"{match.group(1)}\\U{0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00):08X}"

    return _PAIR.sub(joined, text)


# --- scalars -------------------------------------------------------------------------------------------

_NULL = {"", "~", "null", "Null", "NULL"}
# YAML 1.1 booleans are kept as booleans, so that the criteria validator can say "put 'no' in quotes".
_BOOL = {
    **dict.fromkeys(("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), True),
    **dict.fromkeys(("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), False),
}
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+)")
_SPECIAL_FLOAT = {
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
}
# Unquoted forms that YAML 1.1 (or 1.2) reads as a number other than the decimal the text shows, and why.
_NOT_DECIMAL: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[-+]?0[xX][0-9a-fA-F_]+"), "a 0x prefix makes it hexadecimal (0x34 is 52)"),
    (re.compile(r"[-+]?0[oO][0-7_]+"), "a 0o prefix makes it octal"),
    (re.compile(r"[-+]?0[bB][01_]+"), "a 0b prefix makes it binary"),
    (re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"), "a colon makes it base 60 (1:00 is 60)"),
    (re.compile(r"[-+]?0[0-9_]+"), "a leading zero makes it octal (052 is 42)"),
    (re.compile(r"[-+]?[0-9_]*_[0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"), "underscores are dropped (1_2 is 12)"),
    (re.compile(r"[-+]?[0-9_]*\.[0-9_]*_[0-9_]*(?:[eE][-+]?[0-9]+)?"), "underscores are dropped (1_2 is 12)"),
)
# PyYAML's YAML 1.1 timestamp: dates stay dates (review_date, assessed_on).
_TIMESTAMP = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
)
_CONSTRUCTOR = SafeConstructor()


def _number_form(raw: str) -> str | None:
    """Why an unquoted value that reads as a number is not the plain decimal it looks like, or None."""
    for pattern, why in _NOT_DECIMAL:
        if pattern.fullmatch(raw) and any(c.isdigit() for c in raw):
            return why
    return None


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def resolve_plain(raw: str) -> Any:
    """The value of an unquoted scalar: null, YAML 1.1 booleans, decimal numbers, dates; else the text."""
    if raw in _NULL:
        return None
    if raw in _BOOL:
        return _BOOL[raw]
    first = raw[0]
    if first.isdigit() or first in "+-.":
        if _DECIMAL_INT.fullmatch(raw):
            digits = len(raw.lstrip("+-"))
            if digits > MAX_INT_DIGITS:
                raise _Refused(
                    f"the whole number has {digits} digits; the limit is {MAX_INT_DIGITS} "
                    "(put it in quotes if it is text)"
                )
            return int(raw)
        if raw in _SPECIAL_FLOAT:
            return _SPECIAL_FLOAT[raw]
        if _DECIMAL_FLOAT.fullmatch(raw):
            number = float(raw)
            if math.isinf(number):
                raise _Refused(f"the number {raw[:20]}{'...' if len(raw) > 20 else ''} is too large")
            return number
        if first.isdigit() and _TIMESTAMP.fullmatch(raw):
            try:
                value = _CONSTRUCTOR.construct_yaml_timestamp(ScalarNode("tag:yaml.org,2002:timestamp", raw))
            except (ValueError, OverflowError) as exc:
                raise _Refused(f"{raw!r} is not a valid date ({exc}); put it in quotes if it is text") from exc
            if isinstance(value, dt.datetime | dt.date):
                return value
        why = _number_form(raw)
        if why is not None:
            raise _Refused(
                f"the unquoted value {raw!r} is not a plain decimal number: {why}; "
                f"write it in plain decimals, or put it in quotes if it is text: '{raw}'"
            )
    return raw


# --- building plain data from events, without recursion -------------------------------------------------


@dataclass
class _Open:
    """A sequence or mapping being filled."""

    path: PathKey
    value: list[Any] | dict[Any, Any]
    first_line: dict[Any, int] = field(default_factory=dict)
    key: Any = None
    has_key: bool = False


_STR_TAGS = {None, "!", "tag:yaml.org,2002:str"}
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class _Builder:
    def __init__(self, text: str, name: str, first_line: int, escaped_controls: bool = False) -> None:
        self.text = text
        self.controls = _NUL if escaped_controls else _CONTROL
        self.located = Located(data=None, file=name)
        self.offset = first_line - 1
        self.duplicates: list[Problem] = []
        self.anchors: dict[str, PathKey] = {}

    def _at(self, event: Event) -> tuple[int, int]:
        mark = event.start_mark
        return (mark.line + 1 + self.offset, mark.column + 1) if mark else (self.offset + 1, 1)

    def _refuse(self, path: PathKey, event: Event, message: str) -> SourceFileError:
        line, column = self._at(event)
        return SourceFileError(
            Problem(message, file=self.located.file, line=line, column=column, path=format_path(path))
        )

    def build(self) -> Located:
        loader = _Loader(self.text)
        try:
            return self._run(loader)
        except yaml.MarkedYAMLError as exc:
            if "invalid Unicode character escape code" in str(exc.problem) and "\\u" in self.text:
                raise _SurrogateEscape from exc
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(part for part in (exc.context, exc.problem) if part)
            raise SourceFileError(
                Problem(
                    f"not valid YAML: {message}",
                    file=self.located.file,
                    line=mark.line + 1 + self.offset if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ) from exc
        except yaml.YAMLError as exc:
            raise SourceFileError(Problem(f"not valid YAML: {exc}", file=self.located.file)) from exc
        finally:
            loader.dispose()

    def _run(self, loader: yaml.SafeLoader) -> Located:
        located = self.located
        stack: list[_Open] = []
        documents = 0
        while True:
            event: Event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, StreamEndEvent):
                break
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._refuse((), event, "expected one document, found another (a second '---')")
                continue
            if isinstance(event, MappingEndEvent | SequenceEndEvent):
                done = stack.pop()
                if not stack:
                    located.data = done.value
                continue
            if not isinstance(event, ScalarEvent | SequenceStartEvent | MappingStartEvent | AliasEvent):
                continue  # stream and document boundaries
            parent = stack[-1] if stack else None
            if isinstance(parent, _Open) and isinstance(parent.value, dict) and not parent.has_key:
                self._key(parent, event)
                continue
            path = self._child_path(parent)
            if isinstance(event, AliasEvent):
                first = format_path(self.anchors.get(str(event.anchor), ())) or "(top level)"
                message = f"YAML aliases are not allowed: this repeats the value at {first}; write it out"
                raise SourceFileError(located.problem(path, message))
            if event.anchor is not None:
                self.anchors[str(event.anchor)] = path
            located.marks[path] = self._at(event)
            if isinstance(event, ScalarEvent):
                self._store(parent, self._scalar(event, path))
                continue
            if event.tag not in _COLLECTION_TAGS:
                raise self._refuse(path, event, f"YAML tags ({event.tag}) are not allowed here")
            if len(stack) >= MAX_DEPTH:
                raise self._refuse(path, event, f"nested deeper than {MAX_DEPTH} levels")
            container: list[Any] | dict[Any, Any] = [] if isinstance(event, SequenceStartEvent) else {}
            self._store(parent, container)
            stack.append(_Open(path=path, value=container))
        if duplicates := self.duplicates:
            raise SourceFileError(duplicates)
        return located

    @staticmethod
    def _child_path(parent: _Open | None) -> PathKey:
        if parent is None:
            return ()
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        return (*parent.path, parent.key)

    def _store(self, parent: _Open | None, value: Any) -> None:
        if parent is None:
            self.located.data = value
        elif isinstance(parent.value, list):
            parent.value.append(value)
        else:
            if not parent.has_key or parent.key is _DUPLICATE:
                parent.has_key = False
                return
            parent.value[parent.key] = value
            parent.has_key = False

    def _key(self, parent: _Open, event: Event) -> None:
        if not isinstance(event, ScalarEvent):
            if isinstance(event, AliasEvent):
                raise self._refuse(parent.path, event, "YAML aliases are not allowed")
            raise self._refuse(parent.path, event, "mapping keys must be plain text")
        if event.tag == "tag:yaml.org,2002:merge" or (event.value == "<<" and not event.style):
            raise self._refuse(parent.path, event, "YAML merge keys (<<) are not allowed here")
        raw = str(event.value)
        key: Any = raw
        if not event.style and _DECIMAL_INT.fullmatch(raw) and len(raw) <= MAX_INT_DIGITS:
            key = int(raw)
        path = (*parent.path, key)
        self._check_text(raw, path, event)
        line, column = self._at(event)
        if key in parent.value:
            self.located.marks.setdefault(path, (line, column))
            self.duplicates.append(
                Problem(
                    f"duplicate key '{key}' (first at line {parent.first_line[key]}, again at line {line})",
                    file=self.located.file,
                    line=line,
                    column=column,
                    path=format_path(path),
                )
            )
            parent.key, parent.has_key = _DUPLICATE, True
            return
        parent.first_line[key] = line
        self.located.marks[path] = (line, column)
        parent.key, parent.has_key = key, True

    def _scalar(self, event: ScalarEvent, path: PathKey) -> Any:
        raw = str(event.value)
        if event.tag not in _STR_TAGS:
            raise self._refuse(path, event, f"YAML tags ({event.tag}) are not allowed: write the value plainly")
        if event.style or event.tag is not None:
            self._check_text(raw, path, event)
            return raw
        self.located.plain_text[path] = raw
        try:
            return resolve_plain(raw)
        except _Refused as refused:
            raise self._refuse(path, event, refused.message) from None

    def _check_text(self, raw: str, path: PathKey, event: Event) -> None:
        found = self.controls.search(raw)
        if found:
            raise self._refuse(
                path, event, f"control character U+{ord(found.group()):04X} is not allowed in text; remove it"
            )


_DUPLICATE = object()
