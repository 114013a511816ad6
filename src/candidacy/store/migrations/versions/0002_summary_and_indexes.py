"""Summary columns on cases (for fast listing) and indexes for meeting date and audit lookups.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("contraindications", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("against", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("missing", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_step", sa.Text, nullable=False, server_default=""))
    op.create_index("ix_cases_meeting_date", "cases", ["meeting_date"])
    op.create_index("ix_audit_case_id", "audit", ["case_id"])
