from __future__ import annotations

from pathlib import Path

import pytest

from candidacy import CriteriaSet, load_criteria

ROOT = Path(__file__).resolve().parent.parent
ITB = ROOT / "criteria" / "itb_pump.yaml"
MINIMAL = Path(__file__).resolve().parent / "data" / "minimal.yaml"

pytest_plugins = ["tests.store_fixtures"]  # SQLite and PostgreSQL databases for the store tests

try:  # every Playwright assertion in the suite waits for its condition up to 30 s, not the default 5 s
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=30_000)
except ImportError:  # pragma: no cover - playwright is a pinned test dependency
    pass


@pytest.fixture(scope="session")
def itb() -> CriteriaSet:
    return load_criteria(ITB)


@pytest.fixture(scope="session")
def minimal() -> CriteriaSet:
    return load_criteria(MINIMAL)


@pytest.fixture(scope="session")
def minimal_text() -> str:
    return MINIMAL.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own SQLite file and data folder (personal profile): nothing touches data/."""
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("CANDIDACY_DATA_DIR", str(tmp_path / "data"))
