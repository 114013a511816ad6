"""Plain data read from a file, with the line and column of every value by its path.

Every reader of a YAML or JSON input validates the data after parsing it; a fault found then is
reported at the line where the value was written. :class:`Located` carries those marks from the
parser (:mod:`candidacy.criteria.yamlsource`) to every validator, and turns a path and a message
into a :class:`~candidacy.errors.Problem` naming the file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from candidacy.errors import Problem

__all__ = ["Located", "PathKey", "format_path"]

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
