"""What can go wrong with a stored case: the classes live in :mod:`candidacy.errors` (one hierarchy)."""

from __future__ import annotations

from candidacy.errors import ConflictError, DatabaseError, FrozenError, SchemaError, StoreError, TamperError

__all__ = ["ConflictError", "DatabaseError", "FrozenError", "SchemaError", "StoreError", "TamperError"]
