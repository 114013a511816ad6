"""The project's exceptions: the one hierarchy every edge (command line, app, store) raises and catches.

    CandidacyError              base; carries a list of Problem (file, line, column, path, criterion)
    ├── CriteriaError           a criteria set breaks the schema or a cross check (all problems at once)
    │   └── ProtocolError       a screening protocol breaks its schema or a cross check
    ├── InputError              a file, upload or value given to the tool cannot be used
    │   ├── SourceFileError     not a regular file, too large, not UTF-8, not YAML/JSON, nested too
    │   │                       deeply, an ambiguous number, a control character, an alias, a duplicate key
    │   ├── AnswersError        answers do not fit the criteria set they claim (all problems at once)
    │   ├── FhirError           a FHIR resource is malformed, inconsistent, or for another questionnaire
    │   │   └── UnitError       a unit is not UCUM, or a quantity does not convert into the unit asked for
    │   └── WorksheetError      a screening worksheet does not fit its protocol, or would be rewritten
    ├── OutputError             a file cannot be written: missing folder, no permission, not a regular file
    ├── SettingsError           a setting (environment variable) has a bad value
    ├── IdentityError           who is acting cannot be established
    │   ├── ProfileError        the personal profile is missing a field, has a bad value, or is unreadable
    │   ├── NoRoleError         a valid sign-in, but nothing configured gives this person a permission
    │   └── NoIdentityError     nobody is known yet (no profile, or nobody with a role signed in)
    └── StoreError              the case store refused a change or could not do it
        ├── Refused             the rules of a change do not allow it now (the workflow, a reason or a
        │   │                   decision's reasons missing, who may sign): said by candidacy.case.apply_change
        │   └── FrozenError     the revision is reviewed (signed) and frozen
        ├── ConflictError       another session changed the case first (optimistic locking)
        ├── TamperError         stored data no longer matches its hash or chain (changed outside the app)
        ├── SchemaError         the database schema is newer than this version, or not this application's
        └── DatabaseError       the database is unreachable, not a database, full, or refused a value

The command line maps these to exit codes in one place (``candidacy.cli.errors``: 1 for CriteriaError,
3 for TamperError, 2 for every other); the app shows the problems and keeps the user's work. Anything else escaping an
edge is a bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AnswersError",
    "CandidacyError",
    "ConflictError",
    "CriteriaError",
    "DatabaseError",
    "FhirError",
    "FrozenError",
    "IdentityError",
    "InputError",
    "NoIdentityError",
    "NoRoleError",
    "OutputError",
    "Problem",
    "ProfileError",
    "ProtocolError",
    "Refused",
    "SchemaError",
    "SettingsError",
    "SourceFileError",
    "StoreError",
    "TamperError",
    "UnitError",
    "WorksheetError",
]


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


class CriteriaError(CandidacyError):
    """The criteria set is not valid."""


class ProtocolError(CriteriaError):
    """A screening protocol file breaks the schema or a cross check."""


class InputError(CandidacyError):
    """Something given to the tool (a file, an upload, a value) cannot be used as it is."""


class SourceFileError(InputError):
    """The file itself is unreadable: not a regular file, too large, not UTF-8, not YAML, too deep."""


class AnswersError(InputError):
    """The answers do not fit the criteria set."""


class FhirError(InputError):
    """A FHIR resource is malformed, inconsistent, or for another questionnaire."""

    def __init__(self, messages: Sequence[str | Problem] | str | Problem, file: str | None = None) -> None:
        items: Sequence[str | Problem] = [messages] if isinstance(messages, str | Problem) else messages
        super().__init__([m if isinstance(m, Problem) else Problem(m, file=file) for m in items])


class UnitError(FhirError):
    """A code that is not UCUM, or a quantity that does not convert into the unit asked for."""


class WorksheetError(InputError):
    """A worksheet does not fit its protocol, or a change would rewrite it silently."""


class OutputError(CandidacyError):
    """A file could not be written (missing folder, no permission, not a regular file)."""


class SettingsError(CandidacyError):
    """A setting has a bad value; reported at start-up."""


class IdentityError(CandidacyError):
    """Who is acting cannot be established."""


class ProfileError(IdentityError):
    """The profile is missing a field, has a bad value, or its file cannot be read."""


class NoRoleError(IdentityError):
    """The token is valid, but nothing configured gives this person a permission."""


class NoIdentityError(IdentityError):
    """Nobody is known yet: the profile is missing (personal) or nobody with a role is signed in (team)."""


class StoreError(CandidacyError):
    """A stored case could not be read or changed as asked."""


class ConflictError(StoreError):
    """Someone else saved the case since this session last read it; nothing was overwritten."""


class Refused(StoreError):
    """A change the case's rules refuse as things stand, before anything is written (a StoreError, so
    that every edge that reports a store's refusal reports this one too)."""


class FrozenError(Refused):
    """The current revision was reviewed; a change needs a new revision with a reason."""


class TamperError(StoreError):
    """Stored data no longer matches its hash or chain: it was changed outside the application.

    Its message starts with "TAMPERED:" wherever it is shown, so it is never mistaken for a routine
    problem."""

    def __init__(self, message: str) -> None:
        super().__init__(f"TAMPERED: {message}")


class SchemaError(StoreError):
    """The database schema is not one this version knows (newer, damaged, or another application's)."""


class DatabaseError(StoreError):
    """The database could not be used: unreachable, not a database, full, or it refused a value."""
