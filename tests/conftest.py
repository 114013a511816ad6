from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from candidacy import CriteriaSet, load_criteria

from .clock_support import environment

ROOT = Path(__file__).resolve().parent.parent
ITB = ROOT / "criteria" / "itb_pump.yaml"
MINIMAL = Path(__file__).resolve().parent / "data" / "minimal.yaml"

pytest_plugins = ["tests.store_fixtures"]  # SQLite and PostgreSQL databases for the store tests

# One clock for the whole run, set before any test, fixture or server starts: no test depends on today.
os.environ.update(environment())

# Hypothesis budgets. The suite's own profile keeps every property's run short enough for a 2-core box;
# HYPOTHESIS_PROFILE=thorough runs ten times as many examples (before a release, or after a change to the
# engine's rules). A property that sets its own max_examples keeps it in both.
settings.register_profile("suite", max_examples=100)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "suite"))

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """A failed browser test leaves a screenshot of every page it still has open, to see what it saw."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if call.when == "call" and call.excinfo is not None and browser is not None:
        from tests.browser_support import ARTIFACTS

        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pages = [page for context in browser.contexts for page in context.pages]
        for number, page in enumerate(pages, 1):
            try:
                page.screenshot(path=str(ARTIFACTS / f"failed-{item.name}-{number}.png"), full_page=True)
            except Exception:  # a page that cannot be photographed must not hide the failure
                continue
    return report
