"""Who is acting: the one value that the store, the audit trail and sign-off receive about a person.

Personal mode (one clinician, no login) builds it from the name and role the clinician gave once;
team mode builds it from the OpenID Connect token (name and e-mail) and the configured role mapping.
The store never asks where it came from beyond ``source``: it checks ``permissions`` and writes
``name``, ``role``, ``subject`` and ``source`` into every audit row and every sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["PERMISSIONS", "Identity", "IdentitySource", "Permission"]

Permission = Literal["assessor", "reviewer", "admin"]
#: What a person may do: assess (answer, save, mark ready), review (sign off), administer.
PERMISSIONS: tuple[Permission, ...] = ("assessor", "reviewer", "admin")
#: Where the identity comes from: typed once by the clinician, or signed in through OpenID Connect.
IdentitySource = Literal["personal", "oidc", "cli"]


@dataclass(frozen=True, slots=True)
class Identity:
    name: str  # display name, e.g. "Dr A. Example"
    role: str  # clinical role as shown on the record, e.g. "Consultant neurologist"
    source: IdentitySource
    subject: str = ""  # stable identifier: the token's e-mail or sub in team mode, "" in personal mode
    permissions: frozenset[Permission] = field(default_factory=lambda: frozenset(PERMISSIONS))

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    def describe(self) -> str:
        """One line for the audit trail and the record: name, role, and how it was established."""
        how = "signed in" if self.source == "oidc" else ("command line" if self.source == "cli" else "personal")
        who = f"{self.name} ({self.role})" if self.role else self.name
        return f"{who}, {how}" + (f" as {self.subject}" if self.subject else "")
