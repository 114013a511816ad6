"""Screening worksheets in the store: saved as typed, audited in the case's hash chain, frozen on confirm.

A worksheet belongs to a case. Every change to it (a value, a dose, the whole worksheet, confirming
and reopening the outcome) is data applied by :func:`candidacy.case.apply_change` to the worksheet as
stored, in one transaction; the store keeps the lock, the write-back and the audit: one chained audit
row per changed field (``action`` = ``screening``, ``item`` = ``wsN:path``), so the case's trail shows
every measurement as typed, by whom and when. The case's ``audit_head`` is moved compare-and-set, so
two writers cannot fork the chain. Confirming the outcome freezes the worksheet with the hash of its
content (checked on every read) and writes the case's answers it gives, with the worksheet named as
evidence, through :class:`CaseStore`'s own write path, in the same transaction as the freeze.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from candidacy import clock
from candidacy.case import Applied, CaseContent, Context, apply_change
from candidacy.case.worksheet_changes import ConfirmOutcome, ReopenWorksheet, ReplaceWorksheet, WorksheetChange
from candidacy.identity import Identity
from candidacy.screening.checks import check_worksheet
from candidacy.screening.protocol import Protocol
from candidacy.screening.ward import new_worksheet
from candidacy.screening.worksheet import Worksheet
from candidacy.store import chain, queries
from candidacy.store.commit import checked
from candidacy.store.connection import valid_input
from candidacy.store.errors import ConflictError, StoreError, TamperError
from candidacy.store.repository import CaseStore, may_edit
from candidacy.store.rows import CaseDetail
from candidacy.store.state import case_state
from candidacy.store.tables import cases, screening_worksheets

__all__ = ["ScreeningStore", "StoredWorksheet"]

ACTION = "screening"


@dataclass(frozen=True)
class StoredWorksheet:
    id: int
    case_id: int
    lock_version: int
    status: str  # "open" or "confirmed"
    worksheet: Worksheet
    content_hash: str | None
    protocol_sha256: str


def _text(ws: Worksheet) -> str:
    return ws.model_dump_json()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ScreeningStore:
    """Worksheets of the cases in ``cases``; ``protocols`` maps protocol ids to the loaded protocols."""

    def __init__(self, cases_store: CaseStore, protocols: Mapping[str, Protocol]) -> None:
        self.cases = cases_store
        self.engine = cases_store.engine
        self.protocols = protocols

    def protocol(self, protocol_id: str) -> Protocol:
        found = self.protocols.get(protocol_id)
        if found is None:
            raise StoreError(f"screening protocol '{protocol_id}' is not loaded")
        return found

    # -- reading ---------------------------------------------------------------------------------
    def worksheets(self, case_id: int) -> list[StoredWorksheet]:
        with self.engine.connect() as conn:
            ids = conn.execute(
                select(screening_worksheets.c.id)
                .where(screening_worksheets.c.case_id == case_id)
                .order_by(screening_worksheets.c.id)
            ).scalars()
            return [self._get(conn, i) for i in list(ids)]

    def get(self, worksheet_id: int) -> StoredWorksheet:
        with self.engine.connect() as conn:
            return self._get(conn, worksheet_id)

    def _get(self, conn: Connection, worksheet_id: int) -> StoredWorksheet:
        row = (
            conn.execute(select(screening_worksheets).where(screening_worksheets.c.id == worksheet_id))
            .mappings()
            .first()
        )
        if row is None:
            raise StoreError(f"screening worksheet {worksheet_id} does not exist")
        if row["content_hash"] and _digest(row["content"]) != row["content_hash"]:
            raise TamperError(
                f"screening worksheet {worksheet_id} was confirmed, but its content no longer matches its hash: "
                "it was changed outside the application"
            )
        return StoredWorksheet(
            id=row["id"],
            case_id=row["case_id"],
            lock_version=row["lock_version"],
            status=row["status"],
            worksheet=Worksheet.model_validate_json(row["content"]),
            content_hash=row["content_hash"],
            protocol_sha256=row["protocol_sha256"],
        )

    # -- changing --------------------------------------------------------------------------------
    def create(self, case_id: int, protocol_id: str, actor: Identity) -> int:
        """A new, empty worksheet for the case (not a change of existing content, so inserted directly),
        its creation audited in the case's chain."""
        protocol = self.protocol(protocol_id)
        detail = self.cases.get(case_id)
        ws = new_worksheet(protocol, detail.row.label, case_id)
        now = clock.now()
        with self.engine.begin() as conn:
            inserted = conn.execute(
                insert(screening_worksheets).values(
                    case_id=case_id,
                    protocol_id=protocol.id,
                    protocol_version=protocol.version,
                    protocol_sha256=protocol.sha256,
                    content=_text(ws),
                    status="open",
                    lock_version=1,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key
            assert inserted is not None
            worksheet_id = int(inserted[0])
            self._audit(conn, case_id, actor, [(f"worksheet {worksheet_id}", None, f"created ({protocol.id})")], now)
        return worksheet_id

    def save(self, worksheet_id: int, lock_version: int, ws: Worksheet, actor: Identity) -> int:
        """Store the whole worksheet as typed (a file, the command line), at the lock version the caller saw;
        one audit row per changed field. Returns the new lock version."""
        return self.apply(worksheet_id, ReplaceWorksheet(worksheet_id, ws), actor, lock_version)

    def apply(
        self, worksheet_id: int, change: WorksheetChange, actor: Identity, lock_version: int | None = None
    ) -> int:
        """Apply one ward change to the worksheet as stored, in one transaction, through
        :func:`candidacy.case.apply_change`: one audit row per field it moved, in the case's chain. A change
        carries what the person saw where it matters (a value's ``seen``: one stored by someone else meanwhile
        is refused, never overwritten), so it needs no lock version; ``lock_version`` asks for one (a whole
        worksheet, reopening). Returns the new lock version (the same when nothing changed: nothing is
        written)."""
        if change.worksheet != worksheet_id:
            raise StoreError(f"the change names worksheet {change.worksheet}, not {worksheet_id}")
        with valid_input(), self.engine.begin() as conn:
            stored = (
                self._get(conn, worksheet_id)
                if lock_version is None
                else self._checked(conn, worksheet_id, lock_version)
            )
            detail = queries.detail(conn, stored.case_id, sealed=False)  # sealed again by the audit row below
            applied = apply_change(self._content(detail, stored), change, self._context(detail, actor))
            if applied.earlier:  # confirming answers the case's items: at the case's version the caller saw
                raise StoreError(f"a change that also changes case {stored.case_id} needs its lock version")
            return self._write(conn, stored, applied, actor) if applied.lines else stored.lock_version

    def confirm(
        self, worksheet_id: int, lock_version: int, outcome: str, comment: str, actor: Identity, case_lock: int
    ) -> tuple[int, int]:
        """Confirm the outcome (:class:`~candidacy.case.worksheet_changes.ConfirmOutcome`): the case's
        answers it gives (the result with the worksheet as evidence, the definition, the reaction, what a
        tolerated dose settles), each audited as typed, and the frozen worksheet commit in one transaction,
        all or nothing, at the worksheet's and the case's lock versions the caller saw. A reviewed (frozen)
        case refuses, and nothing is confirmed.

        Returns the worksheet's and the case's new lock versions."""
        may_edit(actor)  # confirming answers the case's items
        with valid_input(), self.engine.begin() as conn:
            stored = self._checked(conn, worksheet_id, lock_version)
            detail = checked(conn, self.cases.criteria, stored.case_id, case_lock)
            change = ConfirmOutcome(worksheet_id, outcome, comment)
            applied = apply_change(self._content(detail, stored), change, self._context(detail, actor))
            for step in applied.earlier:
                case_lock = self.cases.write_in(conn, stored.case_id, case_lock, actor, step)
            return self._write(conn, stored, applied, actor), case_lock

    def reopen(self, worksheet_id: int, lock_version: int, reason: str, actor: Identity) -> int:
        """Reopen a confirmed worksheet, with a reason (kept among the plan's amendments)."""
        return self.apply(worksheet_id, ReopenWorksheet(worksheet_id, reason), actor, lock_version)

    # -- internals -------------------------------------------------------------------------------
    def _content(self, detail: CaseDetail, stored: StoredWorksheet) -> CaseContent:
        """The case's content as a worksheet change reads it: its answers, status and this worksheet."""
        return CaseContent(
            detail.answers,
            status=detail.row.status,  # type: ignore[arg-type]  # the workflow refuses an unknown status
            worksheets={stored.id: stored.worksheet},
            case_id=stored.case_id,
            revision=detail.number,
        )

    def _context(self, detail: CaseDetail, actor: Identity) -> Context:
        now = clock.now().replace(microsecond=0)  # a worksheet's times are kept to the second, as the ward reads them
        return Context(self.cases.criteria.get(detail.row.criteria_id), actor, now, self.protocols)

    def _checked(self, conn: Connection, worksheet_id: int, lock_version: int) -> StoredWorksheet:
        stored = self._get(conn, worksheet_id)
        if stored.lock_version != lock_version:
            raise ConflictError(
                f"screening worksheet {worksheet_id} was changed by someone else since you opened it (your version "
                f"{lock_version}, now {stored.lock_version}); your change was not saved. Reload it and try again."
            )
        return stored

    def _write(self, conn: Connection, stored: StoredWorksheet, applied: Applied, actor: Identity) -> int:
        """The worksheet as the change left it, written at the lock version read, frozen with its hash once
        confirmed; the change's audit lines appended to the case's chain."""
        ws = applied.content.worksheet(stored.id)
        check_worksheet(self.protocol(ws.protocol), ws)
        status = "confirmed" if ws.confirmation is not None else "open"
        now = clock.now()
        text = _text(ws)
        done = conn.execute(
            update(screening_worksheets)
            .where(
                and_(
                    screening_worksheets.c.id == stored.id,
                    screening_worksheets.c.lock_version == stored.lock_version,
                )
            )
            .values(
                content=text,
                status=status,
                lock_version=stored.lock_version + 1,
                content_hash=_digest(text) if status == "confirmed" else None,
                updated_at=now,
            )
        )
        if done.rowcount != 1:
            raise ConflictError(f"screening worksheet {stored.id} was changed by someone else; reload it")
        self._audit(conn, stored.case_id, actor, [(line.item or "", line.old, line.new) for line in applied.lines], now)
        return stored.lock_version + 1

    def _audit(
        self,
        conn: Connection,
        case_id: int,
        actor: Identity,
        rows: list[tuple[str, str | None, str | None]],
        now: dt.datetime,
    ) -> None:
        """Append to the case's chain and move its head only if nobody else moved it meanwhile."""
        case = conn.execute(select(cases.c.audit_head, cases.c.revision).where(cases.c.id == case_id)).first()
        if case is None:
            raise StoreError(f"case {case_id} does not exist")
        head, revision = case
        start = head
        sealed = case_state(conn, case_id)  # the worksheet as written, sealed by the last row
        for index, (item, old, new) in enumerate(rows):
            state = sealed if index == len(rows) - 1 else ""
            head = chain.append(conn, case_id, revision, head, actor, ACTION, item[:64], old, new, now, state)
        moved = conn.execute(
            update(cases).where(and_(cases.c.id == case_id, cases.c.audit_head == start)).values(audit_head=head)
        )
        if moved.rowcount != 1:
            raise ConflictError(f"case {case_id}'s audit trail moved on during this save; nothing was saved, try again")
