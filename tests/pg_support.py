"""A throwaway PostgreSQL server for tests: the machine's initdb / pg_ctl, a temporary folder, a free
localhost port. Skipped with a reason outside CI when the binaries are absent; in CI it must run."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .browser_support import free_port


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def require_postgres() -> tuple[str, str]:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb and pg_ctl:
        return initdb, pg_ctl
    if os.environ.get("CI") == "true":
        pytest.fail("PostgreSQL binaries (initdb, pg_ctl) are missing, and the PostgreSQL tests must run in CI")
    pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed; PostgreSQL tests skipped outside CI")


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL of a fresh server; stop it and remove its files afterwards."""
    initdb, pg_ctl = require_postgres()
    folder = Path(tempfile.mkdtemp(prefix="candidacy-pg-"))
    data = folder / "data"
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(folder, user="postgres", group="postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    try:
        subprocess.run([*as_postgres, initdb, "-D", str(data), "-U", "candidacy", "--auth=trust", "-E", "UTF8"], **run)  # type: ignore[call-overload]
        # one server serves the whole session (a database per test): room for the connections of every pool
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=300"
        subprocess.run(  # type: ignore[call-overload]
            [*as_postgres, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start"],
            **run,
        )
        yield f"postgresql+psycopg://candidacy@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database on the server and return its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
