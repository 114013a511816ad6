"""Reading cases: listings, one revision in detail, the audit trail. Reads never change anything.

A reviewed revision is re-checked every time it is read (:func:`check_frozen`): its record must
still hash to the value it was signed with, and its answers must be the record's. A mismatch raises
:class:`TamperError`, which the app and the command line show as such.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, String, and_, bindparam, func, select, type_coerce
from sqlalchemy.engine import Connection

from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.record import Record, parse_record
from candidacy.reports.signoff import Decision
from candidacy.store.errors import StoreError, TamperError
from candidacy.store.rows import AuditEntry, CaseDetail, CaseRow, audit_entry, case_row, utc
from candidacy.store.state import check_seal
from candidacy.store.tables import MAX_ID, audit, cases, revisions

__all__ = ["audit_trail", "case_row_of", "check_frozen", "detail", "list_cases", "lock_of", "revision_numbers"]


def list_cases(
    conn: Connection,
    meeting_date: dt.date | None = None,
    status: str | None = None,
    search: str = "",
    include_archived: bool = False,
    limit: int | None = None,
) -> list[CaseRow]:
    query = _case_query().order_by(cases.c.meeting_date.desc(), cases.c.id.desc())
    if meeting_date is not None:
        query = query.where(cases.c.meeting_date == meeting_date)
    if status:
        query = query.where(cases.c.status == status)
    if search:
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(func.lower(cases.c.label).like(pattern.lower(), escape="\\"))
    if not include_archived:
        query = query.where(cases.c.archived.is_(False))
    if limit:
        query = query.limit(limit)
    return [case_row(r) for r in conn.execute(query).mappings()]


def _case_query() -> Select[Any]:
    """The case rows with the meeting date as stored (text on SQLite), so that a date changed outside
    the application into something impossible is reported, not raised while reading the list."""
    columns = [c for c in cases.c if c.name != "meeting_date"]
    return select(*columns, type_coerce(cases.c.meeting_date, String).label("meeting_date"))


# Built once: building a statement costs several times executing it (a page rerun reads a case).
_CASE = _case_query().where(cases.c.id == bindparam("case_id"))
_REVISION = select(revisions).where(
    and_(revisions.c.case_id == bindparam("case_id"), revisions.c.number == bindparam("number"))
)


_LOCK = select(cases.c.lock_version).where(cases.c.id == bindparam("case_id"))


def lock_of(conn: Connection, case_id: int) -> int | None:
    """The case's lock version alone (None when there is no such case): whether a revision read earlier
    is still the current one, without reading it again."""
    found = conn.execute(_LOCK, {"case_id": case_id}).scalar()
    return None if found is None else int(found)


def case_row_of(conn: Connection, case_id: int) -> CaseRow:
    """The case row alone (after a write, whose revision the writer already holds)."""
    case = conn.execute(_CASE, {"case_id": case_id}).mappings().first()
    if case is None:
        raise StoreError(f"case {case_id} does not exist")
    return case_row(case)


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def check_frozen(case_id: int, number: int, record_text: str | None, content_hash: str, answers_json: str) -> Record:
    """The frozen record of a reviewed revision, after checking it against its hash and its answers."""
    where = f"case {case_id} revision {number}"
    if not record_text:
        raise TamperError(f"{where}: reviewed, but its frozen record is missing")
    digest = hashlib.sha256(record_text.encode("utf-8")).hexdigest()
    if digest != content_hash:
        raise TamperError(
            f"{where}: the signed record does not match its hash (signed {content_hash[:16]}..., now "
            f"{digest[:16]}...): it was changed after sign-off"
        )
    try:
        record = parse_record(record_text)
        answers = AnswerSet.model_validate_json(answers_json)
    except ValidationError as exc:
        raise TamperError(f"{where}: the frozen record cannot be read ({exc.error_count()} problem(s))") from None
    if record.answers != answers.answers or record.case != answers.case:
        raise TamperError(
            f"{where}: the stored answers differ from the signed record: they were changed after sign-off"
        )
    if record.sign_off is not None and record.sign_off.revision != number:
        raise TamperError(f"{where}: the signed record belongs to revision {record.sign_off.revision}")
    return record


def detail(
    conn: Connection, case_id: int, number: int | None = None, sealed: bool = True, trusted_lock: int | None = None
) -> CaseDetail:
    """One revision with its case row; refused as TAMPERED when the case's content is not what its last
    audit row sealed (``sealed=False`` only while a case is being created, before its first row).

    ``trusted_lock``: the lock version at which the caller has already checked the seal (on opening the
    case, or by writing it: every write checks the seal first and seals what it wrote). A read at that
    version skips hashing the whole case again, so that a page rerun does not; a signed record is still
    checked against its hash, and a change made outside the application under an unchanged lock version
    is named at the next write or opening, which always check."""
    if not 1 <= case_id <= MAX_ID:
        raise StoreError(f"case {case_id} does not exist (case numbers run from 1 to {MAX_ID})")
    case = conn.execute(_CASE, {"case_id": case_id}).mappings().first()
    if case is None:
        raise StoreError(f"case {case_id} does not exist")
    if isinstance(case["meeting_date"], str) and _date(case["meeting_date"]) is None:
        raise TamperError(f"case {case_id}: its meeting date '{case['meeting_date'][:40]}' is not a date")
    wanted = number or case["revision"]
    rev = conn.execute(_REVISION, {"case_id": case_id, "number": wanted}).mappings().first()
    if rev is None:
        raise TamperError(f"case {case_id}: its revision {wanted} does not exist")
    try:
        found = _detail(case_row(case), rev)  # the specific checks of a signed record first
    except ValidationError as exc:
        raise TamperError(
            f"case {case_id} revision {wanted}: its answers cannot be read ({exc.error_count()} problem(s))"
        ) from None
    wrong = check_seal(conn, case_id) if sealed and case["lock_version"] != trusted_lock else None
    if wrong is not None:
        raise TamperError(f"case {case_id}: {wrong}")
    return found


def _detail(row: CaseRow, rev: Any) -> CaseDetail:
    record = None
    if rev["content_hash"] is not None:
        record = check_frozen(row.id, rev["number"], rev["record"], rev["content_hash"], rev["answers"])
        answers = AnswerSet.model_validate_json(rev["answers"])
        decision = record.decision
    else:
        answers = AnswerSet.model_validate_json(rev["answers"])
        decision = Decision.model_validate_json(rev["decision"]) if rev["decision"] else None
    return CaseDetail(
        row=row,
        number=rev["number"],
        status=rev["status"],
        answers=answers,
        criteria_version=rev["criteria_version"],
        criteria_sha256=rev["criteria_sha256"],
        content_hash=rev["content_hash"],
        reviewed_by=rev["reviewed_by"],
        reviewed_role=rev["reviewed_role"],
        reviewed_at=utc(rev["reviewed_at"]),
        review_comment=rev["review_comment"],
        reason=rev["reason"],
        decision=decision,
        record=record,
    )


def revision_numbers(conn: Connection, case_id: int) -> list[int]:
    query = select(revisions.c.number).where(revisions.c.case_id == case_id).order_by(revisions.c.number)
    return list(conn.execute(query).scalars())


def audit_trail(conn: Connection, case_id: int, latest: int | None = None) -> list[AuditEntry]:
    """The case's audit trail in order; only the ``latest`` entries when asked (for a quick screen)."""
    query = select(audit).where(audit.c.case_id == case_id)
    if latest is not None:
        rows = conn.execute(query.order_by(audit.c.id.desc()).limit(latest)).mappings()
        return [audit_entry(r) for r in reversed(list(rows))]
    return [audit_entry(r) for r in conn.execute(query.order_by(audit.c.id)).mappings()]
