"""The database tables (SQLAlchemy Core). Migrations in ``migrations/versions`` must build the same."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = ["MAX_ID", "audit", "cases", "criteria_snapshots", "metadata", "revisions", "screening_worksheets"]

metadata = MetaData()

#: The largest number an id column holds on every supported database (Integer is 32-bit on PostgreSQL).
MAX_ID = 2**31 - 1

criteria_snapshots = Table(
    "criteria_snapshots",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("criteria_id", String(64), nullable=False),
    Column("version", String(32), nullable=False),
    Column("content", Text, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", String(120), nullable=False),
    Column("meeting_date", Date, nullable=True, index=True),
    Column("criteria_id", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("lock_version", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("contraindications", Integer, nullable=False, default=0),
    Column("against", Integer, nullable=False, default=0),
    Column("missing", Integer, nullable=False, default=0),
    Column("next_step", Text, nullable=False, default=""),
    Column("decision", String(240), nullable=False, default=""),  # the team decision's label, for lists
    Column("audit_head", String(64), nullable=False, default=""),  # row_hash of the case's latest audit row
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

revisions = Table(
    "revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("criteria_id", String(64), nullable=False),
    Column("criteria_version", String(32), nullable=False),
    Column("criteria_sha256", String(64), nullable=False),
    Column("answers", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("content_hash", String(64), nullable=True),
    Column("record", Text, nullable=True),
    Column("reviewed_by", String(120), nullable=True),
    Column("reviewed_role", String(120), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("review_comment", Text, nullable=True),
    Column("reviewed_source", String(20), nullable=True),
    Column("reviewed_subject", String(240), nullable=True),
    Column("decision", Text, nullable=True),  # the team decision (JSON), frozen with the revision
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("case_id", "number", name="uq_revision_number"),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("revision", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("actor_role", String(120), nullable=False, default=""),
    Column("actor_subject", String(240), nullable=False, default=""),
    Column("actor_source", String(20), nullable=False, default=""),
    Column("action", String(30), nullable=False),
    Column("item", String(64), nullable=True),
    Column("old", Text, nullable=True),
    Column("new", Text, nullable=True),
    Column("prev_hash", String(64), nullable=False, default=""),  # row_hash of the case's previous row
    Column("row_hash", String(64), nullable=False, default=""),  # sha256 of prev_hash and this row
    Column("state", String(64), nullable=False, default="", server_default=""),  # the case's sealed state (0007)
)

#: Screening-test worksheets of a case (migration 0006). Every change appends to the case's audit chain;
#: a confirmed worksheet keeps the hash of its content, checked on every read.
screening_worksheets = Table(
    "screening_worksheets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("cases.id"), nullable=False, index=True),
    Column("protocol_id", String(64), nullable=False),
    Column("protocol_version", String(32), nullable=False),
    Column("protocol_sha256", String(64), nullable=False),
    Column("content", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("lock_version", Integer, nullable=False),
    Column("content_hash", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
