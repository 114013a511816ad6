"""Settings read once at start-up from the environment (prefix ``CANDIDACY_``), validated; a bad value
stops the app and the CLI with a message naming the variable.

CANDIDACY_MODE                    personal (default: one clinician, no sign-in) or team (OpenID
                                  Connect sign-in; needs PostgreSQL and a source of roles)
CANDIDACY_DATABASE_URL            sqlite:///path/to.db (default data/candidacy.db) or postgresql+psycopg://...
CANDIDACY_CRITERIA_DIR            the criteria folder (default: the project's criteria/)
CANDIDACY_DATA_DIR                the default SQLite file and the personal profile (default: the project's data/)
CANDIDACY_ROLES_CLAIM             team: token claim holding roles, a dotted path (roles, groups, realm_access.roles)
CANDIDACY_ROLE_VALUES             team: JSON, claim value -> permissions, e.g. {"itb-reviewers": ["reviewer"]};
                                  empty: the claim's values are the permission names themselves
CANDIDACY_ALLOWED_USERS           team: JSON allow-list, e-mail -> permissions, e.g. {"a@b.org": ["assessor"]}
CANDIDACY_REQUIRE_DISTINCT_REVIEWER  true: the reviewer who signs off must not be the last editor
CANDIDACY_OIDC_PROVIDER           team: name of the [auth.<name>] section in secrets.toml ("" = [auth] itself)
CANDIDACY_TIMEZONE, CANDIDACY_NOW the service's time zone and a set instant: read by candidacy.clock
CANDIDACY_FHIR_BASE               https base of the FHIR canonical URLs (Questionnaire, code systems); set
                                  it to an address your organisation controls before sharing Questionnaires
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from candidacy.errors import Problem, SettingsError
from candidacy.identity import Permission
from candidacy.identity.roles import RoleMapping

__all__ = ["PROJECT_ROOT", "Mode", "Settings", "SettingsError", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
Mode = Literal["personal", "team"]
_PROVIDER_NAME = re.compile(r"[A-Za-z0-9-]*")  # Streamlit: provider names cannot contain underscores


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANDIDACY_", extra="ignore", frozen=True, defer_build=True)

    mode: Mode = "personal"
    database_url: str = ""
    criteria_dir: Path = PROJECT_ROOT / "criteria"
    data_dir: Path = PROJECT_ROOT / "data"
    roles_claim: str = ""
    role_values: dict[str, list[Permission]] = {}
    allowed_users: dict[str, list[Permission]] = {}
    require_distinct_reviewer: bool = False
    oidc_provider: str = ""
    fhir_base: str = "https://candidacy.example.org/fhir"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql:// (or postgresql+psycopg://)")
        return value

    @field_validator("fhir_base")
    @classmethod
    def _https_base(cls, value: str) -> str:
        if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d+)?(/[A-Za-z0-9._~-]+)*/?", value):
            raise ValueError("must be an https URL without query or fragment, such as https://example.org/fhir")
        return value.rstrip("/")

    @field_validator("allowed_users")
    @classmethod
    def _addresses(cls, value: dict[str, list[Permission]]) -> dict[str, list[Permission]]:
        bad = [key for key in value if not re.fullmatch(r"[^@\s]+@[^@\s]+", key.strip())]
        if bad:
            raise ValueError(f"keys must be e-mail addresses; not: {', '.join(repr(b) for b in bad)}")
        return {key.strip().lower(): roles for key, roles in value.items()}

    @field_validator("oidc_provider")
    @classmethod
    def _provider_name(cls, value: str) -> str:
        if not _PROVIDER_NAME.fullmatch(value):
            raise ValueError("must be the name of an [auth.<name>] section: letters, digits and hyphens only")
        return value

    @model_validator(mode="after")
    def _team_needs(self) -> Settings:
        problems = []
        if self.role_values and not self.roles_claim:
            problems.append("CANDIDACY_ROLE_VALUES is set but CANDIDACY_ROLES_CLAIM is not: name the claim it reads")
        if self.mode == "team":
            if not self.database.startswith("postgresql"):
                problems.append(
                    "CANDIDACY_MODE=team needs PostgreSQL (several people at once): "
                    "set CANDIDACY_DATABASE_URL=postgresql://user@host/database"
                )
            if not self.roles_claim and not self.allowed_users:
                problems.append(
                    "CANDIDACY_MODE=team needs a source of roles: CANDIDACY_ROLES_CLAIM and/or CANDIDACY_ALLOWED_USERS"
                )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def database(self) -> str:
        """The database URL in use: the setting, or the SQLite file in the data folder."""
        if self.database_url:
            return self.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        return f"sqlite:///{self.data_dir / 'candidacy.db'}"

    def role_mapping(self) -> RoleMapping:
        """How a signed-in person's permissions are read (team mode)."""
        return RoleMapping(
            claim=self.roles_claim.strip(),
            claim_values={k: frozenset(v) for k, v in self.role_values.items()},
            allow_list={k: frozenset(v) for k, v in self.allowed_users.items()},
        )


def _where(loc: tuple[int | str, ...]) -> str:
    """CANDIDACY_ALLOWED_USERS['a@b.org'][0] for a value inside a field; the bare name otherwise."""
    if not loc:
        return ""
    head, *rest = loc
    return f"CANDIDACY_{str(head).upper()}" + "".join(f"[{part!r}]" for part in rest)


def load_settings() -> Settings:
    """The settings for the current CANDIDACY_ environment: validated once per distinct environment
    (about 3 ms each time otherwise, and the app asks several times per rerun)."""
    return _load(tuple(sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("CANDIDACY_"))))


@lru_cache(maxsize=16)
def _load(_environment: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            where = _where(tuple(e["loc"]))
            for message in e["msg"].removeprefix("Value error, ").split("\n"):
                problems.append(Problem(f"{where}: {message}" if where else message))
        raise SettingsError(problems) from None
    except SourceError as exc:  # a JSON setting that is not JSON
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"CANDIDACY_{field.group(1).upper()}" if field else "a CANDIDACY_ setting"
        raise SettingsError(f'{name}: is not valid JSON (for example {{"a@b.org": ["reviewer"]}})') from None
