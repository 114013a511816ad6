"""Who acted (role, subject, source) on every audit row, the audit hash chain, and the team decision.

Rows written before this schema are chained as they stand when it is applied (from then on a change
to them is detected; before, nothing recorded them).

Revision ID: 0004
Revises: 0003
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from candidacy.store.chain import row_hash

#: The columns a row's hash covered when this migration was written (``state`` came with 0007).
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
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for name, size in (
        ("actor_role", 120),
        ("actor_subject", 240),
        ("actor_source", 20),
        ("prev_hash", 64),
        ("row_hash", 64),
    ):
        op.add_column("audit", sa.Column(name, sa.String(size), nullable=False, server_default=""))
    op.add_column("cases", sa.Column("decision", sa.String(240), nullable=False, server_default=""))
    op.add_column("cases", sa.Column("audit_head", sa.String(64), nullable=False, server_default=""))
    op.add_column("revisions", sa.Column("reviewed_source", sa.String(20), nullable=True))
    op.add_column("revisions", sa.Column("reviewed_subject", sa.String(240), nullable=True))
    op.add_column("revisions", sa.Column("decision", sa.Text, nullable=True))
    _chain_existing_rows()


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit DISABLE TRIGGER audit_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_no_update")
    audit = sa.table("audit", *(sa.column(n) for n in ("id", "prev_hash", "row_hash", *CHAINED)))
    cases = sa.table("cases", sa.column("id"), sa.column("audit_head"))
    heads: dict[int, str] = {}
    for row in bind.execute(sa.select(audit).order_by(audit.c.case_id, audit.c.id)).mappings():
        prev = heads.get(row["case_id"], "")
        fields = [row[name] for name in CHAINED]
        if isinstance(fields[2], str):  # SQLite without column types hands back text
            fields[2] = dt.datetime.fromisoformat(fields[2])
        digest = row_hash(prev, fields)
        bind.execute(sa.update(audit).where(audit.c.id == row["id"]).values(prev_hash=prev, row_hash=digest))
        heads[row["case_id"]] = digest
    for case_id, head in heads.items():
        bind.execute(sa.update(cases).where(cases.c.id == case_id).values(audit_head=head))
    if postgres:
        op.execute("ALTER TABLE audit ENABLE TRIGGER audit_append_only")
    else:
        op.execute(
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
        )
