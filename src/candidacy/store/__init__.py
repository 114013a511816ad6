"""Stored cases: SQLite by default, PostgreSQL when configured, one implementation (SQLAlchemy 2).

CaseStore          the repository the app and the command line use; the UI never writes SQL
ConflictError      another session changed the case first (optimistic locking)
FrozenError        the revision was reviewed; changing it needs a new revision with a reason
"""

from candidacy.settings import Settings
from candidacy.store.repository import (
    AuditEntry,
    CaseDetail,
    CaseRow,
    CaseStore,
    ConflictError,
    FrozenError,
    StoreError,
)

__all__ = [
    "AuditEntry",
    "CaseDetail",
    "CaseRow",
    "CaseStore",
    "ConflictError",
    "FrozenError",
    "StoreError",
    "open_store",
]


def open_store(settings: Settings | None = None) -> CaseStore:
    """The store named by the settings, with the criteria sets of the configured folder."""
    from candidacy.criteria.catalogue import load_catalogue
    from candidacy.settings import load_settings

    settings = settings or load_settings()
    return CaseStore(settings.database, load_catalogue(settings.criteria_dir).sets)
