"""Run Alembic from code (the CLI, the tests) and tell whether a database is at head."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine


def find_alembic_ini() -> Path:
    """alembic.ini beside the source tree (editable install) or in the working folder."""
    candidates = (Path(__file__).resolve().parents[2], Path.cwd())
    for folder in candidates:
        if (folder / "alembic.ini").is_file():
            return folder / "alembic.ini"
    raise FileNotFoundError(
        "alembic.ini not found: run this from the StudyGame folder (where alembic.ini is)."
    )


def alembic_config() -> Config:
    """Alembic's config for this project, with logging left to the caller."""
    config = Config(find_alembic_ini())
    config.attributes["configure_logger"] = False
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on this engine's database, in one transaction."""
    with engine.begin() as connection:
        upgrade_connection(connection, revision)


def upgrade_connection(connection: Connection, revision: str = "head") -> None:
    """Apply migrations inside the caller's transaction, so they commit or roll back with it."""
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo migrations down to `revision` (use "base" for an empty schema)."""
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str

    @property
    def at_head(self) -> bool:
        return self.current == self.head


@functools.cache
def head_revision() -> str:
    """The newest revision this code knows; read once, since the files do not change."""
    # Parsing every revision file costs ~15 ms, and Home asks on each rerun.
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def schema_status(engine: Engine) -> SchemaStatus:
    """The database's Alembic revision next to the newest one this code knows."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=current, head=head_revision())
