"""The suite's one clock. ``conftest`` sets it for the whole test process, and so for every server
and command the tests start: no test reads the real date, and every date a test names is computed
from :data:`TODAY`. A test that needs another moment moves the clock with :func:`at`."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from candidacy.clock import NOW_VARIABLE, ZONE_VARIABLE

__all__ = ["TEST_NOW", "TEST_ZONE", "TODAY", "at", "day", "environment"]

TEST_ZONE = "Europe/London"
#: A Tuesday morning in the service's zone; the meetings the tests store come after it.
TEST_NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
TODAY = TEST_NOW.astimezone(ZoneInfo(TEST_ZONE)).date()


def day(offset: int) -> dt.date:
    """The date ``offset`` days after the suite's today (before it, when negative)."""
    return TODAY + dt.timedelta(days=offset)


def environment(instant: dt.datetime = TEST_NOW, zone: str = TEST_ZONE) -> dict[str, str]:
    """The variables that set a process's clock to ``instant`` in ``zone``."""
    return {NOW_VARIABLE: instant.isoformat(), ZONE_VARIABLE: zone}


def at(monkeypatch: pytest.MonkeyPatch, instant: dt.datetime, zone: str = TEST_ZONE) -> None:
    """Move this test's clock (and that of any server or command it starts from now on)."""
    for name, value in environment(instant, zone).items():
        monkeypatch.setenv(name, value)
