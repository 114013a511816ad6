"""The case repository: create, list, autosave, review, revise, duplicate, archive, audit, export.

Every change runs in one transaction that (1) bumps the case's ``lock_version`` only if it still has
the version the caller last saw (optimistic locking: a second writer gets a ConflictError naming the
other change), (2) writes the revision, and (3) appends to the audit table, which is never updated
or deleted. A reviewed revision is frozen with the hash of its record; a later change needs a new
revision and a reason, and the reviewed one stays readable and reproducible byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import Engine, and_, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection

from candidacy.criteria.diff import CriteriaDiff, diff_criteria
from candidacy.criteria.models import CriteriaSet
from candidacy.errors import CandidacyError, Problem
from candidacy.reasoning.answers import Answer, AnswerSet, CaseHeader, GivenValue, check_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports.record import Record, build_record, parse_record
from candidacy.store.migrate import migrate
from candidacy.store.tables import audit, cases, criteria_snapshots, revisions

__all__ = ["AuditEntry", "CaseDetail", "CaseRow", "CaseStore", "ConflictError", "FrozenError", "StoreError"]

STATUSES = ("draft", "ready", "reviewed")


class StoreError(CandidacyError):
    """A stored case could not be read or changed as asked."""


class ConflictError(StoreError):
    """Someone else saved the case since this session last read it; nothing was overwritten."""


class FrozenError(StoreError):
    """The current revision was reviewed; a change needs a new revision with a reason."""


@dataclass(frozen=True)
class CaseRow:
    id: int
    label: str
    meeting_date: dt.date | None
    criteria_id: str
    status: str
    archived: bool
    revision: int
    lock_version: int
    contraindications: int
    against: int
    missing: int
    next_step: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class CaseDetail:
    """One revision of a case (the current one unless asked otherwise), with the case row."""

    row: CaseRow
    number: int
    status: str
    answers: AnswerSet
    criteria_version: str
    criteria_sha256: str
    content_hash: str | None
    reviewed_by: str | None
    reviewed_role: str | None
    reviewed_at: dt.datetime | None
    review_comment: str | None
    reason: str


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    revision: int
    item: str | None
    old: str | None
    new: str | None

    def describe(self) -> str:
        what = f" {self.item}" if self.item else ""
        change = f": {self.old!s} -> {self.new!s}" if (self.old or self.new) else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}{what} (revision {self.revision}){change}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged autosave survives a crash
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _value_text(value: GivenValue) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class CaseStore:
    """The one place that reads and writes cases. ``criteria`` maps set ids to the loaded sets."""

    def __init__(self, url: str, criteria: Mapping[str, CriteriaSet]) -> None:
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.criteria = criteria
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- reading ---------------------------------------------------------------------------------
    def list_cases(
        self,
        meeting_date: dt.date | None = None,
        status: str | None = None,
        search: str = "",
        include_archived: bool = False,
        limit: int | None = None,
    ) -> list[CaseRow]:
        query = select(cases).order_by(cases.c.meeting_date.desc(), cases.c.id.desc())
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
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query).mappings()]

    def get(self, case_id: int) -> CaseDetail:
        with self.engine.connect() as conn:
            return self._detail(conn, case_id)

    def _detail(self, conn: Connection, case_id: int, number: int | None = None) -> CaseDetail:
        case = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
        if case is None:
            raise StoreError(f"case {case_id} does not exist")
        rev = (
            conn.execute(
                select(revisions).where(
                    and_(revisions.c.case_id == case_id, revisions.c.number == (number or case["revision"]))
                )
            )
            .mappings()
            .first()
        )
        if rev is None:
            raise StoreError(f"case {case_id} has no revision {number}")
        return CaseDetail(
            row=_row(case),
            number=rev["number"],
            status=rev["status"],
            answers=AnswerSet.model_validate_json(rev["answers"]),
            criteria_version=rev["criteria_version"],
            criteria_sha256=rev["criteria_sha256"],
            content_hash=rev["content_hash"],
            reviewed_by=rev["reviewed_by"],
            reviewed_role=rev["reviewed_role"],
            reviewed_at=_utc(rev["reviewed_at"]),
            review_comment=rev["review_comment"],
            reason=rev["reason"],
        )

    def revisions(self, case_id: int) -> list[CaseDetail]:
        with self.engine.connect() as conn:
            numbers = conn.execute(
                select(revisions.c.number).where(revisions.c.case_id == case_id).order_by(revisions.c.number)
            ).scalars()
            return [self._detail(conn, case_id, n) for n in list(numbers)]

    def audit_trail(self, case_id: int) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit).where(audit.c.case_id == case_id).order_by(audit.c.id)).mappings()
            return [_audit_entry(r) for r in rows]

    def record(self, case_id: int, number: int | None = None) -> Record:
        """The record of a revision: the frozen one if it was reviewed, else built from its answers."""
        with self.engine.connect() as conn:
            detail = self._detail(conn, case_id, number)
            frozen = conn.execute(
                select(revisions.c.record).where(
                    and_(revisions.c.case_id == case_id, revisions.c.number == (number or detail.row.revision))
                )
            ).scalar()
        if frozen:
            return parse_record(frozen)
        return build_record(self._cset(detail.row.criteria_id), detail.answers)

    def drift(self, case_id: int) -> CriteriaDiff | None:
        """How the criteria changed since the current revision was assessed (None when unchanged)."""
        detail = self.get(case_id)
        current = self._cset(detail.row.criteria_id)
        if current.sha256 == detail.criteria_sha256:
            return None
        with self.engine.connect() as conn:
            content = conn.execute(
                select(criteria_snapshots.c.content).where(criteria_snapshots.c.sha256 == detail.criteria_sha256)
            ).scalar()
        if content is None:
            return CriteriaDiff(detail.criteria_version, current.version, other=["earlier criteria not stored"])
        return diff_criteria(CriteriaSet.model_validate(json.loads(content)), current)

    # -- changing --------------------------------------------------------------------------------
    def create_case(
        self, criteria_id: str, label: str, meeting_date: dt.date | None = None, actor: str = "unknown"
    ) -> int:
        cset = self._cset(criteria_id)
        now = _now()
        answers = AnswerSet(
            criteria=cset.id, version=cset.version, case=CaseHeader(label=label, meeting_date=meeting_date)
        )
        with self.engine.begin() as conn:
            self._snapshot(conn, cset)
            inserted = conn.execute(
                insert(cases).values(
                    label=label,
                    meeting_date=meeting_date,
                    criteria_id=cset.id,
                    status="draft",
                    archived=False,
                    lock_version=1,
                    revision=1,
                    created_at=now,
                    updated_at=now,
                    **self._summary(cset, answers),
                )
            ).inserted_primary_key
            assert inserted is not None
            case_id = int(inserted[0])
            self._new_revision(conn, case_id, 1, cset, answers, "", now)
            self._audit(conn, case_id, 1, actor, "create", None, None, label, now)
        return int(case_id)

    def save_answer(self, case_id: int, lock_version: int, crit_id: str, value: GivenValue, actor: str) -> int:
        """Autosave one answer; returns the new lock version."""

        def change(answers: AnswerSet) -> tuple[str, str | None, str | None]:
            before = answers.answers.get(crit_id, Answer())
            answers.answers[crit_id] = Answer(value=value, note=before.note)
            if value is None and not before.note:
                del answers.answers[crit_id]
            return "answer", _value_text(before.value), _value_text(value)

        return self._change(case_id, lock_version, actor, change, item=crit_id)

    def save_note(self, case_id: int, lock_version: int, crit_id: str, note: str, actor: str) -> int:
        def change(answers: AnswerSet) -> tuple[str, str | None, str | None]:
            before = answers.answers.get(crit_id, Answer())
            answers.answers[crit_id] = Answer(value=before.value, note=note)
            if before.value is None and not note:
                del answers.answers[crit_id]
            return "note", before.note or None, note or None

        return self._change(case_id, lock_version, actor, change, item=crit_id)

    def save_header(self, case_id: int, lock_version: int, field_name: str, value: Any, actor: str) -> int:
        if field_name not in CaseHeader.model_fields:
            raise StoreError(f"unknown case header field '{field_name}'")

        def change(answers: AnswerSet) -> tuple[str, str | None, str | None]:
            before = getattr(answers.case, field_name)
            answers.case = CaseHeader.model_validate({**answers.case.model_dump(), field_name: value})
            return "header", None if before is None else str(before), None if value is None else str(value)

        return self._change(case_id, lock_version, actor, change, item=field_name)

    def save_all(self, case_id: int, lock_version: int, answers: AnswerSet, actor: str, reason: str) -> int:
        """Replace every answer and the header at once (saving a draft, loading a file); audited."""

        def change(current: AnswerSet) -> tuple[str, str | None, str | None]:
            before = len(current.answers)
            current.answers = dict(answers.answers)
            current.case = answers.case.model_copy()
            return "load", f"{before} answers", f"{len(answers.answers)} answers ({reason})"

        return self._change(case_id, lock_version, actor, change, item=None)

    def mark_ready(self, case_id: int, lock_version: int, actor: str) -> int:
        return self._set_status(case_id, lock_version, "ready", actor)

    def review(self, case_id: int, lock_version: int, name: str, role: str, comment: str = "") -> str:
        """Sign off the current revision: freeze it with the hash of its record. Returns the hash."""
        if not name.strip() or not role.strip():
            raise StoreError("a review needs the reviewer's name and role")
        now = _now()
        with self.engine.begin() as conn:
            detail = self._detail(conn, case_id)
            if detail.content_hash:
                raise FrozenError(f"revision {detail.row.revision} of case {case_id} is already reviewed")
            if detail.row.status != "ready":
                raise StoreError(
                    f"case {case_id} is a {detail.row.status}; mark it ready for review before signing off"
                )
            record = build_record(self._cset(detail.row.criteria_id), detail.answers)
            text = record.to_json()
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            self._bump(conn, case_id, lock_version, {"status": "reviewed"}, now)
            conn.execute(
                update(revisions)
                .where(and_(revisions.c.case_id == case_id, revisions.c.number == detail.row.revision))
                .values(
                    status="reviewed",
                    content_hash=digest,
                    record=text,
                    reviewed_by=name,
                    reviewed_role=role,
                    reviewed_at=now,
                    review_comment=comment,
                )
            )
            self._audit(conn, case_id, detail.row.revision, name, "review", None, detail.row.status, digest, now)
        return digest

    def revise(self, case_id: int, lock_version: int, reason: str, actor: str) -> int:
        """Start a new revision (after review) with a required reason; returns the new lock version."""
        if not reason.strip():
            raise StoreError("a new revision needs a reason")
        now = _now()
        with self.engine.begin() as conn:
            detail = self._detail(conn, case_id)
            cset = self._cset(detail.row.criteria_id)
            self._snapshot(conn, cset)
            number = detail.row.revision + 1
            answers = detail.answers.model_copy(update={"version": cset.version}, deep=True)
            new_lock = self._bump(conn, case_id, lock_version, {"status": "draft", "revision": number}, now)
            self._new_revision(conn, case_id, number, cset, answers, reason, now)
            self._audit(conn, case_id, number, actor, "revise", None, str(detail.row.revision), reason, now)
        return new_lock

    def duplicate(self, case_id: int, actor: str, label: str | None = None) -> int:
        source = self.get(case_id)
        new_id = self.create_case(
            source.row.criteria_id, label or f"{source.row.label} (copy)", source.row.meeting_date, actor
        )
        detail = self.get(new_id)
        lock = detail.row.lock_version
        with self.engine.begin() as conn:
            answers = source.answers.model_copy(deep=True)
            answers.case = answers.case.model_copy(update={"label": detail.row.label})
            lock = self._write_answers(conn, new_id, lock, answers, _now())
            self._audit(conn, new_id, 1, actor, "duplicate", None, None, f"copied from case {case_id}", _now())
        return new_id

    def archive(self, case_id: int, lock_version: int, actor: str) -> int:
        now = _now()
        with self.engine.begin() as conn:
            detail = self._detail(conn, case_id)
            new_lock = self._bump(conn, case_id, lock_version, {"archived": True}, now)
            self._audit(conn, case_id, detail.row.revision, actor, "archive", None, None, None, now)
        return new_lock

    # -- export / import -------------------------------------------------------------------------
    def export_jsonl(self, out: IO[str]) -> int:
        """Every case with its revisions and audit trail, one JSON object per line. Returns the count."""
        count = 0
        with self.engine.connect() as conn:
            for case in conn.execute(select(cases).order_by(cases.c.id)).mappings():
                revs = conn.execute(
                    select(revisions).where(revisions.c.case_id == case["id"]).order_by(revisions.c.number)
                ).mappings()
                trail = conn.execute(select(audit).where(audit.c.case_id == case["id"]).order_by(audit.c.id)).mappings()
                doc = {
                    "case": _jsonable(case),
                    "revisions": [_jsonable(r) for r in revs],
                    "audit": [_jsonable(a) for a in trail],
                }
                out.write(json.dumps(doc, ensure_ascii=False, sort_keys=True) + "\n")
                count += 1
            for snap in conn.execute(select(criteria_snapshots)).mappings():
                out.write(json.dumps({"criteria_snapshot": dict(snap)}, ensure_ascii=False, sort_keys=True) + "\n")
        return count

    def import_jsonl(self, lines: Iterator[str]) -> int:
        """Restore an export into an empty database; refuses a database that already holds cases."""
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).select_from(cases)).scalar():
                raise StoreError("the database already holds cases; import only into an empty database")
            count = 0
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise StoreError(Problem(f"line {number}: not JSON ({exc.msg})")) from None
                if "criteria_snapshot" in doc:
                    conn.execute(insert(criteria_snapshots).values(**doc["criteria_snapshot"]))
                    continue
                conn.execute(insert(cases).values(**_from_json(doc["case"], cases)))
                for rev in doc["revisions"]:
                    conn.execute(insert(revisions).values(**_from_json(rev, revisions)))
                for entry in doc["audit"]:
                    conn.execute(insert(audit).values(**_from_json(entry, audit)))
                count += 1
            if conn.dialect.name == "postgresql":
                for table in (cases, revisions, audit):
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608 (fixed names)
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"
                    )
        return count

    # -- internals -------------------------------------------------------------------------------
    def _cset(self, criteria_id: str) -> CriteriaSet:
        cset = self.criteria.get(criteria_id)
        if cset is None:
            raise StoreError(f"criteria set '{criteria_id}' is not loaded")
        return cset

    def _summary(self, cset: CriteriaSet, answers: AnswerSet) -> dict[str, Any]:
        result = evaluate(cset, check_answers(cset, answers))
        return {
            "contraindications": len(result.by_kind("contraindication")),
            "against": len(result.by_kind("unfavourable")),
            "missing": len(result.missing),
            "next_step": result.next_steps[0].step if result.next_steps else "",
        }

    def _snapshot(self, conn: Connection, cset: CriteriaSet) -> None:
        exists = conn.execute(
            select(criteria_snapshots.c.sha256).where(criteria_snapshots.c.sha256 == cset.sha256)
        ).first()
        if exists is None:
            conn.execute(
                insert(criteria_snapshots).values(
                    sha256=cset.sha256,
                    criteria_id=cset.id,
                    version=cset.version,
                    content=json.dumps(cset.model_dump(mode="json", by_alias=True), ensure_ascii=False),
                )
            )

    def _new_revision(
        self,
        conn: Connection,
        case_id: int,
        number: int,
        cset: CriteriaSet,
        answers: AnswerSet,
        reason: str,
        now: dt.datetime,
    ) -> None:
        conn.execute(
            insert(revisions).values(
                case_id=case_id,
                number=number,
                criteria_id=cset.id,
                criteria_version=cset.version,
                criteria_sha256=cset.sha256,
                answers=answers.model_dump_json(),
                status="draft",
                reason=reason,
                created_at=now,
            )
        )

    def _bump(self, conn: Connection, case_id: int, lock_version: int, values: dict[str, Any], now: dt.datetime) -> int:
        done = conn.execute(
            update(cases)
            .where(and_(cases.c.id == case_id, cases.c.lock_version == lock_version))
            .values(lock_version=lock_version + 1, updated_at=now, **values)
        )
        if done.rowcount != 1:
            raise self._conflict(conn, case_id, lock_version)
        return lock_version + 1

    def _conflict(self, conn: Connection, case_id: int, lock_version: int) -> StoreError:
        case = conn.execute(select(cases.c.lock_version).where(cases.c.id == case_id)).first()
        if case is None:
            return StoreError(f"case {case_id} does not exist")
        last = (
            conn.execute(select(audit).where(audit.c.case_id == case_id).order_by(audit.c.id.desc()).limit(1))
            .mappings()
            .first()
        )
        other = _audit_entry(last) if last else None
        return ConflictError(
            f"case {case_id} was changed by someone else since you opened it (your version {lock_version}, now "
            f"{case[0]}); your change was not saved. Latest change: {other.describe() if other else 'unknown'}. "
            "Reload the case, check it, and make your change again."
        )

    def _write_answers(
        self, conn: Connection, case_id: int, lock_version: int, answers: AnswerSet, now: dt.datetime
    ) -> int:
        case = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().one()
        cset = self._cset(case["criteria_id"])
        check_answers(cset, answers)
        new_lock = self._bump(conn, case_id, lock_version, self._summary(cset, answers), now)
        conn.execute(
            update(revisions)
            .where(and_(revisions.c.case_id == case_id, revisions.c.number == case["revision"]))
            .values(answers=answers.model_dump_json())
        )
        if case["status"] == "ready":
            conn.execute(update(cases).where(cases.c.id == case_id).values(status="draft"))
        return new_lock

    def _change(self, case_id: int, lock_version: int, actor: str, change: Any, item: str | None) -> int:
        now = _now()
        with self.engine.begin() as conn:
            detail = self._detail(conn, case_id)
            if detail.content_hash:
                raise FrozenError(
                    f"revision {detail.row.revision} of case {case_id} was reviewed and is frozen; "
                    "start a new revision, with a reason, to change it"
                )
            if detail.row.lock_version != lock_version:
                raise self._conflict(conn, case_id, lock_version)
            answers = detail.answers.model_copy(deep=True)
            action, old, new = change(answers)
            new_lock = self._write_answers(conn, case_id, lock_version, answers, now)
            if action in ("header", "load"):
                conn.execute(
                    update(cases)
                    .where(cases.c.id == case_id)
                    .values(label=answers.case.label or detail.row.label, meeting_date=answers.case.meeting_date)
                )
            self._audit(conn, case_id, detail.row.revision, actor, action, item, old, new, now)
        return new_lock

    def _set_status(self, case_id: int, lock_version: int, status: str, actor: str) -> int:
        now = _now()
        with self.engine.begin() as conn:
            detail = self._detail(conn, case_id)
            if detail.content_hash:
                raise FrozenError(f"revision {detail.row.revision} of case {case_id} is reviewed")
            new_lock = self._bump(conn, case_id, lock_version, {"status": status}, now)
            self._audit(conn, case_id, detail.row.revision, actor, "status", None, detail.row.status, status, now)
        return new_lock

    def _audit(
        self,
        conn: Connection,
        case_id: int,
        revision: int,
        actor: str,
        action: str,
        item: str | None,
        old: str | None,
        new: str | None,
        now: dt.datetime,
    ) -> None:
        conn.execute(
            insert(audit).values(
                case_id=case_id,
                revision=revision,
                at=now,
                actor=actor or "unknown",
                action=action,
                item=item,
                old=old,
                new=new,
            )
        )


def _audit_entry(r: Any) -> AuditEntry:
    return AuditEntry(_utc(r["at"]), r["actor"], r["action"], r["revision"], r["item"], r["old"], r["new"])


def _row(r: Any) -> CaseRow:
    return CaseRow(
        id=r["id"],
        label=r["label"],
        meeting_date=r["meeting_date"],
        criteria_id=r["criteria_id"],
        status=r["status"],
        archived=bool(r["archived"]),
        revision=r["revision"],
        lock_version=r["lock_version"],
        contraindications=r["contraindications"],
        against=r["against"],
        missing=r["missing"],
        next_step=r["next_step"],
        updated_at=_utc(r["updated_at"]),
    )


def _utc(value: Any) -> Any:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def _jsonable(row: Any) -> dict[str, Any]:
    return {k: (_utc(v).isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in dict(row).items()}


def _from_json(doc: dict[str, Any], table: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.name not in doc:
            continue
        value = doc[column.name]
        if value is not None and column.type.python_type is dt.datetime:
            value = dt.datetime.fromisoformat(value)
        elif value is not None and column.type.python_type is dt.date:
            value = dt.date.fromisoformat(value)
        out[column.name] = value
    return out
