"""The case store: the one path by which the app and the command line change a case.

Every change runs :meth:`CaseStore._change` in one transaction that (1) reads the case and checks the
lock version the caller last saw (optimistic locking: a second writer gets a ConflictError naming the
other change), (2) asks :mod:`~candidacy.store.workflow` whether the action is allowed and what status
follows, (3) writes the revision, (4) appends a chained audit row (:mod:`~candidacy.store.chain`)
carrying the acting :class:`~candidacy.identity.Identity`, and (5) bumps the case with its new status,
summary and chain head. Reading is in :mod:`~candidacy.store.queries`, backup in
:mod:`~candidacy.store.backup`, whole-database checks in :mod:`~candidacy.store.verify`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO, Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from candidacy import clock
from candidacy.criteria.diff import CriteriaDiff, diff_criteria
from candidacy.criteria.models import CriteriaSet
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet, CaseHeader, GivenValue, check_answers
from candidacy.reasoning.changes import Change, ReplaceAll, SetAnswer, SetHeader, SetNote, apply_change, as_changes
from candidacy.reasoning.engine import evaluate
from candidacy.reports.departure import departure, gaps_of
from candidacy.reports.meeting import meeting_step
from candidacy.reports.record import Record, build_record
from candidacy.reports.signoff import Decision, SignOff
from candidacy.store import chain, queries
from candidacy.store.connection import connect, valid_input
from candidacy.store.errors import ConflictError, StoreError, TamperError
from candidacy.store.rows import AuditEntry, CaseDetail, CaseRow
from candidacy.store.state import case_state
from candidacy.store.tables import audit, cases, criteria_snapshots, revisions
from candidacy.store.verify import verify_case
from candidacy.store.workflow import EDITS, next_status

__all__ = ["CaseStore"]


class CaseStore:
    """The one place that reads and writes cases. ``criteria`` maps set ids to the loaded sets.

    ``reviewer_must_differ``: refuse a sign-off by the person who last edited the revision.
    """

    def __init__(self, url: str, criteria: Mapping[str, CriteriaSet], reviewer_must_differ: bool = False) -> None:
        self.engine = connect(url)
        self.criteria = criteria
        self.reviewer_must_differ = reviewer_must_differ

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
        with self.engine.connect() as conn:
            return queries.list_cases(conn, meeting_date, status, search, include_archived, limit)

    def get(self, case_id: int, number: int | None = None, trusted_lock: int | None = None) -> CaseDetail:
        """A revision (the current one by default); a reviewed one is checked against its hash. The case's
        seal is checked too, unless it is at ``trusted_lock`` (see :func:`queries.detail`)."""
        with self.engine.connect() as conn:
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

    # -- changing --------------------------------------------------------------------------------
    def create_case(
        self,
        criteria_id: str,
        label: str,
        meeting_date: dt.date | None,
        actor: Identity,
        answers: AnswerSet | None = None,
        copied_from: int | None = None,
    ) -> int:
        """A new case, empty or holding ``answers`` (a saved draft, a duplicate), in one transaction."""
        _may_edit(actor)
        cset = self._cset(criteria_id)
        now = clock.now()
        with valid_input():
            empty = AnswerSet(
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
                    lock_version=0,
                    revision=1,
                    created_at=now,
                    updated_at=now,
                    decision="",
                    audit_head="",
                    **self._summary(cset, empty),
                )
            ).inserted_primary_key
            assert inserted is not None
            case_id = int(inserted[0])
            self._new_revision(conn, case_id, 1, cset, empty, "", None, now)
            row = queries.detail(conn, case_id, sealed=False).row
            lock = self._commit(conn, row, 0, actor, "create", None, None, label, now)
            if answers is not None:
                filled = answers.model_copy(deep=True)
                filled.case = filled.case.model_copy(update={"label": label, "meeting_date": meeting_date})
                how = f"copied from case {copied_from}" if copied_from else "saved from a draft"
                action = "duplicate" if copied_from else "load"
                self._edit_in(conn, case_id, lock, actor, action, ReplaceAll(filled, how))
        return case_id

    def apply(self, case_id: int, lock_version: int, change: Change | Sequence[Change], actor: Identity) -> int:
        """Apply one change (see :mod:`candidacy.reasoning.changes`), or the several changes of one user
        action (an accepted answer and its provenance note), in one transaction, each with its audit row:
        all of them or none. Returns the new lock."""
        _may_edit(actor)
        with valid_input(), self.engine.begin() as conn:
            for one in as_changes(change):
                lock_version = self.edit_in(conn, case_id, lock_version, actor, one)
            return lock_version

    def save_answer(self, case_id: int, lock_version: int, crit_id: str, value: GivenValue, actor: Identity) -> int:
        """Autosave one answer; returns the new lock version."""
        return self.apply(case_id, lock_version, SetAnswer(crit_id, value), actor)

    def save_note(self, case_id: int, lock_version: int, crit_id: str, note: str, actor: Identity) -> int:
        return self.apply(case_id, lock_version, SetNote(crit_id, note), actor)

    def save_header(self, case_id: int, lock_version: int, field_name: str, value: Any, actor: Identity) -> int:
        return self.apply(case_id, lock_version, SetHeader(field_name, value), actor)

    def save_all(self, case_id: int, lock_version: int, answers: AnswerSet, actor: Identity, reason: str) -> int:
        """Replace every answer and the header at once (loading a file); audited."""
        return self.apply(case_id, lock_version, ReplaceAll(answers, reason), actor)

    def save_decision(self, case_id: int, lock_version: int, decision: Decision | None, actor: Identity) -> int:
        """Record (or clear, with None) the team's decision on the current revision.

        Refused without reasons when it departs from what the criteria point to."""
        _may_edit(actor)
        now = clock.now()
        with self.engine.begin() as conn:
            detail = self._checked(conn, case_id, lock_version)
            status = next_status("decision", detail.row.status, case_id, detail.number)
            if decision is not None:
                cset = self._cset(detail.row.criteria_id)
                why = departure(build_record(cset, detail.answers), decision)
                if why and not decision.reasons.strip():
                    raise StoreError(f"{why}; a decision that departs from the criteria needs its reasons")
            conn.execute(
                update(revisions)
                .where(and_(revisions.c.case_id == case_id, revisions.c.number == detail.number))
                .values(decision=decision.model_dump_json() if decision else None)
            )
            before = detail.decision.model_dump_json() if detail.decision else None
            after = decision.model_dump_json() if decision else None
            values = {"decision": decision.label() if decision else ""}
            return self._commit(
                conn, detail.row, lock_version, actor, "decision", None, before, after, now, status, values
            )

    def mark_ready(self, case_id: int, lock_version: int, actor: Identity) -> int:
        _may_edit(actor)
        now = clock.now()
        with self.engine.begin() as conn:
            detail = self._checked(conn, case_id, lock_version)
            status = next_status("ready", detail.row.status, case_id, detail.number)
            self._set_revision_status(conn, case_id, detail.number, status)
            return self._commit(
                conn, detail.row, lock_version, actor, "ready", None, detail.row.status, status, now, status
            )

    def gaps(self, case_id: int) -> list[tuple[str, str]]:
        """The applicable items still unanswered: (criterion id, title). A sign-off must acknowledge them."""
        return [(g.criterion, g.title) for g in gaps_of(self.record(case_id))]

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
        if not actor.may("reviewer"):
            raise StoreError(f"{actor.name or 'this user'} is not a reviewer; only a reviewer can sign off")
        if not actor.name.strip() or not actor.role.strip():
            raise StoreError("a sign-off needs the reviewer's name and role")
        now = clock.now()
        with self.engine.begin() as conn:
            detail = self._checked(conn, case_id, lock_version)
            status = next_status("review", detail.row.status, case_id, detail.number)
            if self.reviewer_must_differ:
                self._check_other_reviewer(conn, case_id, detail.number, actor)
            cset = self._cset(detail.row.criteria_id)
            record = build_record(cset, detail.answers, decision=detail.decision)
            gaps = gaps_of(record)
            acknowledged = set(acknowledged_gaps)
            unacknowledged = [g for g in gaps if g.criterion not in acknowledged]
            if unacknowledged:
                listed = "; ".join(g.title for g in unacknowledged)  # titles, as the reviewer reads them
                raise StoreError(
                    f"{len(unacknowledged)} applicable item(s) are unanswered: {listed}. Answer them, or "
                    "acknowledge each gap explicitly as part of the sign-off"
                )
            if detail.decision is not None:
                why = departure(record, detail.decision)
                if why and not detail.decision.reasons.strip():
                    raise StoreError(f"the team decision departs from the criteria ({why}) and gives no reasons")
            sign_off = SignOff(
                reviewer=actor.name,
                role=actor.role,
                source=actor.source,
                subject=actor.subject,
                signed_at=now,
                signed_at_local=clock.local(now).isoformat(timespec="seconds"),
                comment=comment,
                acknowledged_gaps=gaps,
                revision=detail.number,
            )
            signed = record.model_copy(update={"sign_off": sign_off})
            text = signed.to_json()
            digest = signed.sha256()
            conn.execute(
                update(revisions)
                .where(and_(revisions.c.case_id == case_id, revisions.c.number == detail.number))
                .values(
                    status=status,
                    content_hash=digest,
                    record=text,
                    reviewed_by=actor.name,
                    reviewed_role=actor.role,
                    reviewed_at=now,
                    review_comment=comment,
                    reviewed_source=actor.source,
                    reviewed_subject=actor.subject,
                )
            )
            self._commit(conn, detail.row, lock_version, actor, "review", None, detail.row.status, digest, now, status)
        return digest

    def revise(self, case_id: int, lock_version: int, reason: str, actor: Identity) -> int:
        """Start a new revision (after review) with a required reason; returns the new lock version."""
        _may_edit(actor)
        if not reason.strip():
            raise StoreError("a new revision needs a reason")
        now = clock.now()
        with self.engine.begin() as conn:
            detail = self._checked(conn, case_id, lock_version)
            status = next_status("revise", detail.row.status, case_id, detail.number)
            cset = self._cset(detail.row.criteria_id)
            self._snapshot(conn, cset)
            number = detail.number + 1
            answers = detail.answers.model_copy(update={"version": cset.version}, deep=True)
            self._new_revision(conn, case_id, number, cset, answers, reason, detail.decision, now)
            values = {"revision": number, **self._summary(cset, answers)}
            return self._commit(
                conn, detail.row, lock_version, actor, "revise", None, str(detail.number), reason, now, status, values,
                revision=number,
            )  # fmt: skip

    def duplicate(self, case_id: int, actor: Identity, label: str | None = None) -> int:
        """A new case holding a copy of this one's current answers (one transaction)."""
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
        _may_edit(actor)
        now = clock.now()
        with self.engine.begin() as conn:
            detail = self._checked(conn, case_id, lock_version)
            status = next_status("archive", detail.row.status, case_id, detail.number)
            values = {"archived": True}
            return self._commit(conn, detail.row, lock_version, actor, "archive", None, None, None, now, status, values)

    # -- backup and verification (kept in their own modules) --------------------------------------
    def export_jsonl(self, out: IO[str]) -> int:
        from candidacy.store.backup import export_jsonl

        return export_jsonl(self.engine, out)

    def import_jsonl(self, lines: Iterator[str]) -> int:
        from candidacy.store.backup import import_jsonl

        return import_jsonl(self.engine, lines, self.criteria)

    # -- the one path ----------------------------------------------------------------------------
    def _checked(self, conn: Connection, case_id: int, lock_version: int) -> CaseDetail:
        detail = queries.detail(conn, case_id)
        if detail.row.lock_version != lock_version:
            raise self._conflict(conn, case_id, lock_version)
        return detail

    def edit_in(self, conn: Connection, case_id: int, lock_version: int, actor: Identity, change: Change) -> int:
        """One change inside the caller's transaction (several changes of one user action commit together):
        the lock and workflow checks, the answers through :func:`apply_change`, the revision, the chained
        audit row and the head."""
        _may_edit(actor)
        return self._edit_in(conn, case_id, lock_version, actor, change.action, change)

    def _edit_in(
        self, conn: Connection, case_id: int, lock_version: int, actor: Identity, action: str, change: Change
    ) -> int:
        now = clock.now()
        detail = self._checked(conn, case_id, lock_version)
        status = next_status(action, detail.row.status, case_id, detail.number)
        applied = apply_change(detail.answers, change)
        if isinstance(change, SetAnswer | SetNote | SetHeader) and applied.answers == detail.answers:
            return lock_version  # it changes nothing (an empty note saved again): no write, no audit row
        answers = applied.answers
        cset = self._cset(detail.row.criteria_id)
        check_answers(cset, answers)
        conn.execute(
            update(revisions)
            .where(and_(revisions.c.case_id == case_id, revisions.c.number == detail.number))
            .values(answers=answers.model_dump_json(), status=status)
        )
        values = self._summary(cset, answers)
        if action in ("header", "load", "duplicate"):
            values.update(label=answers.case.label or detail.row.label, meeting_date=answers.case.meeting_date)
        item, old, new = applied.item, applied.old, applied.new
        return self._commit(conn, detail.row, lock_version, actor, action, item, old, new, now, status, values)

    def _commit(
        self,
        conn: Connection,
        row: CaseRow,
        lock_version: int,
        actor: Identity,
        action: str,
        item: str | None,
        old: str | None,
        new: str | None,
        now: dt.datetime,
        status: str = "draft",
        values: Mapping[str, Any] | None = None,
        revision: int | None = None,
    ) -> int:
        """Bump the case, only at the version and chain head the caller saw (another writer, a screening
        worksheet included, makes this a conflict, never a fork), then append the chained audit row that
        seals the case's whole state."""
        done = conn.execute(
            update(cases)
            .where(
                and_(cases.c.id == row.id, cases.c.lock_version == lock_version, cases.c.audit_head == row.audit_head)
            )
            .values(lock_version=lock_version + 1, updated_at=now, status=status, **(values or {}))
        )
        if done.rowcount != 1:
            raise self._conflict(conn, row.id, lock_version)
        sealed = case_state(conn, row.id)  # everything written above, sealed by the row below
        head = chain.append(
            conn, row.id, revision or row.revision, row.audit_head, actor, action, item, old, new, now, sealed
        )
        conn.execute(update(cases).where(cases.c.id == row.id).values(audit_head=head))
        return lock_version + 1

    def _check_other_reviewer(self, conn: Connection, case_id: int, number: int, actor: Identity) -> None:
        last = conn.execute(
            select(audit.c.actor, audit.c.actor_subject)
            .where(and_(audit.c.case_id == case_id, audit.c.revision == number, audit.c.action.in_(EDITS)))
            .order_by(audit.c.id.desc())
            .limit(1)
        ).first()
        if last is not None and (last[1] or last[0]) == (actor.subject or actor.name):
            raise StoreError(f"{actor.name} made the last change to this revision; another reviewer must sign it off")

    def _conflict(self, conn: Connection, case_id: int, lock_version: int) -> StoreError:
        case = conn.execute(select(cases.c.lock_version, cases.c.criteria_id).where(cases.c.id == case_id)).first()
        if case is None:
            return StoreError(f"case {case_id} does not exist")
        latest = queries.audit_trail(conn, case_id, latest=1)
        cset = self.criteria.get(case[1])
        titles = {cid: c.title for cid, c in cset.criteria_by_id.items()} if cset is not None else {}
        other = latest[0].describe(titles) if latest else "unknown"
        return ConflictError(
            f"case {case_id} was changed by someone else since you opened it (your version {lock_version}, now "
            f"{case[0]}); your change was not saved. Latest change: {other}. "
            "Reload the case, check it, and make your change again."
        )

    def _cset(self, criteria_id: str) -> CriteriaSet:
        cset = self.criteria.get(criteria_id)
        if cset is None:
            raise StoreError(f"criteria set '{criteria_id}' is not loaded")
        return cset

    def _summary(self, cset: CriteriaSet, answers: AnswerSet) -> dict[str, Any]:
        result = evaluate(cset, check_answers(cset, answers))
        step = meeting_step(result)
        return {
            "contraindications": len(result.by_kind("contraindication")),
            "against": len(result.by_kind("unfavourable")),
            "missing": len(result.missing),
            "next_step": step.step if step else "",  # the step for the meeting's question, as on every screen
        }

    def _set_revision_status(self, conn: Connection, case_id: int, number: int, status: str) -> None:
        conn.execute(
            update(revisions)
            .where(and_(revisions.c.case_id == case_id, revisions.c.number == number))
            .values(status=status)
        )

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
        decision: Decision | None,
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
                decision=decision.model_dump_json() if decision else None,
                created_at=now,
            )
        )


def _may_edit(actor: Identity) -> None:
    if not actor.name.strip():
        raise StoreError("say who you are (name and role) before changing a case")
    if not (actor.may("assessor") or actor.may("reviewer")):
        raise StoreError(f"{actor.name} may not change cases (needs the assessor or reviewer role)")
