"""Fixtures shared by the store tests: every test runs on SQLite and on a real PostgreSQL database.

Registered for the suite by ``pytest_plugins`` in tests/conftest.py; one PostgreSQL server per session,
one fresh database per test.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from candidacy import CriteriaSet, load_criteria
from candidacy.identity import Identity
from candidacy.store import CaseStore

from .pg_support import fresh_database, postgres_server

__all__ = ["app_store", "case_with_notes", "db_url", "lock_version", "pg_server", "store"]

ITB = Path(__file__).resolve().parent.parent / "criteria" / "itb_pump.yaml"


def app_store() -> CaseStore:
    """The store of the app under test: the database CANDIDACY_DATABASE_URL names (set per test)."""
    cset = load_criteria(ITB)
    return CaseStore(os.environ["CANDIDACY_DATABASE_URL"], {cset.id: cset})


def case_with_notes(store: CaseStore, cset: CriteriaSet, label: str, count: int, who: Identity) -> int:
    """A new case whose audit trail holds ``count`` note changes after its creation; returns its id."""
    case_id = store.create_case(cset.id, label, None, who)
    lock = store.get(case_id).row.lock_version
    for i in range(count):
        lock = store.save_note(case_id, lock, "cause", f"note {i}", who)
    return case_id


_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.db'}"
    return fresh_database(request.getfixturevalue("pg_server"), f"store_{next(_names)}")


@pytest.fixture
def store(db_url: str, itb: CriteriaSet) -> Iterator[CaseStore]:
    opened = CaseStore(db_url, {itb.id: itb})
    yield opened
    opened.close()


def lock_version(store: CaseStore, case_id: int) -> int:
    return store.get(case_id).row.lock_version
