"""What can go wrong with a stored case, one class per thing the caller does differently about it."""

from __future__ import annotations

from candidacy.errors import CandidacyError

__all__ = ["ConflictError", "FrozenError", "StoreError", "TamperError"]


class StoreError(CandidacyError):
    """A stored case could not be read or changed as asked."""


class ConflictError(StoreError):
    """Someone else saved the case since this session last read it; nothing was overwritten."""


class FrozenError(StoreError):
    """The current revision was reviewed; a change needs a new revision with a reason."""


class TamperError(StoreError):
    """Stored data no longer matches its hash or chain: it was changed outside the application.

    Its message starts with "TAMPERED:" wherever it is shown, so it is never mistaken for a routine
    problem."""

    def __init__(self, message: str) -> None:
        super().__init__(f"TAMPERED: {message}")
