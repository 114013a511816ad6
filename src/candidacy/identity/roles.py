"""Team mode: who a signed-in person is, from the claims of their OpenID Connect token.

Name and e-mail come from the token. Permissions (assessor, reviewer, admin) come from two places,
both optional, and add up: a claim the hospital's identity provider fills (for example Entra ID app
roles in ``roles``, Keycloak realm roles in ``realm_access.roles``, or ``groups``), whose values are
taken as permission names or translated through a table; and an allow-list of e-mail addresses kept
in the settings. A person the token and the allow-list give no permission is refused: signing in
proves who someone is, not that they belong to the referral team.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from candidacy.errors import NoRoleError

from . import PERMISSIONS, Identity, Permission

__all__ = ["NoRoleError", "RoleMapping", "identity_from_claims", "permissions_from_claims"]

#: The claims tried, in order, for the display name when ``name`` is absent.
_NAME_CLAIMS = ("name", "preferred_username", "email", "sub")


@dataclass(frozen=True, slots=True)
class RoleMapping:
    """How permissions are read: a claim (dotted path into the token), a translation of its values,
    and an allow-list of e-mail addresses. Keys of ``claim_values`` and ``allow_list`` are matched
    without regard to case."""

    claim: str = ""
    claim_values: Mapping[str, frozenset[Permission]] = field(default_factory=dict)
    allow_list: Mapping[str, frozenset[Permission]] = field(default_factory=dict)

    def describe(self) -> str:
        """Where permissions come from, in one line for the sign-in page and the README's checks."""
        parts = []
        if self.claim:
            parts.append(f"the token claim '{self.claim}'")
        if self.allow_list:
            parts.append(f"an allow-list of {len(self.allow_list)} e-mail address(es)")
        return " and ".join(parts) or "nothing (no claim and no allow-list configured)"


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path (``realm_access.roles``); a key containing dots is tried whole first."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _claim_strings(value: Any) -> list[str]:
    """A claim as a list of strings: a list of strings, or one string of names split on spaces or commas."""
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, list | tuple):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _email(claims: Mapping[str, Any]) -> str:
    """The token's e-mail, lower case; empty when absent or when the provider says it is not verified."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return ""
    return email.strip().lower()


def permissions_from_claims(claims: Mapping[str, Any], mapping: RoleMapping) -> frozenset[Permission]:
    """Every permission the claim and the allow-list give this token (the union of both)."""
    found: set[Permission] = set()
    if mapping.claim:
        table = {k.lower(): v for k, v in mapping.claim_values.items()}
        by_name: dict[str, Permission] = {p: p for p in PERMISSIONS}
        for value in _claim_strings(_claim(claims, mapping.claim)):
            key = value.lower()
            if table:
                found.update(table.get(key, ()))
            elif key in by_name:
                found.add(by_name[key])
    email = _email(claims)
    if email:
        allowed = {k.lower(): v for k, v in mapping.allow_list.items()}
        found.update(allowed.get(email, ()))
    return frozenset(p for p in PERMISSIONS if p in found)


def _text(claims: Mapping[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())[:200]
    return ""


def identity_from_claims(claims: Mapping[str, Any], mapping: RoleMapping) -> Identity:
    """The signed-in person as an Identity; NoRoleError when nothing gives them a permission.

    ``subject`` is the e-mail when the token has a verified one (what the allow-list and people
    recognise), otherwise the provider's stable ``sub``; ``role`` lists the permissions, since the
    token carries no clinical title that every provider fills the same way.
    """
    subject = _email(claims) or _text(claims, ("sub",))
    if not subject:
        raise NoRoleError("The sign-in token has neither an e-mail address nor a subject: it cannot be recorded.")
    permissions = permissions_from_claims(claims, mapping)
    name = _text(claims, _NAME_CLAIMS)
    if not permissions:
        raise NoRoleError(
            f"{name} ({subject}) is signed in but has no role in candidacy. Roles come from "
            f"{mapping.describe()}; ask whoever runs candidacy to add you."
        )
    return Identity(
        name=name,
        role=", ".join(p for p in PERMISSIONS if p in permissions),
        source="oidc",
        subject=subject,
        permissions=permissions,
    )
