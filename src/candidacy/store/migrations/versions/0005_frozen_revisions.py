"""A reviewed revision cannot be changed or deleted, and the audit trail cannot be truncated.

The database refuses them itself, whatever program connects. Someone allowed to drop triggers can
still do it; ``cases verify`` and the check on every read then notice the change.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION revision_is_frozen() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'revision % of case % was reviewed and is frozen', OLD.number, OLD.case_id;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER revisions_frozen BEFORE UPDATE OR DELETE ON revisions "
            "FOR EACH ROW WHEN (OLD.content_hash IS NOT NULL) EXECUTE FUNCTION revision_is_frozen()"
        )
        op.execute(
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only()"
        )
        op.execute(
            "CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON revisions "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER revisions_frozen_{event.lower()} BEFORE {event} ON revisions "
                "WHEN OLD.content_hash IS NOT NULL "
                "BEGIN SELECT RAISE(ABORT, 'a reviewed revision is frozen'); END"
            )
