"""What reading the store returns: plain frozen dataclasses, built from database rows in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from candidacy.case import CaseContent
from candidacy.reasoning.answers import AnswerSet
from candidacy.reports.record import Record
from candidacy.reports.signoff import Decision, SignOff

__all__ = ["AuditEntry", "CaseDetail", "CaseRow", "Saved", "audit_entry", "case_row", "utc"]


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
    decision: str = ""  # the team decision's label, "" when none is recorded
    audit_head: str = ""
    damaged: str = ""  # what in the row cannot be read (changed outside the application), "" when nothing


@dataclass(frozen=True)
class CaseDetail:
    """One revision of a case (the current one unless asked otherwise), with the case row.

    For a reviewed revision, ``record`` is the frozen record whose hash was checked on reading and
    ``answers`` are the ones it holds."""

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
    decision: Decision | None = None
    record: Record | None = None

    @property
    def frozen(self) -> bool:
        return self.content_hash is not None

    @property
    def sign_off(self) -> SignOff | None:
        return self.record.sign_off if self.record is not None else None


@dataclass(frozen=True)
class Saved:
    """What the store accepted: the case's new lock version and its content as stored now (what the
    session then shows), with the current revision as stored by the write (``detail``; None when the
    write started or signed a revision: read it then), so that the next run need not read and parse it."""

    lock_version: int
    content: CaseContent
    detail: CaseDetail | None = None


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: str
    action: str
    revision: int
    item: str | None
    old: str | None
    new: str | None
    role: str = ""
    subject: str = ""
    source: str = ""
    row_hash: str = ""

    def who(self) -> str:
        role = f" ({self.role})" if self.role else ""
        how = {"oidc": ", signed in", "cli": ", command line", "personal": ", personal"}.get(self.source, "")
        subject = f" as {self.subject}" if self.subject else ""
        return f"{self.actor}{role}{how}{subject}"

    def describe(self, titles: Mapping[str, str] | None = None) -> str:
        """One line for people: ``titles`` (criterion id -> title) names an item by its title, not its id."""
        what = f" {(titles or {}).get(self.item, self.item)}" if self.item else ""
        change = f": {self.old!s} -> {self.new!s}" if (self.old or self.new) else ""
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.who()} {self.action}{what} (revision {self.revision}){change}"

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "at": self.at.isoformat()}


def utc(value: Any) -> Any:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def audit_entry(r: Any) -> AuditEntry:
    return AuditEntry(
        utc(r["at"]),
        r["actor"],
        r["action"],
        r["revision"],
        r["item"],
        r["old"],
        r["new"],
        r["actor_role"],
        r["actor_subject"],
        r["actor_source"],
        r["row_hash"],
    )


def _meeting(value: Any) -> tuple[dt.date | None, str]:
    """The meeting date as read (a date, or the text SQLite stored), and what is wrong with it."""
    if value is None or isinstance(value, dt.date):
        return value, ""
    try:
        return dt.date.fromisoformat(str(value)), ""
    except ValueError:
        return None, f"the meeting date '{str(value)[:40]}' is not a date"


def case_row(r: Any) -> CaseRow:
    meeting, damaged = _meeting(r["meeting_date"])
    return CaseRow(
        id=r["id"],
        label=r["label"],
        meeting_date=meeting,
        criteria_id=r["criteria_id"],
        status=r["status"],
        archived=bool(r["archived"]),
        revision=r["revision"],
        lock_version=r["lock_version"],
        contraindications=r["contraindications"],
        against=r["against"],
        missing=r["missing"],
        next_step=r["next_step"],
        updated_at=utc(r["updated_at"]),
        decision=r["decision"],
        audit_head=r["audit_head"],
        damaged=damaged,
    )
