"""The suite's one clock. ``conftest`` sets it for the whole test process, and so for every server
and command the tests start: no test reads the real date, and every date a test names is computed
from :data:`TODAY`. A test that needs another moment moves the clock with :func:`at`."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from candidacy.clock import NOW_VARIABLE, ZONE_VARIABLE

__all__ = ["TEST_NOW", "TEST_ZONE", "TODAY", "at", "day", "environment", "faketime", "python_at"]

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


def faketime() -> str:
    """Debian's faketime, which moves a whole process's real clock; required in CI, skipped elsewhere."""
    found = shutil.which("faketime")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("faketime is not installed, and this test must run in CI (.ci/run installs it)")
    pytest.skip("faketime is not installed (apt-get install faketime)")


def python_at(code: str, real: str, instant: dt.datetime, zone: str, *args: str) -> str:
    """Run ``code`` in a new Python whose real clock reads ``real`` (faketime) and whose candidacy clock
    is ``instant`` in ``zone`` (the machine's TZ too); returns what it printed."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [faketime(), real, sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=root,
        env={**os.environ, **environment(instant, zone), "TZ": zone, "PYTHONHASHSEED": "123"},
    )
    return done.stdout.strip()
