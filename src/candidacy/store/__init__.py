"""Stored cases: SQLite by default, PostgreSQL when configured, one implementation (SQLAlchemy 2).

CaseStore          the repository the app and the command line use; the UI never writes SQL
ConflictError      another session changed the case first (optimistic locking)
FrozenError        the revision was reviewed; changing it needs a new revision with a reason
"""

from candidacy.store.repository import (
    AuditEntry,
    CaseDetail,
    CaseRow,
    CaseStore,
    ConflictError,
    FrozenError,
    StoreError,
)

__all__ = ["AuditEntry", "CaseDetail", "CaseRow", "CaseStore", "ConflictError", "FrozenError", "StoreError"]
