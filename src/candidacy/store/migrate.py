"""Schema migrations with Alembic, applied at start-up, without an alembic.ini.

A database at an older schema is upgraded; one at a schema this version does not know (written by a
newer candidacy) is refused, so nothing is written into a shape the code does not understand.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from candidacy.errors import SchemaError

__all__ = ["SchemaError", "current_revision", "head_revision", "migrate"]

_SCRIPTS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, target: str = "head") -> None:
    config = _config()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    current = current_revision(engine)
    if current is not None and current not in known:
        raise SchemaError(
            f"the database is at schema revision '{current}', which this version of candidacy does not know "
            f"(it knows up to '{head_revision()}'); it was written by a newer candidacy. Upgrade candidacy, "
            "or point CANDIDACY_DATABASE_URL at another database."
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, target)
