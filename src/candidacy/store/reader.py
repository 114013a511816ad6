"""Reading stored cases: the part of :class:`~candidacy.store.repository.CaseStore` that never writes.

Listings, one revision in detail (a reviewed one checked against its hash, the case against its seal),
the audit trail, the record of a revision, the criteria drift, the gaps a sign-off must acknowledge,
and backups. The statements themselves are in :mod:`~candidacy.store.queries`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from typing import IO

from sqlalchemy import select

from candidacy.criteria.diff import CriteriaDiff, diff_criteria
from candidacy.criteria.models import CriteriaSet
from candidacy.reports.departure import gaps_of
from candidacy.reports.record import Record, build_record
from candidacy.store import queries
from candidacy.store.connection import connect
from candidacy.store.errors import StoreError, TamperError
from candidacy.store.rows import AuditEntry, CaseDetail, CaseRow
from candidacy.store.tables import criteria_snapshots
from candidacy.store.verify import verify_case

__all__ = ["CaseReader"]


class CaseReader:
    """Reads cases. ``criteria`` maps set ids to the loaded sets.

    ``reviewer_must_differ``: refuse a sign-off by the person who last edited the revision."""

    def __init__(self, url: str, criteria: Mapping[str, CriteriaSet], reviewer_must_differ: bool = False) -> None:
        self.engine = connect(url)
        self.criteria = criteria
        self.reviewer_must_differ = reviewer_must_differ

    def close(self) -> None:
        self.engine.dispose()

    def list_cases(
        self,
        meeting_date: dt.date | None = None,
        status: str | None = None,
        search: str = "",
        include_archived: bool = False,
        limit: int | None = None,
    ) -> list[CaseRow]:
        with self.engine.connect() as conn:
            return queries.list_cases(conn, meeting_date, status, search, include_archived, limit)

    def get(
        self, case_id: int, number: int | None = None, trusted_lock: int | None = None, held: CaseDetail | None = None
    ) -> CaseDetail:
        """A revision (the current one by default); a reviewed one is checked against its hash. The case's
        seal is checked too, unless it is at ``trusted_lock`` (see :func:`queries.detail`).

        ``held``: the current revision as the caller read it or its own write left it
        (:attr:`~candidacy.store.rows.Saved.detail`) at ``trusted_lock``; while the case's lock version is
        still that one (a one-column read), it is what is stored and is returned as it is. Any other writer
        moves the lock version, so their change is read in full."""
        with self.engine.connect() as conn:
            if (
                held is not None
                and number is None
                and held.row.id == case_id
                and held.row.lock_version == trusted_lock
                and queries.lock_of(conn, case_id) == trusted_lock
            ):
                return held
            return queries.detail(conn, case_id, number, trusted_lock=trusted_lock)

    def check(self, case_id: int) -> None:
        """Raise TamperError when the case's audit chain or seal does not hold (what verify would say)."""
        with self.engine.connect() as conn:
            wrong = verify_case(conn, case_id)
        if wrong is not None:
            raise TamperError(f"case {case_id}: {wrong}")

    def revisions(self, case_id: int) -> list[CaseDetail]:
        with self.engine.connect() as conn:
            return [queries.detail(conn, case_id, n) for n in queries.revision_numbers(conn, case_id)]

    def audit_trail(self, case_id: int, latest: int | None = None) -> list[AuditEntry]:
        with self.engine.connect() as conn:
            return queries.audit_trail(conn, case_id, latest)

    def record(self, case_id: int, number: int | None = None, trusted_lock: int | None = None) -> Record:
        """The record of a revision: the frozen, hash-checked one if it was reviewed, else built now."""
        detail = self.get(case_id, number, trusted_lock)
        if detail.record is not None:
            return detail.record
        return build_record(self._cset(detail.row.criteria_id), detail.answers, decision=detail.decision)

    def gaps(self, case_id: int) -> list[tuple[str, str]]:
        """The applicable items still unanswered: (criterion id, title). A sign-off must acknowledge them."""
        return [(g.criterion, g.title) for g in gaps_of(self.record(case_id))]

    def drift(self, case_id: int, detail: CaseDetail | None = None) -> CriteriaDiff | None:
        """How the criteria changed since the current revision was assessed (None when unchanged).

        ``detail``: the current revision when the caller has just read it (saves reading it again)."""
        if detail is None or detail.row.id != case_id or detail.number != detail.row.revision:
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

    # -- backup (kept in its own module) -----------------------------------------------------------
    def export_jsonl(self, out: IO[str]) -> int:
        from candidacy.store.backup import export_jsonl

        return export_jsonl(self.engine, out)

    def import_jsonl(self, lines: Iterator[str]) -> int:
        from candidacy.store.backup import import_jsonl

        return import_jsonl(self.engine, lines, self.criteria)

    def _cset(self, criteria_id: str) -> CriteriaSet:
        cset = self.criteria.get(criteria_id)
        if cset is None:
            raise StoreError(f"criteria set '{criteria_id}' is not loaded")
        return cset
