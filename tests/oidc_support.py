"""A local OpenID Connect provider for the sign-in tests (oidc-provider-mock on 127.0.0.1), the
secrets.toml that points Streamlit at it, and a real authorization-code sign-in without a browser.

The provider issues signed ID tokens for the users given to it; its sign-in page lists them as
buttons. Streamlit reads the [auth] section from the file named by STREAMLIT_SECRETS_FILES (the
``secrets.files`` option), so nothing is written into the project's .streamlit/ folder.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import KeySet
from oidc_provider_mock import User
from oidc_provider_mock import app as provider_app

CLIENT_ID = "candidacy-test"
# A throwaway value made for this test run; a real deployment keeps its secret out of the repository.
CLIENT_SECRET = secrets.token_urlsafe(24)
COOKIE_SECRET = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Person:
    """A user of the test provider: ``sub`` is what its sign-in page shows as a button."""

    sub: str
    name: str
    email: str
    roles: tuple[str, ...] = ()

    def user(self) -> User:
        claims: dict[str, object] = {"name": self.name, "email": self.email, "email_verified": True}
        if self.roles:
            claims["roles"] = list(self.roles)
        return User(sub=self.sub, claims=claims)


REVIEWER = Person("rev", "Dr Rhea Viewer", "rhea.viewer@hospital.test", ("assessor", "reviewer"))
ASSESSOR = Person("ass", "Dr Asa Sessor", "asa.sessor@hospital.test", ("assessor",))
STRANGER = Person("who", "Pat Nobody", "pat.nobody@hospital.test")
PEOPLE = (REVIEWER, ASSESSOR, STRANGER)


class _QuietHandler(werkzeug.serving.WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """No access log: pytest's output stays readable."""


@contextmanager
def oidc_provider(people: tuple[Person, ...] = PEOPLE) -> Iterator[str]:
    """Run the provider on a free 127.0.0.1 port in this process; yield its issuer URL."""
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on 127.0.0.1, for this test only
    server = werkzeug.serving.make_server(
        "127.0.0.1",
        0,
        provider_app(user_claims=[p.user() for p in people]),
        threaded=True,
        request_handler=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


def auth_section(issuer: str) -> dict[str, str]:
    """The [auth] section for a Streamlit server on 127.0.0.1 (``{port}`` is filled in by Streamlit)."""
    return {
        "redirect_uri": "http://127.0.0.1:{port}/oauth2callback",
        "cookie_secret": COOKIE_SECRET,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "server_metadata_url": f"{issuer}/.well-known/openid-configuration",
    }


def write_secrets(folder: Path, issuer: str) -> Path:
    """A secrets.toml with only the [auth] section, in a temporary folder; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.toml"
    lines = ["[auth]", *(f'{key} = "{value}"' for key, value in auth_section(issuer).items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def team_env(database_url: str, secrets_file: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment of a team-mode app server: PostgreSQL, roles from the ``roles`` claim, our secrets."""
    return {
        "CANDIDACY_MODE": "team",
        "CANDIDACY_DATABASE_URL": database_url,
        "CANDIDACY_DATA_DIR": str(data_dir),
        "CANDIDACY_ROLES_CLAIM": "roles",
        "STREAMLIT_SECRETS_FILES": str(secrets_file),
        **extra,
    }


def sign_in_claims(
    issuer: str, person: Person, redirect_uri: str = "http://127.0.0.1:8501/oauth2callback"
) -> dict[str, Any]:
    """Sign in for real without a browser: authorization code flow, token exchange, ID token checked
    against the provider's keys; return the token's claims (what ``st.user`` shows after ``st.login``)."""
    with httpx.Client(timeout=30) as client:
        meta = client.get(f"{issuer}/.well-known/openid-configuration").raise_for_status().json()
        params = {
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "openid profile email",
            "state": secrets.token_urlsafe(8),
            "nonce": secrets.token_urlsafe(8),
        }
        chosen = client.post(meta["authorization_endpoint"], params=params, data={"sub": person.sub})
        assert chosen.status_code == 302, chosen.text
        query = parse_qs(urlparse(chosen.headers["location"]).query)
        assert query["state"] == [params["state"]]
        token = client.post(
            meta["token_endpoint"],
            data={"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": redirect_uri},
            auth=(CLIENT_ID, CLIENT_SECRET),
        ).raise_for_status()
        keys = KeySet.import_key_set(client.get(meta["jwks_uri"]).raise_for_status().json())
    decoded = jwt.decode(token.json()["id_token"], keys)
    claims: Mapping[str, Any] = decoded.claims
    assert claims["iss"] == meta["issuer"] and claims["aud"] in (CLIENT_ID, [CLIENT_ID])
    assert claims["nonce"] == params["nonce"]
    return dict(claims)
