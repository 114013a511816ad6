"""A team's load on real parts, small: nginx (the README's server block: sticky sessions, the WebSocket
upgrade) in front of two ``streamlit run`` processes on one PostgreSQL, and four sessions (contexts of
one headless Chromium) answering and writing notes on two shared cases, the two sessions of a case on
different processes. Then one process is killed (SIGKILL) and every session goes on: those of the
killed process reconnect through nginx to the other one.

Every acknowledged write has its audit row, every refused one was said on the page (and left no row),
no change was dropped without a word, ``cases verify`` finds every chain intact. The benchmark
(``bench/team_load.py``) runs the same with 20 sessions on 10 cases and prints the round trips.

The app processes run in personal mode (one clinician's profile) on the shared PostgreSQL URL: the
OpenID sign-in is tested on its own (test_sign_in_browser.py), and the write path under test (the
store's lock check, one transaction per change, the chained audit row) is the same in both modes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .browser_support import chromium_path
from .pg_support import fresh_database, require_postgres
from .team_load_support import (
    app_env,
    app_processes,
    nginx_proxy,
    require_nginx,
    routed,
    run_load,
    seed_cases,
    tally,
    verify,
)

pytestmark = pytest.mark.browser

SESSIONS, CASES, BEFORE, AFTER = 4, 2, 2, 1


def test_every_acknowledged_write_is_stored_under_load_and_after_a_killed_process(
    pg_server: str, tmp_path: Path
) -> None:
    chromium_path()
    require_postgres()
    require_nginx()
    database = fresh_database(pg_server, "team_load")
    cases = seed_cases(database, CASES)
    env = app_env(database, tmp_path / "data")
    with app_processes(env) as (first, second):
        backends = [first.url.removeprefix("http://"), second.url.removeprefix("http://")]
        with nginx_proxy(backends) as (base, folder):
            # The kill comes once every action before it has been answered: between the two rounds.
            load = asyncio.run(
                run_load(base, cases, SESSIONS, 2, BEFORE, AFTER, first.process.kill, SESSIONS * BEFORE, 1)
            )
            served = routed(folder / "access.log")
        assert first.process.poll() is not None and second.process.poll() is None

    counts = tally(database, load, cases)
    detail = "\n".join(str(a) for a in load.actions)
    assert not load.errors, "\n".join(load.errors) + "\n" + detail
    assert counts.acknowledged > 0, detail
    assert not counts.lost, "acknowledged but not stored:\n" + "\n".join(counts.lost) + "\n" + detail
    assert not counts.stored_refused, "refused but stored:\n" + "\n".join(counts.stored_refused) + "\n" + detail
    assert not counts.unexplained, "stored, no action:\n" + "\n".join(counts.unexplained) + "\n" + detail
    assert counts.silent == 0, "dropped without a word:\n" + detail
    assert counts.unknown == 0, detail  # nothing was under way at the kill
    assert counts.acknowledged + counts.refused == SESSIONS * (BEFORE + AFTER), detail
    # Sticky: the second route never reached the first process; the first reached the second only
    # once its own process was gone, and each of its sessions was answered there after the kill.
    assert served[("1", backends[0])] == 0, served
    assert served[("0", backends[0])] > 0 and served[("0", backends[1])] > 0, served
    moved = {a.session for a in load.actions if a.after_kill and a.route == 0 and a.outcome != "unknown"}
    assert moved == {n for n in range(SESSIONS) if (n // CASES) % 2 == 0}, detail

    checked = verify(database)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith(f"ok: {CASES} cases"), checked.stdout
