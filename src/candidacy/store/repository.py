"""The case store: the one path by which the app and the command line change a case.

Every change to a case's content is data (:mod:`candidacy.case`) and runs :meth:`CaseStore.edit_in`
in one transaction that (1) reads the case and checks the lock version the caller last saw (optimistic
locking: a second writer gets a ConflictError naming the other change), (2) applies the change to the
content as stored with :func:`candidacy.case.apply_change` (the workflow, the decision's and the
sign-off's rules, the answers' checks: the draft and the command line share them), (3) writes what
it moved to the revision, (4) appends a chained audit row (:mod:`~candidacy.store.chain`) carrying the
acting :class:`~candidacy.identity.Identity`, and (5) bumps the case with its new status, summary and
chain head (:mod:`~candidacy.store.commit`). Reading is in :mod:`~candidacy.store.reader`, backup in
:mod:`~candidacy.store.backup`, whole-database checks in :mod:`~candidacy.store.verify`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from candidacy import clock
from candidacy.case import (
    Applied,
    Archive,
    AuditLine,
    Change,
    Context,
    MarkReady,
    ReplaceAll,
    Revise,
    SetAnswer,
    SetDecision,
    SetHeader,
    SetNote,
    SignOffRevision,
    apply_change,
    as_changes,
)
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet, CaseHeader, GivenValue
from candidacy.reports.signoff import Decision
from candidacy.store import queries
from candidacy.store.commit import checked, commit, content_of, new_revision, snapshot, summary, write_content
from candidacy.store.connection import valid_input
from candidacy.store.errors import StoreError
from candidacy.store.reader import CaseReader
from candidacy.store.rows import CaseDetail, Saved
from candidacy.store.tables import cases

__all__ = ["CaseStore", "may_edit"]


class CaseStore(CaseReader):
    """The one place that reads and writes cases (reading: :class:`~candidacy.store.reader.CaseReader`)."""

    def create_case(
        self,
        criteria_id: str,
        label: str,
        meeting_date: dt.date | None,
        actor: Identity,
        answers: AnswerSet | None = None,
        copied_from: int | None = None,
    ) -> int:
        """A new case, empty or holding ``answers`` (a saved draft, a duplicate), in one transaction.

        Creating is not a change of a case's content, so it does not go through
        :func:`candidacy.case.apply_change`: before it there is no content, lock version or chain head to
        change, only the rows to insert and the chain to start. The answers it holds are then a change
        like any other (:class:`~candidacy.case.ReplaceAll`, audited as "load" or "duplicate")."""
        may_edit(actor)
        cset = self._cset(criteria_id)
        now = clock.now()
        with valid_input():
            empty = AnswerSet(
                criteria=cset.id, version=cset.version, case=CaseHeader(label=label, meeting_date=meeting_date)
            )
        with self.engine.begin() as conn:
            snapshot(conn, cset)
            inserted = conn.execute(
                insert(cases).values(
                    label=label,
                    meeting_date=meeting_date,
                    criteria_id=cset.id,
                    status="draft",
                    archived=False,
                    lock_version=0,
                    revision=1,
                    created_at=now,
                    updated_at=now,
                    decision="",
                    audit_head="",
                    **summary(cset, empty),
                )
            ).inserted_primary_key
            assert inserted is not None
            case_id = int(inserted[0])
            new_revision(conn, case_id, 1, cset, empty, "", None, now)
            row = queries.detail(conn, case_id, sealed=False).row
            lock = commit(conn, self.criteria, row, 0, actor, "create", AuditLine(None, None, label), now)
            if answers is not None:
                filled = answers.model_copy(deep=True)
                filled.case = filled.case.model_copy(update={"label": label, "meeting_date": meeting_date})
                how = f"copied from case {copied_from}" if copied_from else "saved from a draft"
                self.edit_in(
                    conn, case_id, lock, actor, ReplaceAll(filled, how, "duplicate" if copied_from else "load")
                )
        return case_id

    def apply(self, case_id: int, lock_version: int, change: Change | Sequence[Change], actor: Identity) -> Saved:
        """Apply one change (see :mod:`candidacy.case`), or the several changes of one user action (an
        accepted answer and its provenance note), in one transaction, each with its audit row: all of them
        or none. Returns the new lock and the content as stored now."""
        changes = as_changes(change)
        if not changes:
            raise StoreError("no change was given")
        with valid_input(), self.engine.begin() as conn:
            for one in changes:
                applied, before = self._change(conn, case_id, lock_version, actor, one)
                lock_version += 1 if applied.lines else 0
            return Saved(lock_version, applied.content, _after(conn, before, applied))

    def save_answer(self, case_id: int, lock_version: int, crit_id: str, value: GivenValue, actor: Identity) -> int:
        """Autosave one answer; returns the new lock version."""
        return self.apply(case_id, lock_version, SetAnswer(crit_id, value), actor).lock_version

    def save_note(self, case_id: int, lock_version: int, crit_id: str, note: str, actor: Identity) -> int:
        return self.apply(case_id, lock_version, SetNote(crit_id, note), actor).lock_version

    def save_header(self, case_id: int, lock_version: int, field_name: str, value: Any, actor: Identity) -> int:
        return self.apply(case_id, lock_version, SetHeader(field_name, value), actor).lock_version

    def save_all(self, case_id: int, lock_version: int, answers: AnswerSet, actor: Identity, reason: str) -> int:
        """Replace every answer and the header at once (loading a file); audited."""
        return self.apply(case_id, lock_version, ReplaceAll(answers, reason), actor).lock_version

    def save_decision(self, case_id: int, lock_version: int, decision: Decision | None, actor: Identity) -> int:
        """Record (or clear, with None) the team's decision on the current revision.

        Refused without reasons when it departs from what the criteria point to."""
        return self.apply(case_id, lock_version, SetDecision(decision), actor).lock_version

    def mark_ready(self, case_id: int, lock_version: int, actor: Identity) -> int:
        return self.apply(case_id, lock_version, MarkReady(), actor).lock_version

    def review(
        self,
        case_id: int,
        lock_version: int,
        actor: Identity,
        comment: str = "",
        acknowledged_gaps: Iterable[str] = (),
    ) -> str:
        """Sign off the current revision: freeze its record, with the sign-off, under its hash (returned).

        Only a reviewer may; every unanswered applicable item must be in ``acknowledged_gaps``."""
        with valid_input(), self.engine.begin() as conn:
            applied = self._change(
                conn, case_id, lock_version, actor, SignOffRevision(comment, tuple(acknowledged_gaps))
            )[0]
        assert applied.content.record is not None
        return applied.content.record.sha256()

    def revise(self, case_id: int, lock_version: int, reason: str, actor: Identity) -> int:
        """Start a new revision (after review) with a required reason; returns the new lock version."""
        return self.apply(case_id, lock_version, Revise(reason), actor).lock_version

    def duplicate(self, case_id: int, actor: Identity, label: str | None = None) -> int:
        """A new case holding a copy of this one's current answers (one transaction; see :meth:`create_case`)."""
        source = self.get(case_id)
        return self.create_case(
            source.row.criteria_id,
            label or f"{source.row.label} (copy)",
            source.row.meeting_date,
            actor,
            answers=source.answers,
            copied_from=case_id,
        )

    def archive(self, case_id: int, lock_version: int, actor: Identity) -> int:
        return self.apply(case_id, lock_version, Archive(), actor).lock_version

    # -- the one path ----------------------------------------------------------------------------
    def edit_in(self, conn: Connection, case_id: int, lock_version: int, actor: Identity, change: Change) -> int:
        """One change inside the caller's transaction (several changes of one user action commit together);
        returns the new lock version (the same when the change changes nothing: nothing is written)."""
        applied = self._change(conn, case_id, lock_version, actor, change)[0]
        return lock_version + 1 if applied.lines else lock_version

    def write_in(self, conn: Connection, case_id: int, lock_version: int, actor: Identity, applied: Applied) -> int:
        """Write a change already applied to the case's content (one that another change made first, such
        as the answers a screening confirmation gives) inside the caller's transaction, at the lock version
        the caller saw; returns the new lock version."""
        may_edit(actor)
        detail = checked(conn, self.criteria, case_id, lock_version)
        return self._write(conn, detail, lock_version, actor, applied, clock.now())

    def _change(
        self, conn: Connection, case_id: int, lock_version: int, actor: Identity, change: Change
    ) -> tuple[Applied, CaseDetail]:
        """The lock check, the change applied to the content as stored (with its workflow and rules), what
        it moved written to the revision, the chained audit row and the head: all in ``conn``'s transaction.
        Returns the change applied and the revision as read (and checked) before it."""
        signing = isinstance(change, SignOffRevision)
        if not signing:  # a sign-off's own rules say who may sign
            may_edit(actor)
        now = clock.now()
        detail = checked(conn, self.criteria, case_id, lock_version)
        cset = self._cset(detail.row.criteria_id)
        content = content_of(conn, detail, with_last_editor=signing and self.reviewer_must_differ)
        context = Context(cset, actor, now, reviewer_must_differ=self.reviewer_must_differ)
        applied = apply_change(content, change, context)
        if applied.lines:  # else it changes nothing (an empty note saved again): no write, no audit row
            self._write(conn, detail, lock_version, actor, applied, now)
        return applied, detail

    def _write(
        self, conn: Connection, detail: CaseDetail, lock: int, actor: Identity, applied: Applied, now: dt.datetime
    ) -> int:
        """What the change moved, written back; the case bumped with its audit row and head."""
        if applied.earlier or len(applied.lines) != 1:
            raise StoreError(f"a '{applied.action}' change of a case is audited as one row")
        values = write_content(conn, self._cset(detail.row.criteria_id), detail, applied, now)
        after = applied.content
        return commit(conn, self.criteria, detail.row, lock, actor, applied.action, applied.lines[0], now,
                      after.status, values, revision=after.revision)  # fmt: skip


def _after(conn: Connection, before: CaseDetail, applied: Applied) -> CaseDetail | None:
    """The current revision as the write left it, from the revision read (and its seal checked) before
    the write and the content written: only the case row is read again, the answers are not parsed again.
    None when the write started a revision or signed one (its stored metadata changed: read it in full)."""
    after = applied.content
    if not applied.lines:
        return before  # nothing was written
    if after.revision != before.number or after.record is not before.record:
        return None
    return replace(
        before,
        row=queries.case_row_of(conn, before.row.id),
        status=after.status,
        answers=after.answers,
        decision=after.decision,
    )


def may_edit(actor: Identity) -> None:
    """Refuse someone who may not change cases (a change's own rules say who may sign off)."""
    if not actor.name.strip():
        raise StoreError("say who you are (name and role) before changing a case")
    if not (actor.may("assessor") or actor.may("reviewer")):
        raise StoreError(f"{actor.name} may not change cases (needs the assessor or reviewer role)")
