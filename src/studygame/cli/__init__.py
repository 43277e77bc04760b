"""The `studygame` command: thin click commands that call services."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame import __version__, migrations
from studygame.cli import backups, content
from studygame.cli.common import require_schema_at_head, settings_or_exit
from studygame.config import ConfigError, get_settings
from studygame.db import DatabaseUnavailable, get_engine, make_engine, session_scope
from studygame.errors import describe_connect_error
from studygame.redaction import install_log_redaction, redact
from studygame.services import optimizer
from studygame.services.doctor import Check, run_checks
from studygame.services.learner import get_learner_settings
from studygame.services.legacy import importer as legacy
from studygame.services.schedule import rebuild_card_states

APP_ROOT = Path(__file__).resolve().parents[3]


LOOPBACK_ADDRESSES = {"127.0.0.1", "localhost", "::1"}


class OneSentenceErrors(click.Group):
    """The `studygame` group: whatever a command raises ends as one redacted `Error:` line."""

    def invoke(self, ctx: click.Context):
        try:
            secrets = get_settings().secret_values()
        except ConfigError:
            secrets = set()  # the command itself says what is wrong with the settings
        install_log_redaction(secrets)
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort):
            raise
        except click.ClickException as exc:
            exc.message = redact(exc.message, secrets)
            raise
        except Exception as exc:  # a traceback could carry the URL; one sentence cannot
            raise click.ClickException(redact(describe_failure(exc), secrets)) from None


def describe_failure(exc: Exception) -> str:
    """One sentence for an error no command caught: settings, database, or anything else."""
    if isinstance(exc, OperationalError):
        return f"{describe_connect_error(exc)}."
    if isinstance(exc, (ConfigError, DatabaseUnavailable)):
        return str(exc)
    if isinstance(exc, DBAPIError):
        return f"The database refused the command ({type(exc.orig or exc).__name__})."
    lines = str(exc).strip().splitlines()
    return f"Unexpected {type(exc).__name__}: {lines[0] if lines else 'no message'}"


@click.group(cls=OneSentenceErrors)
@click.version_option(__version__, prog_name="studygame")
def main() -> None:
    """StudyGame: a self-hosted study game for one learner."""


@main.command()
@click.option("--port", default=8501, show_default=True, help="Port to serve the app on.")
@click.option(
    "--address",
    help="Interface to listen on (default: 127.0.0.1 in local development, 0.0.0.0 on a host).",
)
def run(port: int, address: str | None) -> None:
    """Start the app (upgrading the local development database first)."""
    settings = settings_or_exit()
    if settings.uses_local_database:
        _upgrade(make_engine(settings, direct=True))
    # Local development has the PIN gate off: only this machine may reach it unless asked.
    address = address or ("0.0.0.0" if settings.hosted else "127.0.0.1")
    if address not in LOOPBACK_ADDRESSES and settings.app_pin is None:
        click.echo(
            f"Warning: serving on {address} with no APP_PIN: anyone who can reach this "
            "machine can study and change settings. Set APP_PIN to lock it.",
            err=True,
        )
    home = APP_ROOT / "Home.py" if (APP_ROOT / "Home.py").is_file() else Path("Home.py")
    command = [
        sys.executable, "-m", "streamlit", "run", str(home),
        f"--server.port={port}", f"--server.address={address}",
    ]  # fmt: skip
    raise SystemExit(subprocess.call(command))


@main.group()
def db() -> None:
    """The database schema."""


@db.command()
def upgrade() -> None:
    """Apply every migration (the same as `alembic upgrade head`), on the direct URL."""
    settings = settings_or_exit()
    if settings.direct_url_is_derived():
        host = urlsplit(settings.migration_url).hostname
        click.echo(
            f"Warning: DATABASE_URL is a pooled endpoint (-pooler) and DATABASE_URL_DIRECT is "
            f"unset: migrating on {host}, its name without '-pooler'. Set DATABASE_URL_DIRECT "
            "if that is not your direct endpoint: DDL must not go through a transaction pooler.",
            err=True,
        )
    status, rescheduled = _upgrade(make_engine(settings, direct=True))
    click.echo(f"Schema at {status.current} (head).")
    if rescheduled:
        click.echo(
            f"Imported the old SQLite file; rebuilt the schedule of {rescheduled} questions."
        )


def _upgrade(engine) -> tuple[migrations.SchemaStatus, int]:
    """Migrate to head, then reschedule what revision 0002 imported; one sentence on failure."""
    try:
        with session_scope(engine) as session:
            before = legacy.latest_import_id(session)
        migrations.upgrade(engine)
        # Revision 0002 may import the old SQLite file; it leaves the schedule to us.
        with session_scope(engine) as session:
            question_ids = legacy.question_ids_imported_after(session, import_id=before)
            if question_ids:
                rebuild_card_states(
                    session,
                    question_ids=question_ids,
                    desired_retention=get_learner_settings(session).desired_retention,
                )
        return migrations.schema_status(engine), len(question_ids)
    except OperationalError as exc:
        raise click.ClickException(describe_connect_error(exc, engine)) from None
    except legacy.LegacyFileError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object per check: name, ok, message, fix."
)
def doctor(as_json: bool) -> None:
    """Check settings, database, question bank and backup tools; exit 1 if anything is wrong."""
    try:
        checks = run_checks(get_settings())
    except ConfigError as exc:
        checks = [Check("settings", False, str(exc))]
    if as_json:
        click.echo(json.dumps([check.as_dict() for check in checks], indent=2))
    else:
        for check in checks:
            mark = "ok  " if check.ok else "FAIL"
            click.echo(f"{mark} {check.name:<14} {check.detail}")
    if not all(check.ok for check in checks):
        raise SystemExit(1)


@main.group()
def schedule() -> None:
    """The spaced-repetition schedule (FSRS card states)."""


@schedule.command()
def rebuild() -> None:
    """Recompute every card state by replaying all attempts in time order."""
    settings_or_exit()
    with session_scope() as session:
        retention = get_learner_settings(session).desired_retention
        cards = rebuild_card_states(session, desired_retention=retention)
    click.echo(f"Rebuilt {cards} card states (desired retention {retention:.2f}).")


@schedule.command()
@click.option("--dry-run", is_flag=True, help="Fit and compare, but save and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def optimize(dry_run: bool, as_json: bool) -> None:
    """Fit FSRS to your reviews; apply it only if it predicts held-out days better beyond noise."""
    settings_or_exit()
    with session_scope() as session:
        report = optimizer.optimize_schedule(session, now=datetime.now(UTC), dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(optimizer.report_as_dict(report), indent=2))
    else:
        click.echo("\n".join(optimizer.describe(report)))


@main.command("import-legacy")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and count everything, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def import_legacy(path: Path, dry_run: bool, as_json: bool) -> None:
    """Import the old app's SQLite file (study.db) into the database; safe to run again."""
    settings_or_exit()
    engine = get_engine()
    with contextlib.ExitStack() as stack:
        bar = None
        if not as_json:
            bar = stack.enter_context(click.progressbar(length=0, label=f"Reading {path.name}"))

        def show(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            require_schema_at_head(engine)
            with session_scope(engine) as session:
                report = legacy.import_legacy_file(
                    session, path=path, dry_run=dry_run, progress=show if bar else None
                )
                if report.question_ids and not dry_run:
                    rebuild_card_states(
                        session,
                        question_ids=report.question_ids,
                        desired_retention=get_learner_settings(session).desired_retention,
                    )
        except legacy.LegacyFileError as exc:
            raise click.ClickException(str(exc)) from None
        except OperationalError as exc:
            raise click.ClickException(describe_connect_error(exc, engine)) from None
    if as_json:
        click.echo(json.dumps(report.as_json()))
        return
    reasons = ", ".join(
        f"{count} {reason}" for reason, count in report.reject_reasons.items() if count
    )
    rejected = f"{report.rejected} rejected" + (f" ({reasons})" if reasons else "")
    click.echo(
        f"Read {report.read} answers from {path.name}: {report.imported} imported, "
        f"{rejected}, {report.already_imported} already imported."
    )
    if dry_run:
        click.echo("Dry run: nothing was written.")
    elif report.question_ids:
        click.echo(f"Rebuilt the schedule of {len(report.question_ids)} questions.")


main.add_command(content.content)
main.add_command(content.cards)
main.add_command(backups.backup)
main.add_command(backups.restore)
main.add_command(backups.export)
main.add_command(backups.import_export)
