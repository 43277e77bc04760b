"""Alembic environment: the URL comes from studygame's settings, never from alembic.ini."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from studygame.config import get_settings
from studygame.db import make_engine
from studygame.models import Base, UTCDateTime

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# Used by autogenerate and `alembic check` only; revisions never import the models.
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context) -> str | bool:
    """Write the app's UTC type as a plain timestamptz, so revisions never import the models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # A caller (studygame's CLI, the tests) may hand over an open connection.
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    with make_engine(get_settings(), direct=True).connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    context.configure(url=get_settings().migration_url, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
