"""Stored cases: SQLite by default, PostgreSQL when configured, one implementation (SQLAlchemy 2).

repository   CaseStore, the one path for every change to a case (app and command line alike)
commit       the parts of that path's one transaction: read as content, write back, commit and audit
reader       CaseStore's reading half
screening    the screening worksheets of a case, changed through the same function
chain        the audit trail as a hash chain
queries      reading (a reviewed revision is re-checked against its hash on every read)
verify       the whole database checked: chains, frozen records, sign-offs
backup       export and a verifying, all-or-nothing import
connection   engine and migrations
"""

from candidacy.settings import Settings
from candidacy.store.errors import ConflictError, FrozenError, StoreError, TamperError
from candidacy.store.repository import CaseStore
from candidacy.store.rows import AuditEntry, CaseDetail, CaseRow, Saved

__all__ = [
    "AuditEntry",
    "CaseDetail",
    "CaseRow",
    "CaseStore",
    "ConflictError",
    "FrozenError",
    "Saved",
    "StoreError",
    "TamperError",
    "open_store",
]


def open_store(settings: Settings | None = None) -> CaseStore:
    """The store named by the settings, with the criteria sets of the configured folder."""
    from candidacy.criteria.catalogue import load_catalogue
    from candidacy.settings import load_settings

    settings = settings or load_settings()
    return CaseStore(
        settings.database,
        load_catalogue(settings.criteria_dir).sets,
        reviewer_must_differ=settings.require_distinct_reviewer,
    )
