"""One clock for the app, the store and the command line: what time it is, and what day it is here.

Every "now" and "today" in candidacy is asked of this module, never of ``datetime`` directly (a test
in ``tests/test_clock.py`` keeps it so), so that a test or a demonstration sets the time of a whole
process, the Streamlit server and the command line included, with one variable:

CANDIDACY_NOW       an instant in ISO 8601 with its offset, such as ``2026-12-03T09:00:00+00:00``: the
                    clock stands still at that instant. Unset or empty: the system clock.
CANDIDACY_TIMEZONE  the service's IANA time zone, such as ``Europe/London``: "today" (the meeting that
                    comes next, a decision's date) and the local time printed beside each UTC time are
                    in this zone. Unset or empty: the machine's own zone (``TZ``, else /etc/localtime).

Times are stored in UTC; a day (a meeting date, a decision date) is a calendar date in the service's
zone, so a meeting on 3 December is "today" from local midnight to local midnight, across a
daylight-saving change or the turn of a year alike. The variables are read at every call (a parse is
cached), so a test can move the clock of its own process with ``monkeypatch.setenv``.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from candidacy.errors import Problem, SettingsError

__all__ = ["NOW_VARIABLE", "ZONE_VARIABLE", "local", "now", "today", "zone"]

NOW_VARIABLE = "CANDIDACY_NOW"
ZONE_VARIABLE = "CANDIDACY_TIMEZONE"


@lru_cache(maxsize=16)
def _fixed(raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise SettingsError(
            [Problem(f"{NOW_VARIABLE}: '{raw[:60]}' is not an instant with its offset (2026-12-03T09:00:00+00:00)")]
        )
    return value.astimezone(dt.UTC)


@lru_cache(maxsize=16)
def _zone(raw: str) -> dt.tzinfo:
    if not raw:
        return tzlocal.get_localzone()
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            [Problem(f"{ZONE_VARIABLE}: '{raw[:60]}' is not an IANA time zone (for example Europe/London)")]
        ) from None


def now() -> dt.datetime:
    """The current instant, in UTC (the set instant while ``CANDIDACY_NOW`` is set)."""
    raw = os.environ.get(NOW_VARIABLE, "").strip()
    return _fixed(raw) if raw else dt.datetime.now(dt.UTC)


def zone() -> dt.tzinfo:
    """The service's time zone, in which a day begins and ends."""
    return _zone(os.environ.get(ZONE_VARIABLE, "").strip())


def local(instant: dt.datetime) -> dt.datetime:
    """An instant as the service's wall clock shows it, with its offset (a naive time is taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(zone())


def today() -> dt.date:
    """The calendar date in the service's time zone at :func:`now`."""
    return local(now()).date()
