"""The audit trail as a hash chain: each row stores the hash of its case's previous row and its own.

``row_hash = sha256(prev_hash, case_id, revision, at, actor..., action, item, old, new, state)``,
each value length-prefixed (``state``, the hash of the whole case after the change, only when set), with
``prev_hash`` of a case's first row empty. The case row keeps the latest hash (``audit_head``), so a
deleted last row is noticed too. Changing, removing, inserting or moving any row breaks the chain
from that row on; :func:`check_chain` names the first row that does not fit.

What this does not do: someone who can write the database can recompute every hash after a change.
The chain head, kept elsewhere (``cases verify --head``), is what shows such a rewrite.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from candidacy.identity import Identity
from candidacy.store.tables import audit

__all__ = ["CHAINED", "ChainBreak", "append", "check_chain", "database_head", "row_hash", "utc_text"]

#: The audit columns a row's hash covers, in order (after prev_hash).
CHAINED = (
    "case_id",
    "revision",
    "at",
    "actor",
    "actor_role",
    "actor_subject",
    "actor_source",
    "action",
    "item",
    "old",
    "new",
    "state",
)


def utc_text(value: dt.datetime) -> str:
    """One spelling of a time for hashing, whatever the database hands back (naive SQLite = UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def row_hash(prev_hash: str, fields: Sequence[Any]) -> str:
    """The hash of one audit row; ``fields`` in :data:`CHAINED` order, ``at`` a datetime.

    Each value is written as ``length:text`` (``~`` for none), so no two rows share an encoding. An
    empty ``state`` (rows written before states were sealed) adds nothing, so their hashes still hold."""
    values = list(fields)
    if len(values) == len(CHAINED) and not values[-1]:
        values.pop()
    values[2] = utc_text(values[2])
    parts = [f"{len(prev_hash)}:{prev_hash}"]
    for value in values:
        if value is None:
            parts.append("~")
        else:
            text = str(value)
            parts.append(f"{len(text)}:{text}")
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def append(
    conn: Connection,
    case_id: int,
    revision: int,
    prev_hash: str,
    actor: Identity,
    action: str,
    item: str | None,
    old: str | None,
    new: str | None,
    now: dt.datetime,
    state: str = "",
) -> str:
    """Insert one chained audit row, sealing ``state`` (:func:`candidacy.store.state.case_state`) when
    given; returns its hash (the case's new ``audit_head``)."""
    fields = (
        case_id,
        revision,
        now,
        actor.name,
        actor.role,
        actor.subject,
        actor.source,
        action,
        item,
        old,
        new,
        state,
    )
    digest = row_hash(prev_hash, fields)
    conn.execute(
        insert(audit).values({**dict(zip(CHAINED, fields, strict=True)), "prev_hash": prev_hash, "row_hash": digest})
    )
    return digest


@dataclass(frozen=True)
class ChainBreak:
    """The first audit row of a case that does not fit its chain, and why."""

    case_id: int
    row: int | None  # audit row id (None: the case's head does not match its last row)
    reason: str

    def describe(self) -> str:
        where = f"audit row {self.row}" if self.row is not None else "audit head"
        return f"case {self.case_id}: {where}: {self.reason}"


def check_chain(case_id: int, rows: Iterable[Sequence[Any]], head: str) -> tuple[str, ChainBreak | None]:
    """Walk one case's rows ``(id, prev_hash, row_hash, *CHAINED)`` in id order; return the last hash
    and the first break, if any."""
    prev = ""
    for row in rows:
        row_id, stored_prev, stored_hash, *fields = row
        if fields[0] != case_id:
            return prev, ChainBreak(case_id, row_id, f"belongs to case {fields[0]}")
        if stored_prev != prev:
            return prev, ChainBreak(case_id, row_id, "does not follow the previous row (a row was removed or inserted)")
        if row_hash(prev, fields) != stored_hash:
            return prev, ChainBreak(case_id, row_id, "its content does not match its hash (the row was changed)")
        prev = stored_hash
    if prev != head:
        return prev, ChainBreak(case_id, None, "the case's latest hash is not its last row's (rows were removed)")
    return prev, None


def database_head(
    heads: dict[int, str], states: dict[int, str] | None = None, snapshots: dict[str, str] | None = None
) -> str:
    """One hash over every case's chain head and present state, and every criteria snapshot's content, in
    order: a single value to keep elsewhere. A change outside the application moves it even where the
    chain still reads."""
    states = states or {}
    lines = [f"{case_id} {head} {states.get(case_id, '')}" for case_id, head in sorted(heads.items())]
    lines += [f"snapshot {key} {digest}" for key, digest in sorted((snapshots or {}).items())]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
