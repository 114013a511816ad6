"""The one transaction path's parts: a case read as content, the content written back, the commit.

Every change to a case runs inside one transaction: :func:`checked` reads the case at the lock version
the caller saw (another version is a conflict naming the other change), :func:`content_of` gives it
to :func:`candidacy.case.apply_change`, :func:`write_content` writes what the change moved (the
revision's answers, status, decision or signed record, a new revision, the archive flag, the summary the
lists show) and :func:`commit`
bumps the case compare-and-set and appends the chained audit row that seals its whole state.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from candidacy.case import Applied, AuditLine, CaseContent
from candidacy.case.workflow import EDITS
from candidacy.criteria.models import CriteriaSet
from candidacy.identity import Identity
from candidacy.reasoning.answers import AnswerSet, check_answers
from candidacy.reasoning.engine import evaluate
from candidacy.reports.meeting import meeting_step
from candidacy.reports.signoff import Decision
from candidacy.store import chain, queries
from candidacy.store.errors import ConflictError, StoreError
from candidacy.store.rows import CaseDetail, CaseRow
from candidacy.store.state import case_state
from candidacy.store.tables import audit, cases, criteria_snapshots, revisions

__all__ = ["checked", "commit", "conflict", "content_of", "new_revision", "snapshot", "summary", "write_content"]


def checked(conn: Connection, criteria: Mapping[str, CriteriaSet], case_id: int, lock_version: int) -> CaseDetail:
    """The case's current revision, read (and its seal checked) only at the lock version the caller saw."""
    detail = queries.detail(conn, case_id)
    if detail.row.lock_version != lock_version:
        raise conflict(conn, criteria, case_id, lock_version)
    return detail


def _last_editor(conn: Connection, case_id: int, number: int) -> str | None:
    """Who made the last change to the revision's content (their subject, else their name)."""
    last = conn.execute(
        select(audit.c.actor, audit.c.actor_subject)
        .where(and_(audit.c.case_id == case_id, audit.c.revision == number, audit.c.action.in_(EDITS)))
        .order_by(audit.c.id.desc())
        .limit(1)
    ).first()
    return None if last is None else str(last[1] or last[0])


def content_of(conn: Connection, detail: CaseDetail, with_last_editor: bool = False) -> CaseContent:
    """The case's content as :func:`candidacy.case.apply_change` takes it (the revision's last editor is
    read only when a sign-off asks another reviewer than them)."""
    editor = _last_editor(conn, detail.row.id, detail.number) if with_last_editor else None
    return CaseContent(
        answers=detail.answers,
        status=detail.row.status,  # type: ignore[arg-type]  # the workflow refuses a status it does not know
        decision=detail.decision,
        record=detail.record,
        case_id=detail.row.id,
        revision=detail.number,
        last_editor=editor,
        archived=detail.row.archived,
        reason=detail.reason,
    )


def summary(cset: CriteriaSet, answers: AnswerSet) -> dict[str, Any]:
    """The counts and next step the case lists show, as every screen computes them."""
    result = evaluate(cset, check_answers(cset, answers))
    step = meeting_step(result)
    return {
        "contraindications": len(result.by_kind("contraindication")),
        "against": len(result.by_kind("unfavourable")),
        "missing": len(result.missing),
        "next_step": step.step if step else "",  # the step for the meeting's question, as on every screen
    }


def write_content(
    conn: Connection, cset: CriteriaSet, detail: CaseDetail, applied: Applied, now: dt.datetime
) -> dict[str, Any]:
    """Write to the revision what the change moved (a new revision is added, the one before stays as it
    was); returns the case row's new values besides its status. A revision nothing moved is not written:
    a reviewed one refuses every write (the database's trigger)."""
    after = applied.content
    values: dict[str, Any] = {}
    if after.archived != detail.row.archived:
        values["archived"] = after.archived
    if after.revision != detail.number:
        snapshot(conn, cset)
        new_revision(conn, detail.row.id, after.revision, cset, after.answers, after.reason, after.decision, now)
        return {**values, "revision": after.revision, **summary(cset, after.answers)}
    revision: dict[str, Any] = {}
    if after.answers != detail.answers or applied.action in ("load", "duplicate"):
        revision["answers"] = after.answers.model_dump_json()
        values.update(summary(cset, after.answers))
        if applied.action in ("header", "load", "duplicate"):
            values.update(
                label=after.answers.case.label or detail.row.label, meeting_date=after.answers.case.meeting_date
            )
    if applied.action == "decision":
        revision["decision"] = after.decision.model_dump_json() if after.decision else None
        values["decision"] = after.decision.label() if after.decision else ""
    if after.record is not None and detail.record is None:
        text = after.record.to_json()
        sign = after.record.sign_off
        assert sign is not None
        revision.update(
            content_hash=after.record.sha256(),
            record=text,
            reviewed_by=sign.reviewer,
            reviewed_role=sign.role,
            reviewed_at=sign.signed_at,
            review_comment=sign.comment,
            reviewed_source=sign.source,
            reviewed_subject=sign.subject,
        )
    if revision or after.status != detail.status:
        conn.execute(
            update(revisions)
            .where(and_(revisions.c.case_id == detail.row.id, revisions.c.number == detail.number))
            .values(status=after.status, **revision)
        )
    return values


def commit(
    conn: Connection,
    criteria: Mapping[str, CriteriaSet],
    row: CaseRow,
    lock_version: int,
    actor: Identity,
    action: str,
    line: AuditLine,
    now: dt.datetime,
    status: str = "draft",
    values: Mapping[str, Any] | None = None,
    revision: int | None = None,
) -> int:
    """Bump the case, only at the version and chain head the caller saw (another writer, a screening
    worksheet included, makes this a conflict, never a fork), then append the chained audit row that
    seals the case's whole state. Returns the new lock version."""
    done = conn.execute(
        update(cases)
        .where(and_(cases.c.id == row.id, cases.c.lock_version == lock_version, cases.c.audit_head == row.audit_head))
        .values(lock_version=lock_version + 1, updated_at=now, status=status, **(values or {}))
    )
    if done.rowcount != 1:
        raise conflict(conn, criteria, row.id, lock_version)
    sealed = case_state(conn, row.id)  # everything written above, sealed by the row below
    head = chain.append(
        conn, row.id, revision or row.revision, row.audit_head, actor, action, line.item, line.old, line.new, now,
        sealed,
    )  # fmt: skip
    conn.execute(update(cases).where(cases.c.id == row.id).values(audit_head=head))
    return lock_version + 1


def conflict(conn: Connection, criteria: Mapping[str, CriteriaSet], case_id: int, lock_version: int) -> StoreError:
    """The refusal of a write at a lock version the case has left: it names the latest change."""
    case = conn.execute(select(cases.c.lock_version, cases.c.criteria_id).where(cases.c.id == case_id)).first()
    if case is None:
        return StoreError(f"case {case_id} does not exist")
    latest = queries.audit_trail(conn, case_id, latest=1)
    cset = criteria.get(case[1])
    titles = {cid: c.title for cid, c in cset.criteria_by_id.items()} if cset is not None else {}
    other = latest[0].describe(titles) if latest else "unknown"
    return ConflictError(
        f"case {case_id} was changed by someone else since you opened it (your version {lock_version}, now "
        f"{case[0]}); your change was not saved. Latest change: {other}. "
        "Reload the case, check it, and make your change again."
    )


def snapshot(conn: Connection, cset: CriteriaSet) -> None:
    """Keep the criteria set a revision is assessed against (once per content hash)."""
    exists = conn.execute(select(criteria_snapshots.c.sha256).where(criteria_snapshots.c.sha256 == cset.sha256)).first()
    if exists is None:
        conn.execute(
            insert(criteria_snapshots).values(
                sha256=cset.sha256,
                criteria_id=cset.id,
                version=cset.version,
                content=json.dumps(cset.model_dump(mode="json", by_alias=True), ensure_ascii=False),
            )
        )


def new_revision(
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
