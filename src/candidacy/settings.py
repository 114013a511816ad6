"""Settings read once at start-up from the environment (prefix ``CANDIDACY_``), validated.

CANDIDACY_DATABASE_URL   sqlite:///path/to.db (default data/candidacy.db) or postgresql+psycopg://...
CANDIDACY_CRITERIA_DIR   the criteria folder (default: the project's criteria/)
CANDIDACY_DATA_DIR       where the default SQLite file lives (default: the project's data/)
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from candidacy.errors import Problem, SettingsError

__all__ = ["PROJECT_ROOT", "Settings", "SettingsError", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANDIDACY_", extra="ignore")

    database_url: str = ""
    criteria_dir: Path = PROJECT_ROOT / "criteria"
    data_dir: Path = PROJECT_ROOT / "data"

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql:// (or postgresql+psycopg://)")
        return value

    @property
    def database(self) -> str:
        """The database URL in use: the setting, or the SQLite file in the data folder."""
        if self.database_url:
            return self.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        return f"sqlite:///{self.data_dir / 'candidacy.db'}"


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(
            [Problem(f"CANDIDACY_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}") for e in exc.errors()]
        ) from None
