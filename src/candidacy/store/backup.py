"""Backup: every case as one JSON line, and an import that believes nothing it is given.

An import validates each line with a strict model (unknown fields, wrong types and unknown statuses
are refused), checks that revisions and audit rows belong to the case of their line, rebuilds each
signed record from its stored criteria and answers, writes everything in one transaction, then runs
the same checks as ``cases verify`` (hash chains, frozen hashes, sign-offs) before committing. The
first problem is named with its line; nothing is written unless everything is right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import IO, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from candidacy.case.workflow import ACTIONS, Status
from candidacy.criteria.models import CriteriaSet
from candidacy.criteria.yamlsource import parse_text
from candidacy.errors import Problem, SourceFileError
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.departure import gaps_of
from candidacy.reports.record import FORMAT_VERSION, build_record, parse_record
from candidacy.store.errors import StoreError
from candidacy.store.rows import utc
from candidacy.store.tables import audit, cases, criteria_snapshots, revisions, screening_worksheets
from candidacy.store.verify import verify_connection

__all__ = ["export_jsonl", "import_jsonl"]

_HASH = r"^[0-9a-f]{64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class CaseDoc(_Strict):
    id: int = Field(ge=1)
    label: str = Field(max_length=120)
    meeting_date: dt.date | None
    criteria_id: str
    status: Status
    archived: bool
    lock_version: int = Field(ge=0)
    revision: int = Field(ge=1)
    contraindications: int = Field(ge=0)
    against: int = Field(ge=0)
    missing: int = Field(ge=0)
    next_step: str
    created_at: dt.datetime
    updated_at: dt.datetime
    decision: str = Field(max_length=240)
    audit_head: str = Field(pattern=_HASH)


class RevisionDoc(_Strict):
    id: int = Field(ge=1)
    case_id: int
    number: int = Field(ge=1)
    criteria_id: str
    criteria_version: str
    criteria_sha256: str = Field(pattern=_HASH)
    answers: str
    status: Status
    reason: str
    content_hash: str | None = Field(pattern=_HASH)
    record: str | None
    reviewed_by: str | None
    reviewed_role: str | None
    reviewed_at: dt.datetime | None
    review_comment: str | None
    reviewed_source: str | None
    reviewed_subject: str | None
    decision: str | None
    created_at: dt.datetime


class AuditDoc(_Strict):
    id: int = Field(ge=1)
    case_id: int
    revision: int = Field(ge=1)
    at: dt.datetime
    actor: str = Field(max_length=120)
    actor_role: str
    actor_subject: str
    actor_source: Literal["personal", "oidc", "cli", ""]
    action: str
    item: str | None
    old: str | None
    new: str | None
    prev_hash: str
    row_hash: str = Field(pattern=_HASH)
    state: str = Field(default="", pattern=r"^([0-9a-f]{64})?$")  # exports before sealing have none


class WorksheetDoc(_Strict):
    id: int = Field(ge=1)
    case_id: int
    protocol_id: str
    protocol_version: str
    protocol_sha256: str = Field(pattern=_HASH)
    content: str
    status: str
    lock_version: int = Field(ge=0)
    content_hash: str | None = Field(pattern=_HASH)
    created_at: dt.datetime
    updated_at: dt.datetime


class CaseLine(_Strict):
    case: CaseDoc
    revisions: list[RevisionDoc] = Field(min_length=1)
    audit: list[AuditDoc] = Field(min_length=1)
    screening_worksheets: list[WorksheetDoc] = []


class SnapshotDoc(_Strict):
    sha256: str = Field(pattern=_HASH)
    criteria_id: str
    version: str
    content: str


class SnapshotLine(_Strict):
    criteria_snapshot: SnapshotDoc


def _jsonable(row: Any) -> dict[str, Any]:
    return {k: (utc(v).isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in dict(row).items()}


def export_jsonl(engine: Engine, out: IO[str]) -> int:
    """Criteria snapshots first, then every case with its revisions and audit trail. Returns the count."""
    count = 0
    with engine.connect() as conn:
        for snap in conn.execute(select(criteria_snapshots).order_by(criteria_snapshots.c.sha256)).mappings():
            out.write(json.dumps({"criteria_snapshot": dict(snap)}, ensure_ascii=False, sort_keys=True) + "\n")
        for case in conn.execute(select(cases).order_by(cases.c.id)).mappings():
            revs = conn.execute(
                select(revisions).where(revisions.c.case_id == case["id"]).order_by(revisions.c.number)
            ).mappings()
            trail = conn.execute(select(audit).where(audit.c.case_id == case["id"]).order_by(audit.c.id)).mappings()
            sheets = conn.execute(
                select(screening_worksheets)
                .where(screening_worksheets.c.case_id == case["id"])
                .order_by(screening_worksheets.c.id)
            ).mappings()
            doc = {
                "screening_worksheets": [_jsonable(w) for w in sheets],
                "case": _jsonable(case),
                "revisions": [_jsonable(r) for r in revs],
                "audit": [_jsonable(a) for a in trail],
            }
            out.write(json.dumps(doc, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def _refuse(number: int, message: str) -> StoreError:
    return StoreError(Problem(f"line {number}: {message}; nothing was imported"))


def _parse(lines: Iterator[str]) -> tuple[list[tuple[int, SnapshotLine]], list[tuple[int, CaseLine]]]:
    snapshots: list[tuple[int, SnapshotLine]] = []
    case_lines: list[tuple[int, CaseLine]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:  # the one reading path: depth, number and control-character limits before pydantic parses it
            doc = parse_text(line, "backup", first_line=number, escaped_controls=True).data
        except SourceFileError as exc:
            raise _refuse(number, f"not a backup line ({exc.problems[0].message})") from None
        kind: type[_Strict] = SnapshotLine if isinstance(doc, dict) and "criteria_snapshot" in doc else CaseLine
        try:
            parsed = kind.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise _refuse(number, f"{where}: {first['msg']}") from None
        if isinstance(parsed, SnapshotLine):
            snapshots.append((number, parsed))
        else:
            assert isinstance(parsed, CaseLine)
            case_lines.append((number, parsed))
    return snapshots, case_lines


def _check_line(number: int, line: CaseLine, criteria: Mapping[str, CriteriaSet]) -> None:
    """What a line must say about itself before it is written (the chains are checked after)."""
    case_id = line.case.id
    if [r.number for r in line.revisions] != list(range(1, len(line.revisions) + 1)):
        raise _refuse(number, f"case {case_id}: revisions must be numbered 1, 2, ... without gaps")
    if line.case.revision != len(line.revisions):
        raise _refuse(number, f"case {case_id}: its current revision {line.case.revision} is not its last")
    for rev in line.revisions:
        if rev.case_id != case_id:
            raise _refuse(number, f"case {case_id}: revision {rev.number} belongs to case {rev.case_id}")
        try:
            AnswerSet.model_validate_json(rev.answers)
        except ValidationError as exc:
            raise _refuse(
                number, f"case {case_id} revision {rev.number}: answers invalid ({exc.errors()[0]['msg']})"
            ) from None
        if rev.content_hash is not None:
            _check_signed(number, case_id, rev, criteria)
    for sheet in line.screening_worksheets:
        if sheet.case_id != case_id:
            raise _refuse(number, f"case {case_id}: screening worksheet {sheet.id} belongs to case {sheet.case_id}")
        if sheet.content_hash is not None and hashlib.sha256(sheet.content.encode()).hexdigest() != sheet.content_hash:
            raise _refuse(number, f"case {case_id}: screening worksheet {sheet.id} does not match its hash")
    for entry in line.audit:
        if entry.case_id != case_id:
            raise _refuse(number, f"case {case_id}: audit row {entry.id} belongs to case {entry.case_id}")
        if entry.action not in ACTIONS:
            raise _refuse(number, f"case {case_id}: audit row {entry.id}: unknown action '{entry.action}'")
        if entry.revision > len(line.revisions):
            raise _refuse(number, f"case {case_id}: audit row {entry.id} names revision {entry.revision}")


def _check_signed(number: int, case_id: int, rev: RevisionDoc, criteria: Mapping[str, CriteriaSet]) -> None:
    """A signed record must be what its criteria make of its answers, with the gaps it acknowledges."""
    where = f"case {case_id} revision {rev.number}"
    try:
        record = parse_record(rev.record or "")
    except ValidationError:
        raise _refuse(number, f"{where}: the signed record cannot be read") from None
    cset = criteria.get(rev.criteria_id)
    if record.sign_off is None or cset is None or cset.sha256 != rev.criteria_sha256:
        return  # older record or other criteria: its hash and chain are still checked
    if record.format_version != FORMAT_VERSION:
        return  # a record of an older shape: its hash and chain are still checked
    rebuilt = build_record(cset, AnswerSet.model_validate_json(rev.answers), decision=record.decision)
    if rebuilt.model_copy(update={"sign_off": record.sign_off}) != record:
        raise _refuse(number, f"{where}: the signed record is not what its criteria make of its answers")
    if record.sign_off.acknowledged_gaps != gaps_of(rebuilt):
        raise _refuse(number, f"{where}: the sign-off does not acknowledge the unanswered items")


def import_jsonl(engine: Engine, lines: Iterator[str], criteria: Mapping[str, CriteriaSet]) -> int:
    """Restore an export into an empty database, all or nothing; refuses a database holding cases."""
    snapshots, case_lines = _parse(lines)
    for number, line in case_lines:
        _check_line(number, line, criteria)
    with engine.begin() as conn:
        if conn.execute(select(func.count()).select_from(cases)).scalar():
            raise StoreError("the database already holds cases; import only into an empty database")
        for number, snap in snapshots:
            _insert(conn, number, criteria_snapshots, [snap.criteria_snapshot.model_dump()])
        line_of: dict[int, int] = {}
        for number, line in case_lines:
            if line.case.id in line_of:
                raise _refuse(number, f"case {line.case.id} is also on line {line_of[line.case.id]}")
            line_of[line.case.id] = number
            _insert(conn, number, cases, [line.case.model_dump()])
            _insert(conn, number, revisions, [r.model_dump() for r in line.revisions])
            _insert(conn, number, audit, [a.model_dump() for a in line.audit])
            if line.screening_worksheets:
                _insert(conn, number, screening_worksheets, [w.model_dump() for w in line.screening_worksheets])
        report = verify_connection(conn)
        if report.breaks:
            first = report.breaks[0]
            raise _refuse(line_of[first.case_id], first.describe())
        if conn.dialect.name == "postgresql":
            for table in (cases, revisions, audit, screening_worksheets):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 (fixed names)
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                )
    return len(case_lines)


def _insert(conn: Connection, number: int, table: Any, rows: list[dict[str, Any]]) -> None:
    try:
        conn.execute(insert(table), rows)
    except IntegrityError as exc:
        reason = str(exc.orig).splitlines()[0] if exc.orig else "conflicts with data already read"
        raise _refuse(number, f"{table.name}: {reason}") from None
