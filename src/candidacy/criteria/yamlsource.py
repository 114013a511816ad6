"""Read YAML (or JSON, which is YAML) safely while keeping where every value came from.

PyYAML's ``safe_load`` forgets line numbers, silently lets a duplicate key win and expands aliases
without limit. Here the document is composed into nodes first, so that every value keeps its mark,
duplicate keys are reported with both lines, aliases are refused, and the file size is capped before
anything is parsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from candidacy.errors import Problem, SourceFileError

__all__ = ["MAX_BYTES", "Located", "PathKey", "format_path", "parse_bytes", "parse_text", "read_file", "read_limited"]

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64

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


# libyaml's composer is several times faster than the pure-Python one; both keep marks on nodes.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_limited(path: Path | str, display_name: str | None = None) -> bytes:
    """The bytes of a file, refusing files that are too large to be reasonable input."""
    path = Path(path)
    name = display_name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SourceFileError(Problem(f"file is {size} bytes; the limit is {MAX_BYTES} bytes (1 MiB)", file=name))
        return path.read_bytes()
    except OSError as exc:
        raise SourceFileError(Problem(f"cannot read file: {exc.strerror or exc}", file=name)) from exc


def read_file(path: Path | str, display_name: str | None = None) -> Located:
    """Read and parse a YAML or JSON file, refusing files that are too large to be reasonable."""
    name = display_name or str(path)
    return parse_bytes(read_limited(path, name), name)


def parse_bytes(raw: bytes, name: str) -> Located:
    if len(raw) > MAX_BYTES:
        raise SourceFileError(Problem(f"file is {len(raw)} bytes; the limit is {MAX_BYTES} bytes (1 MiB)", file=name))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceFileError(Problem(f"not UTF-8 text (bad byte at offset {exc.start})", file=name)) from exc
    return parse_text(text, name)


def parse_text(text: str, name: str) -> Located:
    """Parse YAML text into plain data with marks; raise SourceFileError naming the line."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise SourceFileError(Problem(f"text is larger than the limit of {MAX_BYTES} bytes", file=name))
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            message = " ".join(part for part in (exc.context, exc.problem) if part)
            raise SourceFileError(
                Problem(
                    f"not valid YAML: {message}",
                    file=name,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ) from exc
        except yaml.YAMLError as exc:
            raise SourceFileError(Problem(f"not valid YAML: {exc}", file=name)) from exc
        except RecursionError as exc:
            raise SourceFileError(Problem("YAML is nested too deeply", file=name)) from exc
        located = Located(data=None, file=name)
        if root is None:
            return located
        duplicates: list[Problem] = []
        located.data = _build(loader, root, (), located, duplicates, 0, {})
        if duplicates:
            raise SourceFileError(duplicates)
        return located
    finally:
        loader.dispose()


def _build(
    loader: yaml.SafeLoader,
    node: Node,
    path: PathKey,
    located: Located,
    duplicates: list[Problem],
    depth: int,
    seen: dict[int, PathKey],
) -> Any:
    if depth > MAX_DEPTH:
        raise SourceFileError(located.problem(path, f"nested deeper than {MAX_DEPTH} levels"))
    # An alias makes the composer hand back the same node twice. Refusing it here stops
    # "billion laughs" documents before anything is expanded.
    if id(node) in seen:
        first = format_path(seen[id(node)]) or "(top level)"
        raise SourceFileError(
            located.problem(path, f"YAML aliases are not allowed: this repeats the value at {first}; write it out")
        )
    seen[id(node)] = path
    located.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        if not node.style:  # plain (unquoted): the only style YAML 1.1 re-types
            located.plain_text[path] = str(node.value)
        try:
            return loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise SourceFileError(located.problem(path, f"cannot read value: {exc}")) from exc
    if isinstance(node, SequenceNode):
        return [
            _build(loader, item, (*path, i), located, duplicates, depth + 1, seen) for i, item in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise SourceFileError(located.problem(path, "mapping keys must be plain text"))
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SourceFileError(located.problem(path, "YAML merge keys (<<) are not allowed here"))
            key = loader.construct_object(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in result:
                child = (*path, key)
                located.marks.setdefault(child, (line, key_node.start_mark.column + 1))
                duplicates.append(
                    Problem(
                        f"duplicate key '{key}' (first at line {first_line[key]}, again at line {line})",
                        file=located.file,
                        line=line,
                        column=key_node.start_mark.column + 1,
                        path=format_path(child),
                    )
                )
                continue
            first_line[key] = line
            located.marks[(*path, key)] = (line, key_node.start_mark.column + 1)
            result[key] = _build(loader, value_node, (*path, key), located, duplicates, depth + 1, seen)
        return result
    raise SourceFileError(located.problem(path, "unsupported YAML node"))  # pragma: no cover
