"""Plain data built from libyaml's event stream, without recursion, with the mark of every value.

PyYAML's own composer recurses in C and crashes the process on about 100 KB of ``[``; libyaml's
parser is an iterative state machine, so walking its events with an explicit stack reads any input,
refusing a document nested deeper than :data:`MAX_DEPTH` at the first event beyond it. The walk
keeps the line and column of every value, reports duplicate keys with both lines, refuses aliases,
merge keys, explicit tags and control characters in text, and leaves unquoted values to
:mod:`.yamlscalars`. The checks on the raw text come first, in :mod:`.yamlsource`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
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

from candidacy.criteria.located import Located, PathKey, format_path
from candidacy.criteria.yamlscalars import RefusedScalar, mapping_key, resolve_plain
from candidacy.errors import Problem, SourceFileError

__all__ = ["CONTROL", "MAX_DEPTH", "SurrogateEscape", "build"]

MAX_DEPTH = 64

# C0 controls but tab, line feed and carriage return; DEL; C1 controls but NEL; surrogates; non-characters.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


_NUL = re.compile("[\x00\ud800-\udfff]")

# libyaml's parser (an iterative state machine) is several times faster than the pure-Python one.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SurrogateEscape(Exception):
    """libyaml refused a ``\\uD83D``-style escape: JSON's way of writing characters beyond U+FFFF."""


def build(text: str, name: str, first_line: int = 1, escaped_controls: bool = False) -> Located:
    """The plain data of one YAML (or JSON) document, with marks; SourceFileError naming the line.

    Raises :class:`SurrogateEscape` when libyaml refuses a JSON surrogate-pair escape, for the caller to
    rewrite and build again.
    """
    return _Builder(text, name, first_line, escaped_controls).build()


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
        self.controls = _NUL if escaped_controls else CONTROL
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
                raise SurrogateEscape from exc
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
        key: Any = raw if event.style else mapping_key(raw)
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
        except RefusedScalar as refused:
            raise self._refuse(path, event, refused.message) from None

    def _check_text(self, raw: str, path: PathKey, event: Event) -> None:
        found = self.controls.search(raw)
        if found:
            raise self._refuse(
                path, event, f"control character U+{ord(found.group()):04X} is not allowed in text; remove it"
            )


_DUPLICATE = object()
