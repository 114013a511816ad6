"""Database failures become the project's errors with a sentence: unreachable, not a database, wrong
schema, a deleted schema-version row, a full disk during an autosave, a NUL character on PostgreSQL, a
value too long. The command line prints the sentence (exit 2); the store keeps what was saved before."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from candidacy import CriteriaSet
from candidacy.cli import main
from candidacy.errors import AnswersError, DatabaseError, SchemaError
from candidacy.identity import Identity
from candidacy.store import CaseStore

from .pg_support import fresh_database

ME = Identity(name="Dr A. Example", role="Consultant neurologist", source="personal")
_names = itertools.count()


def _store(tmp_path: Path, itb: CriteriaSet, name: str = "cases.db") -> CaseStore:
    return CaseStore(f"sqlite:///{tmp_path / name}", {itb.id: itb})


def test_a_file_that_is_not_a_database(tmp_path: Path, itb: CriteriaSet) -> None:
    (tmp_path / "cases.db").write_bytes(b"not a database " * 500)
    with pytest.raises(DatabaseError, match="is not an SQLite database"):
        _store(tmp_path, itb)


def test_an_unreachable_server(itb: CriteriaSet) -> None:
    with pytest.raises(DatabaseError, match="the database cannot be reached"):
        CaseStore("postgresql+psycopg://nobody@127.0.0.1:1/candidacy", {itb.id: itb})


def test_a_database_folder_that_cannot_be_made(tmp_path: Path, itb: CriteriaSet) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(DatabaseError, match="cannot create the database folder"):
        CaseStore(f"sqlite:///{tmp_path / 'file' / 'cases.db'}", {itb.id: itb})


def test_a_deleted_schema_version_row_is_named(tmp_path: Path, itb: CriteriaSet) -> None:
    _store(tmp_path, itb).close()
    with sqlite3.connect(tmp_path / "cases.db") as conn:
        conn.execute("DELETE FROM alembic_version")
    with pytest.raises(SchemaError, match="alembic_version row is missing"):
        _store(tmp_path, itb)


def test_a_missing_table_is_a_schema_error(tmp_path: Path, itb: CriteriaSet) -> None:
    store = _store(tmp_path, itb)
    with sqlite3.connect(tmp_path / "cases.db") as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DROP TABLE audit")
    with pytest.raises(SchemaError, match="does not have the tables this version"):
        store.create_case(itb.id, "T-01", None, ME)


def test_the_cli_prints_the_sentence_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cases.db").write_bytes(b"garbage" * 1000)
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", f"sqlite:///{tmp_path / 'cases.db'}")
    done = CliRunner().invoke(main, ["cases", "list"])
    assert done.exit_code == 2
    assert done.stderr.startswith("the database file is not an SQLite database")
    assert "Traceback" not in done.output


def test_a_full_disk_during_autosave_keeps_what_was_saved(tmp_path: Path, itb: CriteriaSet) -> None:
    store = _store(tmp_path, itb)
    case_id = store.create_case(itb.id, "FULL-01", None, ME)
    lock = store.save_note(case_id, store.get(case_id).row.lock_version, "age_years", "kept", ME)
    pages = sqlite3.connect(tmp_path / "cases.db").execute("PRAGMA page_count").fetchone()[0]

    def cap(dbapi_connection: Any, _record: Any) -> None:  # the disk is full one page further on
        dbapi_connection.execute(f"PRAGMA max_page_count={pages + 1}")

    store.engine.dispose()
    event.listen(store.engine, "connect", cap)
    with pytest.raises(DatabaseError, match="the disk holding the database is full; the change was not saved"):
        for _ in range(50):
            lock = store.save_note(case_id, lock, "cause", "x" * 19_000, ME)
    assert store.get(case_id).answers.answers["age_years"].note == "kept"


def test_a_label_that_is_too_long_is_refused_not_cut(tmp_path: Path, itb: CriteriaSet) -> None:
    store = _store(tmp_path, itb)
    with pytest.raises(AnswersError, match="label: String should have at most 120 characters"):
        store.create_case(itb.id, "x" * 440, None, ME)
    case_id = store.create_case(itb.id, "OK-01", None, ME)
    with pytest.raises(AnswersError, match="at most 120 characters"):
        store.save_header(case_id, store.get(case_id).row.lock_version, "label", "y" * 440, ME)
    assert store.get(case_id).answers.case.label == "OK-01"


def test_a_nul_in_a_label_or_a_search_on_postgresql(pg_server: str, itb: CriteriaSet) -> None:
    store = CaseStore(fresh_database(pg_server, f"nul_{next(_names)}"), {itb.id: itb})
    try:
        with pytest.raises(DatabaseError, match="contains a NUL character"):
            store.create_case(itb.id, "A\x00B", None, ME)
        with pytest.raises(DatabaseError, match="contains a NUL character"):
            store.list_cases(search="\x00")
        assert store.list_cases() == []
    finally:
        store.close()
