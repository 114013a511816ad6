"""Who is acting, through the app (AppTest): the personal profile asked once and kept, and team mode
with the claims of a real sign-in at the local OpenID provider (``st.user`` as ``st.login`` leaves it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from candidacy.identity.profile import profile_path

from .conftest import ROOT
from .oidc_support import ASSESSOR, REVIEWER, STRANGER, auth_section, oidc_provider, sign_in_claims
from .pg_support import fresh_database
from .store_fixtures import app_store as db

APP = str(ROOT / "app.py")


def session(user: dict[str, Any] | None = None, issuer: str = "") -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    if user is not None:
        app.user = user
    if issuer:
        app.secrets["auth"] = auth_section(issuer)
    app.run()
    assert not app.exception
    return app


def sidebar_text(app: AppTest) -> str:
    return " ".join(m.value for m in app.sidebar.markdown)


# --- personal mode ----------------------------------------------------------------------------------


def test_personal_name_is_asked_once_required_before_saving_and_kept() -> None:
    app = session()
    assert "Who is assessing?" in sidebar_text(app)
    app.button(key="case-save-new").click().run()  # nothing is saved without a name
    assert any("Give your name and role in the sidebar first" in e.value for e in app.error)
    assert db().list_cases() == []

    app.text_input(key="profile-name").input("Dr A. Example")
    app.button(key="profile-save").click().run()
    assert any("role: is required" in e.value for e in app.sidebar.error)  # both are asked for
    app.text_input(key="profile-role").input("Consultant in rehabilitation")
    app.button(key="profile-save").click().run()
    assert "Dr A. Example" in sidebar_text(app)
    assert "Who is assessing?" not in sidebar_text(app)
    app.button(key="case-save-new").click().run()
    assert [e.who() for e in db().audit_trail(1)] == ["Dr A. Example (Consultant in rehabilitation), personal"] * 2

    # A reload (a new session) and a restarted server read the same profile: no question, no blank name.
    again = session()
    assert "Dr A. Example" in sidebar_text(again) and "Who is assessing?" not in sidebar_text(again)
    assert profile_path(Path(os.environ["CANDIDACY_DATA_DIR"])).exists()


def test_changing_the_profile_applies_from_the_next_action() -> None:
    app = session()
    app.text_input(key="profile-name").input("Dr A")
    app.text_input(key="profile-role").input("Registrar")
    app.button(key="profile-save").click().run()
    app.text_input(key="profile-name").input("Dr B")  # the form inside "Change name or role"
    app.text_input(key="profile-role").input("Consultant")
    app.button(key="profile-save").click().run()
    assert "Dr B" in sidebar_text(app)
    app.button(key="case-save-new").click().run()
    assert {e.who() for e in db().audit_trail(1)} == {"Dr B (Consultant), personal"}


def test_a_damaged_profile_is_reported_and_asked_again() -> None:
    folder = Path(os.environ["CANDIDACY_DATA_DIR"])
    folder.mkdir(parents=True)
    profile_path(folder).write_text("{broken", encoding="utf-8")
    app = session()
    assert any("The saved profile cannot be used" in e.value and "is not JSON" in e.value for e in app.sidebar.error)
    app.button(key="case-save-new").click().run()
    assert db().list_cases() == []


# --- team mode --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with oidc_provider() as url:
        yield url


@pytest.fixture
def team(pg_server: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    url = fresh_database(pg_server, f"app_{abs(hash(request.node.name)) % 10**8}")
    monkeypatch.setenv("CANDIDACY_MODE", "team")
    monkeypatch.setenv("CANDIDACY_DATABASE_URL", url)
    monkeypatch.setenv("CANDIDACY_ROLES_CLAIM", "roles")
    return url


def signed_in(issuer: str, person: Any) -> dict[str, Any]:
    return {"is_logged_in": True, **sign_in_claims(issuer, person)}


def test_team_mode_shows_nothing_before_sign_in(team: str, issuer: str) -> None:
    app = session({"is_logged_in": False}, issuer)
    assert [t.value for t in app.title] == ["Sign in"]
    assert [b.key for b in app.button] == ["sign-in"]
    assert not app.button_group and not app.sidebar.markdown


def test_team_mode_without_auth_secrets_says_what_is_missing(team: str) -> None:
    app = session({"is_logged_in": False})
    assert any(
        "the [auth] section of .streamlit/secrets.toml is missing" in e.value.replace("\\", "") for e in app.error
    )
    assert not app.title


def test_signed_in_reviewer_is_recorded_with_the_token_identity(team: str, issuer: str) -> None:
    app = session(signed_in(issuer, REVIEWER), issuer)
    assert "Dr Rhea Viewer" in sidebar_text(app) and "assessor, reviewer" in sidebar_text(app)
    assert not app.sidebar.text_input  # no name to type in team mode
    app.button(key="case-save-new").click().run()
    assert not app.exception
    actors = {e.who() for e in db().audit_trail(1)}
    assert actors == {"Dr Rhea Viewer (assessor, reviewer), signed in as rhea.viewer@hospital.test"}


def test_signed_in_without_a_role_is_turned_away(team: str, issuer: str) -> None:
    app = session(signed_in(issuer, STRANGER), issuer)
    assert [t.value for t in app.title] == ["No role in candidacy"]
    assert any("Pat Nobody" in w.value and "has no role" in w.value for w in app.warning)
    assert [b.key for b in app.button] == ["sign-out-norole"]
    app.button(key="sign-out-norole").click().run()  # st.logout: the browser goes to the logout endpoint
    app.run()  # and comes back signed out
    assert [t.value for t in app.title] == ["Sign in"]


def test_assessor_signs_in_with_assessor_role_only(team: str, issuer: str) -> None:
    app = session(signed_in(issuer, ASSESSOR), issuer)
    assert "Dr Asa Sessor" in sidebar_text(app)
    assert "assessor" in sidebar_text(app) and "reviewer" not in sidebar_text(app)


def test_distinct_reviewer_setting_reaches_the_store(team: str, issuer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANDIDACY_REQUIRE_DISTINCT_REVIEWER", "true")
    app = session(signed_in(issuer, REVIEWER), issuer)
    app.button(key="case-save-new").click().run()
    app.button_group(key="itb_pump-answer-active_infection").set_value("no").run()
    app.button(key="case-ready").click().run()
    app.checkbox(key="review-acknowledge").check().run()
    app.button(key="case-review").click().run()
    assert any("Dr Rhea Viewer made the last change to this revision" in e.value for e in app.error)
    assert db().get(1).sign_off is None
