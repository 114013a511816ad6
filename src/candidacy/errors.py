"""The project's exceptions, raised by the core and translated into messages at the edges.

    CandidacyError
    ├── SourceFileError     a criteria or answers file could not be read or parsed as YAML/JSON
    ├── CriteriaError       a criteria set breaks the schema or a cross check (all problems at once)
    └── AnswersError        answers do not fit the criteria set they claim (all problems at once)

Each carries a list of :class:`Problem` so that the CLI and the UI can print one line per problem.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AnswersError", "CandidacyError", "CriteriaError", "Problem", "SourceFileError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong, located as precisely as the input allows."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str = ""
    criterion: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        crit = f" [criterion '{self.criterion}']" if self.criterion else ""
        place = f"{self.path}{crit}: " if self.path or crit else ""
        return f"{where}{place}{self.message}"


class CandidacyError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, problems: list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class SourceFileError(CandidacyError):
    """The file itself is unreadable: too large, not UTF-8, not YAML, aliases, duplicate keys."""


class CriteriaError(CandidacyError):
    """The criteria set is not valid."""


class AnswersError(CandidacyError):
    """The answers do not fit the criteria set."""
