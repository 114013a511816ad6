"""Store benchmark: autosave latency (with the audit hash chain), listing 10,000 cases, and
``cases verify`` over 10,000 cases with 100 chained audit rows each, on SQLite and PostgreSQL.

Prints figures; not a timed test. Targets: autosave median under 20 ms; listing 10,000 cases under
200 ms; verify of 10,000 x 100 rows under 30 s. The 1,000,000 audit rows are real chained rows
(hashed with the store's own ``row_hash``) inserted in bulk, so verify checks exactly what it would
check after a year of use. PostgreSQL is measured when initdb/pg_ctl are on the machine.
Run: .venv/bin/python bench/store.py [cases] [rows-per-case]
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

from sqlalchemy import bindparam, insert, update  # noqa: E402

from candidacy import load_criteria  # noqa: E402
from candidacy.identity import Identity  # noqa: E402
from candidacy.reasoning.answers import check_answers  # noqa: E402
from candidacy.reasoning.engine import evaluate  # noqa: E402
from candidacy.store import CaseStore  # noqa: E402
from candidacy.store.chain import CHAINED, row_hash  # noqa: E402
from candidacy.store.tables import audit, cases, revisions  # noqa: E402
from candidacy.store.verify import verify  # noqa: E402

SAVES = 200
CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
ROWS = int(sys.argv[2]) if len(sys.argv) > 2 else 100
BENCH = Identity("bench", "Consultant", "cli")


def _fill(store: CaseStore, criteria_id: str) -> None:
    """CASES - 1 more cases, each with ROWS chained audit rows, written in bulk."""
    now = dt.datetime.now(dt.UTC)
    first = 2
    case_rows = [
        {
            "id": first + i,
            "label": f"case {i}",
            "meeting_date": dt.date(2026, 1, 1) + dt.timedelta(days=i % 365),
            "criteria_id": criteria_id,
            "status": "draft",
            "archived": False,
            "lock_version": ROWS,
            "revision": 1,
            "contraindications": i % 3,
            "against": i % 2,
            "missing": 5,
            "next_step": "Answer the remaining items",
            "created_at": now,
            "updated_at": now,
            "decision": "",
            "audit_head": "",
        }
        for i in range(CASES - 1)
    ]
    with store.engine.begin() as conn:
        conn.execute(insert(cases), case_rows)
        revision = conn.exec_driver_sql("SELECT criteria_id, criteria_version, criteria_sha256, answers FROM revisions")
        crit, version, sha, answers = revision.first()  # type: ignore[misc]
        conn.execute(
            insert(revisions),
            [
                {
                    "case_id": row["id"],
                    "number": 1,
                    "criteria_id": crit,
                    "criteria_version": version,
                    "criteria_sha256": sha,
                    "answers": answers,
                    "status": "draft",
                    "reason": "",
                    "created_at": now,
                }
                for row in case_rows
            ],
        )
    batch: list[dict[str, object]] = []
    heads: list[dict[str, object]] = []
    for row in case_rows:
        prev = ""
        for n in range(ROWS):
            at = now + dt.timedelta(microseconds=n)
            fields = (row["id"], 1, at, "bench", "Consultant", "", "cli", "answer", "seizures", None, f'"{n}"')
            digest = row_hash(prev, fields)
            batch.append({**dict(zip(CHAINED, fields, strict=True)), "prev_hash": prev, "row_hash": digest})
            prev = digest
        heads.append({"i": row["id"], "h": prev})
        if len(batch) >= 50_000:
            with store.engine.begin() as conn:
                conn.execute(insert(audit), batch)
            batch = []
    with store.engine.begin() as conn:
        if batch:
            conn.execute(insert(audit), batch)
        conn.execute(
            update(cases).where(cases.c.id == bindparam("i")).values(audit_head=bindparam("h")),
            heads,
        )
        if conn.dialect.name == "postgresql":
            for table in ("cases", "revisions", "audit"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                )


def measure(label: str, url: str) -> None:
    cset = load_criteria(ROOT / "criteria" / "itb_pump.yaml")
    store = CaseStore(url, {cset.id: cset})
    case_id = store.create_case(cset.id, "bench", None, BENCH)
    lock = store.get(case_id).row.lock_version
    times, engine_times, chain_times = [], [], []
    values = ["none", "controlled"]
    answers = store.get(case_id).answers
    sample = (case_id, 1, dt.datetime.now(dt.UTC), "bench", "Consultant", "", "cli", "answer", "seizures", None, '"x"')
    for i in range(SAVES):  # interleaved: a whole autosave, the criteria evaluation inside it, the row hash
        start = time.perf_counter()
        lock = store.save_answer(case_id, lock, "seizures", values[i % 2], BENCH)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        evaluate(cset, check_answers(cset, answers))
        engine_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        row_hash("0" * 64, sample)
        chain_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    _fill(store, cset.id)
    filled = time.perf_counter() - start
    listing = []
    for _ in range(5):
        start = time.perf_counter()
        listed = store.list_cases()
        listing.append(time.perf_counter() - start)
    assert len(listed) == CASES
    runs = []
    for _ in range(2):
        start = time.perf_counter()
        report = verify(store.engine)
        runs.append(time.perf_counter() - start)
        assert report.ok, report.breaks[:3]
    print(
        f"{label:<11} autosave median {statistics.median(times) * 1e3:6.1f} ms (p95 "
        f"{statistics.quantiles(times, n=20)[18] * 1e3:6.1f} ms, {SAVES} saves, hash chain included)   "
        f"list {len(listed)} cases median {statistics.median(listing) * 1e3:6.1f} ms\n"
        f"{'':<11} within an autosave: criteria evaluation median {statistics.median(engine_times) * 1e3:.1f} ms, "
        f"audit row hash median {statistics.median(chain_times) * 1e6:.0f} us\n"
        f"{'':<11} verify {len(report.heads)} cases, {report.rows_checked} audit rows: "
        f"{min(runs):5.1f} s best of {len(runs)} ({', '.join(f'{r:.1f}' for r in runs)} s); fill took {filled:.0f} s"
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
