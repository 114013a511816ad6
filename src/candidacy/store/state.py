"""What a case is, as one hash: the state every chained audit row seals.

A case is more than its audit rows: its label, meeting date, archived flag, current revision and
status, the summary the lists show, every revision (answers, status, decision, signed record), every
screening worksheet, and whether the criteria snapshot its revisions were assessed against is there
(a snapshot's content is checked against its key, which is its hash, by ``cases verify``). Each action of
the application writes these first, then appends its audit row carrying :func:`case_state` of the
result, so the chain's last row vouches for everything the case holds. A change made outside the
application (SQL, an edited backup) leaves the state and the last row's seal apart, which ``cases
verify`` names; rewriting the seal too means recomputing the chain, which the database head shows.

Left out on purpose: the columns written after the seal (``lock_version``, ``updated_at`` and
``audit_head`` of the case), which the chain itself covers or which carry no clinical meaning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection

from candidacy.store.chain import utc_text
from candidacy.store.errors import StoreError
from candidacy.store.tables import audit, cases, criteria_snapshots, revisions, screening_worksheets

__all__ = ["UNSEALED_CHANGE", "case_state", "check_seal", "snapshot_digest"]

UNSEALED_CHANGE = "its stored content is not what its last audit row sealed: it was changed outside the application"
_UNSEALED = frozenset({"lock_version", "updated_at", "audit_head"})
_WORKSHEET_UNSEALED = frozenset({"lock_version", "updated_at"})  # a save that changes nothing moves them


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return utc_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _row(mapping: Any, leave_out: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {key: _plain(value) for key, value in dict(mapping).items() if key not in leave_out}


def snapshot_digest(content: str) -> str:
    """The hash of a stored criteria snapshot's content as the criteria set computes it (canonical JSON)."""
    canonical = json.dumps(json.loads(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# The statements, built once (building one costs several times executing it); values are bound per call.
_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_REVISIONS = select(revisions).where(revisions.c.case_id == bindparam("case_id")).order_by(revisions.c.number)
_WORKSHEETS = (
    select(screening_worksheets)
    .where(screening_worksheets.c.case_id == bindparam("case_id"))
    .order_by(screening_worksheets.c.id)
)
_SNAPSHOTS = select(criteria_snapshots.c.sha256).where(
    criteria_snapshots.c.sha256.in_(bindparam("wanted", expanding=True))
)
_LAST_SEAL = (
    select(audit.c.id, audit.c.state)
    .where(audit.c.case_id == bindparam("case_id"))
    .order_by(audit.c.id.desc())
    .limit(1)
)


def case_state(conn: Connection, case_id: int) -> str:
    """The hash of everything the case holds now (see the module's docstring for what is left out)."""
    key = {"case_id": case_id}
    case = conn.execute(_CASE, key).mappings().first()
    if case is None:
        raise StoreError(f"case {case_id} does not exist")
    revs = [_row(r) for r in conn.execute(_REVISIONS, key).mappings()]
    sheets = [_row(w, _WORKSHEET_UNSEALED) for w in conn.execute(_WORKSHEETS, key).mappings()]
    wanted = sorted({r["criteria_sha256"] for r in revs})
    present = set(conn.execute(_SNAPSHOTS, {"wanted": wanted}).scalars())
    state = {
        "case": _row(case, _UNSEALED),
        "revisions": revs,
        "worksheets": sheets,
        "snapshots": {key: key in present for key in wanted},  # their content is checked against the key
    }
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _last_seal(conn: Connection, case_id: int) -> tuple[int, str] | None:
    row = conn.execute(_LAST_SEAL, {"case_id": case_id}).first()
    return None if row is None else (int(row[0]), str(row[1]))


def check_seal(conn: Connection, case_id: int, attempts: int = 5) -> str | None:
    """Why the case's content is not what its last audit row sealed (None when it is, when that row
    predates sealing, or when there is no row: ``cases verify`` names a missing trail). Never raises on
    damaged content: that is a reason too.

    The case is read in several statements, and another session may commit a change between them (each
    statement sees the latest commit unless the caller holds a snapshot). A reading that matches the last
    row's seal is the content that row sealed, however it was read. Every change the application commits
    appends an audit row, so a reading that does not match counts only when the last row is the same
    before and after it; otherwise it is read again. A case that keeps changing throughout is not called
    tampered."""
    for _ in range(attempts):
        before = _last_seal(conn, case_id)
        if before is None or not before[1]:
            return None
        try:
            now = case_state(conn, case_id)
        except (ValueError, TypeError, OverflowError) as error:
            if _last_seal(conn, case_id) != before:
                continue
            return f"its stored content cannot be read ({type(error).__name__}: {str(error)[:120]})"
        if now == before[1]:
            return None
        if _last_seal(conn, case_id) == before:
            return UNSEALED_CHANGE
    return None
