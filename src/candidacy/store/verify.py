"""The whole database checked at once: every audit chain, every frozen record, every sign-off.

``python -m candidacy cases verify`` runs :func:`verify`; it is also what an import runs before it
commits. It reads everything once, in case order, and names the first problem of each case.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from candidacy.store.chain import CHAINED, ChainBreak, check_chain, database_head
from candidacy.store.errors import TamperError
from candidacy.store.queries import check_frozen
from candidacy.store.tables import audit, cases, revisions
from candidacy.store.workflow import STATUSES

__all__ = ["VerifyReport", "verify", "verify_connection"]


@dataclass
class VerifyReport:
    heads: dict[int, str] = field(default_factory=dict)  # case id -> its audit chain head
    breaks: list[ChainBreak] = field(default_factory=list)  # at most one per case, in case order
    revisions_checked: int = 0
    rows_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def head(self) -> str:
        return database_head(self.heads)


def verify(engine: Engine) -> VerifyReport:
    with engine.connect() as conn:
        return verify_connection(conn)


def verify_connection(conn: Connection) -> VerifyReport:
    report = VerifyReport()
    case_rows = {r["id"]: r for r in conn.execute(select(cases).order_by(cases.c.id)).mappings()}
    broken: dict[int, ChainBreak] = {}
    reviews: set[tuple[int, int, str]] = set()
    columns = [audit.c.id, audit.c.prev_hash, audit.c.row_hash, *(audit.c[name] for name in CHAINED)]
    rows = conn.execution_options(stream_results=True, yield_per=20_000).execute(
        select(*columns).order_by(audit.c.case_id, audit.c.id)
    )
    seen: set[int] = set()
    for case_id, group in itertools.groupby(rows, key=lambda r: r[3]):
        seen.add(case_id)
        trail = list(group)
        report.rows_checked += len(trail)
        reviews.update((case_id, r[4], r[13]) for r in trail if r[10] == "review")
        head, problem = check_chain(case_id, trail, case_rows[case_id]["audit_head"])
        report.heads[case_id] = head
        if problem is not None:
            broken[case_id] = problem
    for case_id in case_rows.keys() - seen:
        broken[case_id] = ChainBreak(case_id, None, "the case has no audit trail (its rows were removed)")
        report.heads[case_id] = ""
    for case_id, rev in _revisions(conn):
        report.revisions_checked += 1
        if case_id in broken:
            continue
        wrong = _check_revision(case_id, rev, case_rows[case_id], reviews)
        if wrong is not None:
            broken[case_id] = ChainBreak(case_id, None, f"revision {rev['number']}: {wrong}")
    report.breaks = [broken[k] for k in sorted(broken)]
    return report


def _revisions(conn: Connection) -> Iterator[tuple[int, Any]]:
    query = select(revisions).order_by(revisions.c.case_id, revisions.c.number)
    for rev in conn.execution_options(stream_results=True, yield_per=2_000).execute(query).mappings():
        yield rev["case_id"], rev


def _check_revision(case_id: int, rev: Any, case: Any, reviews: set[tuple[int, int, str]]) -> str | None:
    if rev["status"] not in STATUSES:
        return f"unknown status '{rev['status']}'"
    if rev["number"] == case["revision"] and case["status"] != rev["status"]:
        return f"the case says '{case['status']}' but its current revision is '{rev['status']}'"
    if rev["number"] > case["revision"]:
        return f"the case's current revision is {case['revision']}"
    if (rev["content_hash"] is not None) != (rev["status"] == "reviewed"):
        return "a reviewed status and a frozen record go together; one is missing"
    if rev["content_hash"] is None:
        return None
    try:
        record = check_frozen(case_id, rev["number"], rev["record"], rev["content_hash"], rev["answers"])
    except TamperError as error:
        return str(error).split(": ", 2)[-1]  # without "TAMPERED: case N revision M"
    sign = record.sign_off
    if sign is None and record.format_version == "1":
        return None  # signed before sign-offs were part of the record: its hash and answers still hold
    if sign is None or sign.reviewer != rev["reviewed_by"]:
        return "the frozen record does not carry the sign-off stored beside it"
    if (case_id, rev["number"], rev["content_hash"]) not in reviews:
        return "no sign-off for this hash in the audit trail"
    return None
