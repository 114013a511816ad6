"""Each audit row can seal the case's whole state; confirmed worksheets and criteria snapshots are
guarded by the database like reviewed revisions.

``audit.state`` holds the hash of everything the case held when the row was written (empty on rows
written before this migration: their cases are sealed by their next change). Someone allowed to drop
triggers can still change rows; ``cases verify`` then names the change.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit", sa.Column("state", sa.String(64), nullable=False, server_default=""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION worksheet_is_confirmed() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'screening worksheet % was confirmed and is frozen', OLD.id;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER worksheets_confirmed_update BEFORE UPDATE ON screening_worksheets FOR EACH ROW "
            "WHEN (OLD.content_hash IS NOT NULL AND NEW.content_hash IS NOT NULL) "
            "EXECUTE FUNCTION worksheet_is_confirmed()"
        )
        op.execute(
            "CREATE TRIGGER worksheets_confirmed_delete BEFORE DELETE ON screening_worksheets FOR EACH ROW "
            "WHEN (OLD.content_hash IS NOT NULL) EXECUTE FUNCTION worksheet_is_confirmed()"
        )
        op.execute(
            """
            CREATE FUNCTION snapshot_is_fixed() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'criteria snapshots are never changed or removed';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER snapshots_fixed BEFORE UPDATE OR DELETE ON criteria_snapshots "
            "FOR EACH ROW EXECUTE FUNCTION snapshot_is_fixed()"
        )
    else:
        op.execute(
            "CREATE TRIGGER worksheets_confirmed_update BEFORE UPDATE ON screening_worksheets "
            "WHEN OLD.content_hash IS NOT NULL AND NEW.content_hash IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'a confirmed screening worksheet is frozen'); END"
        )
        op.execute(
            "CREATE TRIGGER worksheets_confirmed_delete BEFORE DELETE ON screening_worksheets "
            "WHEN OLD.content_hash IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'a confirmed screening worksheet is frozen'); END"
        )
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER snapshots_fixed_{event.lower()} BEFORE {event} ON criteria_snapshots "
                "BEGIN SELECT RAISE(ABORT, 'criteria snapshots are never changed or removed'); END"
            )
