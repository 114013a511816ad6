"""Identity without Streamlit: role mapping from token claims, the personal profile, and the settings
that choose the mode (bad values named by variable)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candidacy.identity import PERMISSIONS
from candidacy.identity.profile import ProfileError, load_profile, profile_path, save_profile
from candidacy.identity.roles import NoRoleError, RoleMapping, identity_from_claims, permissions_from_claims
from candidacy.settings import SettingsError, load_settings

from .oidc_support import ASSESSOR, REVIEWER, STRANGER, oidc_provider, sign_in_claims

ROLES = RoleMapping(claim="roles")


# --- role mapping -----------------------------------------------------------------------------------


def test_roles_from_a_real_token_of_the_local_provider() -> None:
    with oidc_provider() as issuer:
        reviewer = identity_from_claims(sign_in_claims(issuer, REVIEWER), ROLES)
        assessor = identity_from_claims(sign_in_claims(issuer, ASSESSOR), ROLES)
        stranger = sign_in_claims(issuer, STRANGER)
    assert (reviewer.name, reviewer.subject, reviewer.source) == ("Dr Rhea Viewer", "rhea.viewer@hospital.test", "oidc")
    assert reviewer.may("reviewer") and reviewer.may("assessor") and not reviewer.may("admin")
    assert reviewer.role == "assessor, reviewer"
    assert assessor.may("assessor") and not assessor.may("reviewer")
    with pytest.raises(NoRoleError, match=r"Pat Nobody \(pat.nobody@hospital.test\) is signed in but has no role"):
        identity_from_claims(stranger, ROLES)


def test_claim_values_are_translated_and_keycloak_paths_are_followed() -> None:
    mapping = RoleMapping(
        claim="realm_access.roles",
        claim_values={"ITB-Reviewers": frozenset({"reviewer", "assessor"}), "itb-admins": frozenset({"admin"})},
    )
    claims = {"sub": "x", "email": "a@b.org", "realm_access": {"roles": ["offline_access", "itb-reviewers"]}}
    assert permissions_from_claims(claims, mapping) == {"assessor", "reviewer"}
    # With a table, a value that merely looks like a permission name gives nothing.
    assert permissions_from_claims({**claims, "realm_access": {"roles": ["reviewer"]}}, mapping) == set()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["reviewer", "Assessor"], {"reviewer", "assessor"}),
        ("reviewer admin", {"reviewer", "admin"}),
        ("assessor,reviewer", {"assessor", "reviewer"}),
        (["superuser", 3, None], set()),
        ({"reviewer": True}, set()),
        (None, set()),
    ],
)
def test_claim_shapes(value: Any, expected: set[str]) -> None:
    assert permissions_from_claims({"sub": "s", "roles": value}, ROLES) == expected


def test_allow_list_adds_to_the_claim_and_needs_a_verified_address() -> None:
    mapping = RoleMapping(claim="roles", allow_list={"rhea.viewer@hospital.test": frozenset({"admin"})})
    claims = {"sub": "rev", "email": "Rhea.Viewer@Hospital.test", "roles": ["reviewer"]}
    assert permissions_from_claims(claims, mapping) == {"reviewer", "admin"}
    assert permissions_from_claims({**claims, "email_verified": False}, mapping) == {"reviewer"}
    only_list = RoleMapping(allow_list={"rhea.viewer@hospital.test": frozenset({"assessor"})})
    assert identity_from_claims(claims, only_list).permissions == {"assessor"}
    with pytest.raises(NoRoleError, match="an allow-list of 1 e-mail"):
        identity_from_claims({**claims, "email": "someone.else@hospital.test"}, only_list)


def test_subject_falls_back_to_sub_and_a_token_without_either_is_refused() -> None:
    who = identity_from_claims({"sub": "abc-123", "preferred_username": "rviewer", "roles": "reviewer"}, ROLES)
    assert (who.subject, who.name) == ("abc-123", "rviewer")
    with pytest.raises(NoRoleError, match="neither an e-mail address nor a subject"):
        identity_from_claims({"roles": "reviewer"}, ROLES)


@given(st.lists(st.sampled_from([*PERMISSIONS, "other", "Reviewer", ""])), st.sets(st.sampled_from(PERMISSIONS)))
def test_permissions_are_the_union_and_never_outside_the_vocabulary(claimed: list[str], listed: set[str]) -> None:
    mapping = RoleMapping(claim="roles", allow_list={"a@b.org": frozenset(listed)})  # type: ignore[arg-type]
    got = permissions_from_claims({"sub": "s", "email": "a@b.org", "roles": claimed}, mapping)
    assert got <= set(PERMISSIONS)
    assert got == {c.lower() for c in claimed if c.lower() in PERMISSIONS} | listed


# --- personal profile -------------------------------------------------------------------------------


def test_profile_round_trip_survives_a_new_process(tmp_path: Path) -> None:
    assert load_profile(tmp_path) is None
    saved = save_profile(tmp_path / "data", "  Dr  A. Example ", "Consultant in rehabilitation")
    assert (saved.name, saved.role, saved.source) == ("Dr A. Example", "Consultant in rehabilitation", "personal")
    assert saved.permissions == frozenset(PERMISSIONS)
    again = load_profile(tmp_path / "data")  # what a restarted server reads
    assert again == saved
    assert again is not None and again.describe() == "Dr A. Example (Consultant in rehabilitation), personal"
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["profile.json"]  # no temporary file left


@pytest.mark.parametrize(
    ("name", "role", "message"),
    [
        ("", "Consultant", "name: is required"),
        ("Dr A", "   ", "role: is required"),
        ("x" * 121, "Consultant", "name: is longer than 120 characters"),
        ("Dr A\u202e", "Consultant", "name: contains control or invisible characters"),
        (None, 3, "name: is required.*role: must be text, not int"),
    ],
)
def test_bad_profile_is_refused_and_the_old_one_kept(tmp_path: Path, name: Any, role: Any, message: str) -> None:
    save_profile(tmp_path, "Dr A", "Consultant")
    with pytest.raises(ProfileError, match=f"(?s){message}"):
        save_profile(tmp_path, name, role)
    assert load_profile(tmp_path) is not None and load_profile(tmp_path).name == "Dr A"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"profile.json:1:1: is not JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({"name": "Dr A"}), "role: is required"),
        (b"\xff\xfe".decode("latin-1"), "is not JSON"),
    ],
)
def test_damaged_profile_file_is_named_not_replaced(tmp_path: Path, content: str, message: str) -> None:
    profile_path(tmp_path).write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile(tmp_path)
    assert profile_path(tmp_path).read_text(encoding="utf-8") == content


# --- settings ---------------------------------------------------------------------------------------


def test_personal_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert (settings.mode, settings.require_distinct_reviewer) == ("personal", False)


def test_team_mode_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANDIDACY_MODE", "team")
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", "postgresql://candidacy@db.hospital.test/candidacy")
    monkeypatch.setenv("CANDIDACY_ROLES_CLAIM", "groups")
    monkeypatch.setenv("CANDIDACY_ROLE_VALUES", '{"itb-reviewers": ["reviewer", "assessor"]}')
    monkeypatch.setenv("CANDIDACY_ALLOWED_USERS", '{" Lead@Hospital.test ": ["admin"]}')
    monkeypatch.setenv("CANDIDACY_REQUIRE_DISTINCT_REVIEWER", "true")
    settings = load_settings()
    assert settings.database.startswith("postgresql+psycopg://")
    assert settings.require_distinct_reviewer
    mapping = settings.role_mapping()
    claims = {"sub": "s", "email": "lead@hospital.test", "groups": ["itb-reviewers"]}
    assert permissions_from_claims(claims, mapping) == {"assessor", "reviewer", "admin"}


@pytest.mark.parametrize(
    ("env", "messages"),
    [
        (
            {"CANDIDACY_MODE": "team"},
            [
                "CANDIDACY_MODE=team needs PostgreSQL",
                "CANDIDACY_MODE=team needs a source of roles: CANDIDACY_ROLES_CLAIM and/or CANDIDACY_ALLOWED_USERS",
            ],
        ),
        ({"CANDIDACY_MODE": "teams"}, ["CANDIDACY_MODE: Input should be 'personal' or 'team'"]),
        ({"CANDIDACY_ALLOWED_USERS": "{oops"}, ["CANDIDACY_ALLOWED_USERS: is not valid JSON"]),
        (
            {"CANDIDACY_ALLOWED_USERS": '{"a@b.org": ["boss"]}'},
            ["CANDIDACY_ALLOWED_USERS['a@b.org'][0]: Input should be"],
        ),
        ({"CANDIDACY_ALLOWED_USERS": '{"not an address": ["reviewer"]}'}, ["keys must be e-mail addresses"]),
        (
            {"CANDIDACY_ROLE_VALUES": '{"g": ["reviewer"]}'},
            ["CANDIDACY_ROLE_VALUES is set but CANDIDACY_ROLES_CLAIM is not"],
        ),
        (
            {"CANDIDACY_REQUIRE_DISTINCT_REVIEWER": "perhaps"},
            ["CANDIDACY_REQUIRE_DISTINCT_REVIEWER: Input should be a valid boolean"],
        ),
        (
            {"CANDIDACY_OIDC_PROVIDER": "hospital_idp"},
            ["CANDIDACY_OIDC_PROVIDER: must be the name of an [auth.<name>] section"],
        ),
    ],
)
def test_bad_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], messages: list[str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    lines = [str(p) for p in caught.value.problems]
    assert len(lines) == len(messages)
    for line, message in zip(lines, messages, strict=True):
        assert message in line


def test_every_setting_is_documented_in_the_readme_and_the_module() -> None:
    from candidacy import settings as module
    from candidacy.settings import Settings

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        variable = f"CANDIDACY_{name.upper()}"
        assert variable in readme, variable
        assert variable in (module.__doc__ or ""), variable
