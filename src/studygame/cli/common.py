"""What every `studygame` command shares: reading the settings, and one-sentence errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine

from studygame import migrations
from studygame.config import ConfigError, Settings, get_settings
from studygame.services.backups.dump import BackupError
from studygame.services.backups.export import ExportError
from studygame.services.backups.pg_client import ClientProblem


def settings_or_exit() -> Settings:
    """The app's settings, or `Error:` and the sentence that says what is wrong with them."""
    try:
        return get_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def one_sentence_errors(settings: Settings | None = None) -> Iterator[None]:
    """Show a backup, client or settings problem as `Error: <sentence>`, secrets redacted."""
    try:
        yield
    except (BackupError, ExportError, ClientProblem, ConfigError) as exc:
        message = str(exc) if settings is None else settings.redact(str(exc))
        raise click.ClickException(message) from None


def postgres_settings_or_exit() -> Settings:
    """The settings, when they point at Postgres (what backups need)."""
    settings = settings_or_exit()
    if settings.uses_local_database:
        raise click.ClickException(
            "Backups need DATABASE_URL to point at Postgres; the local development database "
            f"is a single file you can copy: {settings.sqlalchemy_url.removeprefix('sqlite:///')}"
        )
    return settings


def megabytes(size: int) -> str:
    """A file size for a person: kB below 100 kB, MB above."""
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


def require_schema_at_head(engine: Engine) -> None:
    """Stop with the fix when the database has not been upgraded to this code's schema."""
    if not migrations.schema_status(engine).at_head:
        raise click.ClickException(
            "The database schema is not up to date: run `studygame db upgrade` first."
        )
