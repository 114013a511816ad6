"""Opening a database: the engine, SQLite's durability settings, the schema brought up to date, and
database failures turned into the project's errors where connections are made.

Every statement and every connection of the engine passes SQLAlchemy's ``handle_error`` hook, so a
failure anywhere in the store (unreachable server, a file that is not a database, a missing table, a
full disk during an autosave, a NUL character PostgreSQL cannot store) reaches the app and the
command line as a :class:`~candidacy.errors.DatabaseError` or :class:`~candidacy.errors.SchemaError`
with a sentence, never as a driver traceback. The transaction is rolled back; nothing half-written stays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import SQLAlchemyError

from candidacy.errors import AnswersError, DatabaseError, Problem, SchemaError, StoreError
from candidacy.store.migrate import current_revision, migrate

__all__ = ["connect", "database_error", "known_failure", "valid_input"]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged autosave survives a crash
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# (pattern in the driver's message, the error class, what to tell the user)
_KNOWN: tuple[tuple[re.Pattern[str], type[StoreError], str], ...] = (
    (re.compile(r"disk is full|could not extend file|No space left", re.I), DatabaseError,
     "the disk holding the database is full; the change was not saved (it is still on screen): free some "
     "space and make it again"),
    (re.compile(r"file is not a database|not a database|file is encrypted", re.I), DatabaseError,
     "the database file is not an SQLite database (or it is damaged); point CANDIDACY_DATABASE_URL at the "
     "right file"),
    (re.compile(r"NUL \(0x00\)|contain NUL|null character", re.I), DatabaseError,
     "the text contains a NUL character, which the database cannot store; remove it"),
    (re.compile(r"no such table|relation .* does not exist|already exists|no such column|column .* does not exist",
                re.I), SchemaError,
     "the database does not have the tables this version of candidacy expects (a table or its schema "
     "version row is missing or extra); restore it from a backup or use an empty database"),
    (re.compile(r"read-only|readonly|permission denied|access denied", re.I), DatabaseError,
     "the database cannot be written here (read-only or no permission)"),
    (re.compile(r"unable to open|connection refused|could not connect|could not translate host|timeout|"
                r"server closed|Name or service not known|password authentication failed|does not exist",
                re.I), DatabaseError,
     "the database cannot be reached; check CANDIDACY_DATABASE_URL and that the database server is running"),
)  # fmt: skip


def known_failure(exc: BaseException) -> StoreError | None:
    """A sentence for a failure of the database itself (keeping the driver's first line), or None.

    Constraint and trigger refusals (an IntegrityError, the append-only audit trigger) are not failures
    of the database: the store handles them where it expects them, so they pass through unchanged.
    """
    original = getattr(exc, "orig", None) or exc
    detail = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    for pattern, kind, sentence in _KNOWN:
        if pattern.search(detail):
            return kind(f"{sentence} ({detail})")
    return None


def database_error(exc: BaseException) -> StoreError:
    """:func:`known_failure`, or the driver's first line when the failure is not one of the known kinds."""
    original = getattr(exc, "orig", None) or exc
    return known_failure(exc) or DatabaseError(f"the database reported an error: {str(original).strip()[:200]}")


@contextmanager
def valid_input() -> Iterator[None]:
    """A value the models refuse (a 440-character label, a note over the limit) is reported, never cut."""
    try:
        yield
    except ValidationError as exc:
        raise AnswersError(
            [Problem(f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") for err in exc.errors()]
        ) from None


def _translate(context: ExceptionContext) -> None:
    failure = known_failure(context.original_exception)
    if failure is not None:
        raise failure from context.original_exception


def _refuse_unversioned(engine: Engine) -> None:
    """Tables without a schema version row: migrating would try to create them again."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    if "cases" in tables and current_revision(engine) is None:
        raise SchemaError(
            "the database holds candidacy's tables but no schema version (its alembic_version row is missing), "
            "so it cannot be migrated safely; restore the row or the database from a backup"
        )


def connect(url: str) -> Engine:
    """An engine for ``url`` (SQLite file or PostgreSQL), migrated to this code's schema."""
    if url.startswith("sqlite:///"):
        folder = Path(url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the database folder {folder}: {exc.strerror or exc}") from exc
    try:
        engine = create_engine(url, future=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise DatabaseError(f"the database address cannot be used: {exc}") from exc
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _translate)
    try:
        _refuse_unversioned(engine)
        migrate(engine)
    except StoreError:
        raise
    except SQLAlchemyError as exc:  # raised by Alembic outside a statement (e.g. its version table)
        raise database_error(exc) from exc
    return engine
