"""Store benchmark: autosave latency and listing time for 10,000 cases, on SQLite and PostgreSQL.

Prints figures; not a timed test. Targets: autosave median under 20 ms on SQLite; listing 10,000
cases under 200 ms. PostgreSQL is measured when initdb/pg_ctl are on the machine.
Run: .venv/bin/python bench/store.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy import insert  # noqa: E402

from candidacy import load_criteria  # noqa: E402
from candidacy.store import CaseStore  # noqa: E402
from candidacy.store.tables import cases  # noqa: E402

SAVES = 200
CASES = 10_000


def measure(label: str, url: str) -> None:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(url, {cset.id: cset})
    case_id = store.create_case(cset.id, "bench", None, "bench")
    lock = store.get(case_id).row.lock_version
    times = []
    values = ["yes", "no"]
    for i in range(SAVES):
        start = time.perf_counter()
        lock = store.save_answer(case_id, lock, "seizures", values[i % 2], "bench")
        times.append(time.perf_counter() - start)
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "label": f"case {i}",
            "meeting_date": dt.date(2026, 1, 1) + dt.timedelta(days=i % 365),
            "criteria_id": cset.id,
            "status": "draft",
            "archived": False,
            "lock_version": 1,
            "revision": 1,
            "contraindications": i % 3,
            "against": i % 2,
            "missing": 5,
            "next_step": "Answer the remaining items",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(CASES - 1)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(cases), rows)
    listing = []
    for _ in range(5):
        start = time.perf_counter()
        listed = store.list_cases()
        listing.append(time.perf_counter() - start)
    assert len(listed) == CASES
    print(
        f"{label:<11} autosave median {statistics.median(times) * 1e3:6.1f} ms (p95 "
        f"{statistics.quantiles(times, n=20)[18] * 1e3:6.1f} ms, {SAVES} saves)   "
        f"list {len(listed)} cases median {statistics.median(listing) * 1e3:6.1f} ms"
    )
    store.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.db")
    try:
        from tests.pg_support import fresh_database, postgres_server

        with postgres_server() as server:
            measure("PostgreSQL", fresh_database(server, "bench"))
    except BaseException as skipped:  # pytest.skip outside pytest raises its own exception type
        print(f"PostgreSQL: not measured ({skipped})")


if __name__ == "__main__":
    main()
