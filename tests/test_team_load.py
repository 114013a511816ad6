"""A team's load, small: nginx in front of two ``streamlit run`` processes on one real PostgreSQL, four
headless Chromium sessions on two shared stored cases, and one process killed with SIGKILL halfway.

The same parts as ``bench/team_load.py`` (see tests/team_load_support.py), with assertions instead of
figures: every change a page acknowledged is in the audit trail, no change a page said was refused is
stored, no stored row lacks the action that made it, the chains verify, and sessions of the killed
process went on writing through the process that was left.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .pg_support import fresh_database, require_postgres
from .team_load_support import (
    app_env,
    app_processes,
    nginx_proxy,
    require_nginx,
    run_load,
    seed_cases,
    tally,
    verify,
)

SESSIONS, CASES, BEFORE, AFTER = 4, 2, 1, 2


def test_acknowledged_writes_survive_a_killed_process(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    require_postgres()
    require_nginx()
    server = request.getfixturevalue("pg_server")  # the session's PostgreSQL, a database of its own
    database = fresh_database(server, "team_load_small")
    cases = seed_cases(database, CASES)
    with app_processes(app_env(database, tmp_path / "data")) as (first, second):
        backends = [first.url.removeprefix("http://"), second.url.removeprefix("http://")]
        with nginx_proxy(backends) as (base, _folder):
            load = asyncio.run(
                run_load(base, cases, SESSIONS, 2, BEFORE, AFTER, first.process.kill, SESSIONS * BEFORE // 2, 7)
            )
    counts = tally(database, load, cases)
    checked = verify(database)

    log = "\n".join(str(a) for a in load.actions) + "\n" + "\n".join(load.errors)
    assert counts.lost == [], f"acknowledged changes missing from the audit trail:\n{counts.lost}\n{log}"
    assert counts.stored_refused == [], f"changes said to be refused were stored:\n{counts.stored_refused}\n{log}"
    assert counts.unexplained == [], f"stored rows no action accounts for:\n{counts.unexplained}\n{log}"
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert counts.acknowledged >= SESSIONS, log  # the run really wrote: at least one per session
    survivors = [a for a in load.actions if a.after_kill and a.route == 0 and a.outcome == "acknowledged"]
    assert survivors, f"no session of the killed process wrote after it reconnected:\n{log}"
    assert counts.silent == 0, f"changes neither shown nor said:\n{log}"
