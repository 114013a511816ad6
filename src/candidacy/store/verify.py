"""The whole database checked at once: every audit chain, every frozen record, every sign-off, every
worksheet and criteria snapshot, and each case's content against the state its last audit row sealed.

``python -m candidacy cases verify`` runs :func:`verify`; it is also what an import runs before it
commits. It reads everything once, in case order, and names the first problem of each case.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from candidacy.case.workflow import STATUSES
from candidacy.reasoning.answers import AnswerSet
from candidacy.screening.worksheet import Worksheet
from candidacy.store.chain import CHAINED, ChainBreak, check_chain, database_head
from candidacy.store.errors import TamperError
from candidacy.store.queries import check_frozen
from candidacy.store.state import case_state, check_seal, snapshot_digest
from candidacy.store.tables import audit, cases, criteria_snapshots, revisions, screening_worksheets

__all__ = ["VerifyReport", "verify", "verify_case", "verify_connection"]


@dataclass
class VerifyReport:
    heads: dict[int, str] = field(default_factory=dict)  # case id -> its audit chain head
    states: dict[int, str] = field(default_factory=dict)  # case id -> the hash of everything it holds now
    snapshots: dict[str, str] = field(default_factory=dict)  # criteria snapshot key -> its content's hash
    breaks: list[ChainBreak] = field(default_factory=list)  # at most one per case, in case order
    problems: list[str] = field(default_factory=list)  # what belongs to no case: snapshots, orphan rows
    revisions_checked: int = 0
    rows_checked: int = 0
    worksheets_checked: int = 0
    snapshots_checked: int = 0
    unsealed: int = 0  # cases whose last change predates sealing (their chain is checked, their state not)

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.problems

    @property
    def head(self) -> str:
        """One hash over every case's chain head and present state and every criteria snapshot: any change
        to any of them moves it."""
        return database_head(self.heads, self.states, self.snapshots)

    def lines(self) -> list[str]:
        """Every problem, one line each: the case breaks first, then the rest."""
        return [b.describe() for b in self.breaks] + self.problems


def verify(engine: Engine) -> VerifyReport:
    with engine.connect() as conn:
        return verify_connection(conn)


def verify_connection(conn: Connection) -> VerifyReport:
    """Read the database as evidence: each problem is named, none raises."""
    report = VerifyReport()
    query = select(cases.c.id, cases.c.audit_head, cases.c.revision, cases.c.status).order_by(cases.c.id)
    case_rows = {r["id"]: r for r in conn.execute(query).mappings()}
    broken: dict[int, ChainBreak] = {}
    reviews: set[tuple[int, int, str]] = set()
    sealed: dict[int, str] = {}
    columns = [audit.c.id, audit.c.prev_hash, audit.c.row_hash, *(audit.c[name] for name in CHAINED)]
    rows = conn.execution_options(stream_results=True, yield_per=20_000).execute(
        select(*columns).order_by(audit.c.case_id, audit.c.id)
    )
    seen: set[int] = set()
    for case_id, group in itertools.groupby(rows, key=lambda r: r[3]):
        trail = list(group)
        report.rows_checked += len(trail)
        if case_id not in case_rows:
            report.problems.append(f"{len(trail)} audit row(s) of case {case_id}, which does not exist")
            continue
        seen.add(case_id)
        reviews.update((case_id, r[4], r[13]) for r in trail if r[10] == "review")
        sealed[case_id] = trail[-1][14]
        try:
            head, problem = check_chain(case_id, trail, case_rows[case_id]["audit_head"])
        except (ValueError, TypeError, OverflowError) as error:
            head, problem = "", ChainBreak(case_id, None, f"an audit row cannot be read ({type(error).__name__})")
        report.heads[case_id] = head
        if problem is not None:
            broken[case_id] = problem
    for case_id in case_rows.keys() - seen:
        broken[case_id] = ChainBreak(case_id, None, "the case has no audit trail (its rows were removed)")
        report.heads[case_id] = ""
    numbers: dict[int, set[int]] = {}
    for case_id, rev in _revisions(conn):
        report.revisions_checked += 1
        if case_id not in case_rows:
            report.problems.append(f"revision {rev['number']} of case {case_id}, which does not exist")
            continue
        numbers.setdefault(case_id, set()).add(rev["number"])
        if case_id in broken:
            continue
        wrong = _check_revision(case_id, rev, case_rows[case_id], reviews)
        if wrong is not None:
            broken[case_id] = ChainBreak(case_id, None, f"revision {rev['number']}: {wrong}")
    for case_id, case in case_rows.items():
        if case_id not in broken and case["revision"] not in numbers.get(case_id, set()):
            broken[case_id] = ChainBreak(case_id, None, f"its current revision {case['revision']} does not exist")
    _check_worksheets(conn, case_rows, broken, report)
    _check_snapshots(conn, report)
    for case_id in sorted(case_rows):
        try:
            report.states[case_id] = case_state(conn, case_id)
        except (ValueError, TypeError, OverflowError) as error:
            report.states[case_id] = ""
            reason = f"its stored content cannot be read ({type(error).__name__}: {str(error)[:120]})"
            broken.setdefault(case_id, ChainBreak(case_id, None, reason))
            continue
        if case_id in broken:
            continue
        if not sealed.get(case_id):
            report.unsealed += 1
        elif report.states[case_id] != sealed[case_id]:
            wrong = check_seal(conn, case_id)  # read again: a change committed meanwhile is not tampering
            if wrong is not None:
                broken[case_id] = ChainBreak(case_id, None, wrong)
    report.breaks = [broken[k] for k in sorted(broken)]
    return report


def verify_case(conn: Connection, case_id: int) -> str | None:
    """What is wrong with one case's audit chain or seal (None when nothing is): what opening a case or
    ``cases show`` checks, so that they say TAMPERED wherever ``cases verify`` would for that case."""
    head = conn.execute(select(cases.c.audit_head).where(cases.c.id == case_id)).scalar()
    if head is None:
        return None  # no such case: the caller says so
    columns = [audit.c.id, audit.c.prev_hash, audit.c.row_hash, *(audit.c[name] for name in CHAINED)]
    trail = list(conn.execute(select(*columns).where(audit.c.case_id == case_id).order_by(audit.c.id)))
    if not trail:
        return "the case has no audit trail (its rows were removed)"
    try:
        _, problem = check_chain(case_id, trail, head)
    except (ValueError, TypeError, OverflowError) as error:
        return f"an audit row cannot be read ({type(error).__name__})"
    if problem is not None:
        where = f"audit row {problem.row}" if problem.row is not None else "audit head"
        return f"{where}: {problem.reason}"
    return check_seal(conn, case_id)


def _check_worksheets(
    conn: Connection, case_rows: dict[int, Any], broken: dict[int, ChainBreak], report: VerifyReport
) -> None:
    """Each worksheet belongs to a case, reads as a worksheet, and a confirmed one matches its hash."""
    query = select(
        screening_worksheets.c.id,
        screening_worksheets.c.case_id,
        screening_worksheets.c.content,
        screening_worksheets.c.status,
        screening_worksheets.c.content_hash,
    ).order_by(screening_worksheets.c.id)
    for row in conn.execute(query).mappings():
        report.worksheets_checked += 1
        case_id, ident = row["case_id"], row["id"]
        if case_id not in case_rows:
            report.problems.append(f"screening worksheet {ident} of case {case_id}, which does not exist")
            continue
        if case_id in broken:
            continue
        wrong = _worksheet_wrong(row)
        if wrong is not None:
            broken[case_id] = ChainBreak(case_id, None, f"screening worksheet {ident}: {wrong}")


def _worksheet_wrong(row: Any) -> str | None:
    if row["status"] not in ("open", "confirmed"):
        return f"unknown status '{row['status']}'"
    if (row["content_hash"] is not None) != (row["status"] == "confirmed"):
        return "a confirmed status and a content hash go together; one is missing"
    if row["content_hash"] is not None and _digest(row["content"]) != row["content_hash"]:
        return "its content does not match the hash it was confirmed with"
    try:
        Worksheet.model_validate_json(row["content"])
    except ValidationError as exc:
        return f"its content cannot be read as a worksheet ({exc.error_count()} problem(s))"
    return None


def _check_snapshots(conn: Connection, report: VerifyReport) -> None:
    """Each stored criteria snapshot still hashes to the key it is stored under."""
    for key, content in conn.execute(select(criteria_snapshots.c.sha256, criteria_snapshots.c.content)):
        report.snapshots_checked += 1
        try:
            digest = snapshot_digest(content)
        except (ValueError, TypeError):
            digest = hashlib.sha256(str(content).encode("utf-8")).hexdigest()
        report.snapshots[key] = digest
        if digest != key:
            report.problems.append(f"criteria snapshot {key[:16]}...: its content does not match its hash")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _revisions(conn: Connection) -> Iterator[tuple[int, Any]]:
    query = select(revisions).order_by(revisions.c.case_id, revisions.c.number)
    for rev in conn.execution_options(stream_results=True, yield_per=2_000).execute(query).mappings():
        yield rev["case_id"], rev


def _check_revision(case_id: int, rev: Any, case: Any, reviews: set[tuple[int, int, str]]) -> str | None:
    if rev["status"] not in STATUSES:
        return f"unknown status '{rev['status']}'"
    try:
        AnswerSet.model_validate_json(rev["answers"])
    except ValidationError as exc:
        return f"its answers cannot be read ({exc.error_count()} problem(s)): changed outside the application"
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
