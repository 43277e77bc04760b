"""The `studygame` command: thin click commands that call services."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame import __version__, migrations
from studygame.config import ConfigError, Settings, get_settings, normalize_database_url, redact_url
from studygame.db import (
    DatabaseUnavailable,
    get_engine,
    make_engine,
    one_off_engine,
    session_scope,
)
from studygame.errors import describe_connect_error
from studygame.redaction import install_log_redaction, redact
from studygame.services import optimizer
from studygame.services.backups.dump import BackupError, create_backup
from studygame.services.backups.export import (
    ExportError,
    export_file_name,
    export_zip,
    import_export_zip,
)
from studygame.services.backups.pg_client import ClientProblem
from studygame.services.backups.restore import (
    describe_replaced,
    prepare_restore,
    run_restore,
    verify_backup,
)
from studygame.services.content import ContentUnavailable, load_bank
from studygame.services.doctor import Check, run_checks
from studygame.services.learner import get_learner_settings
from studygame.services.legacy import importer as legacy
from studygame.services.schedule import rebuild_card_states

APP_ROOT = Path(__file__).resolve().parents[2]


def _settings_or_exit():
    try:
        return get_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


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
    settings = _settings_or_exit()
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
    settings = _settings_or_exit()
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
    _settings_or_exit()
    with session_scope() as session:
        retention = get_learner_settings(session).desired_retention
        cards = rebuild_card_states(session, desired_retention=retention)
    click.echo(f"Rebuilt {cards} card states (desired retention {retention:.2f}).")


@schedule.command()
@click.option("--dry-run", is_flag=True, help="Fit and compare, but save and change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def optimize(dry_run: bool, as_json: bool) -> None:
    """Fit FSRS to your reviews; apply it only if it predicts held-out days better beyond noise."""
    _settings_or_exit()
    with session_scope() as session:
        report = optimizer.optimize_schedule(session, now=datetime.now(UTC), dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(optimizer.report_as_dict(report), indent=2))
    else:
        click.echo("\n".join(optimizer.describe(report)))


# --- question bank ---------------------------------------------------------------------------


@main.group()
def content() -> None:
    """The question bank (MongoDB or the bundled sample decks)."""


@content.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def check(as_json: bool) -> None:
    """Load the question bank: questions per deck and type, every skipped document and why."""
    try:
        bank = load_bank(_settings_or_exit())
    except ContentUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        report = {
            "source": bank.source,
            "questions": len(bank.questions),
            "decks": bank.decks,
            "skipped": [{"id": s.id, "reason": s.reason} for s in bank.skipped],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(f"Source: {bank.source}")
    click.echo(f"Questions: {len(bank.questions)}")
    click.echo(f"Decks: {len(bank.decks)}")
    for deck, count in bank.decks.items():
        click.echo(f"  {count:>5}  {deck}")
    click.echo("Types: " + ", ".join(f"{kind} {n}" for kind, n in bank.types.items()))
    click.echo(f"Skipped documents: {len(bank.skipped)}")
    for skipped in bank.skipped:
        click.echo(f"  {skipped.id}: {skipped.reason}")


# --- Backups: `backup`, `backup verify`, `restore`, `export`, `import-export` ---


@contextmanager
def _one_sentence_errors(settings: Settings | None = None):
    """Show a backup, client or settings problem as `Error: <sentence>`, secrets redacted."""
    try:
        yield
    except (BackupError, ExportError, ClientProblem, ConfigError) as exc:
        message = str(exc) if settings is None else settings.redact(str(exc))
        raise click.ClickException(message) from None


def _postgres_settings_or_exit():
    settings = _settings_or_exit()
    if settings.uses_local_database:
        raise click.ClickException(
            "Backups need DATABASE_URL to point at Postgres; the local development database "
            f"is a single file you can copy: {settings.sqlalchemy_url.removeprefix('sqlite:///')}"
        )
    return settings


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.1f} kB"


@main.group(invoke_without_command=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("backups"),
    show_default=True,
    help="Folder for the dump and its manifest.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=14,
    show_default=True,
    help="How many of the newest backups to keep in that folder.",
)
@click.option("--no-compress", is_flag=True, help="Write a readable .sql instead of .sql.gz.")
@click.pass_context
def backup(ctx: click.Context, out: Path, keep: int, no_compress: bool) -> None:
    """Dump the study database (plain SQL, gzip) beside a manifest; keep the newest N."""
    if ctx.invoked_subcommand is not None:
        return

    settings = _postgres_settings_or_exit()

    shown_at = 0.0

    def progress(plain_bytes: int) -> None:
        nonlocal shown_at
        if time.monotonic() - shown_at >= 1:  # a line a second, not one per megabyte
            shown_at = time.monotonic()
            click.echo(f"\rDumping… {_megabytes(plain_bytes)} of SQL", nl=False, err=True)

    with _one_sentence_errors(settings):
        result = create_backup(
            database_url=settings.migration_url,
            out_dir=out,
            now=datetime.now(UTC),
            keep=keep,
            compress=not no_compress,
            progress=progress,
        )
    click.echo("", err=True)
    # The files rotation really deleted, by name: a count of "backups" would be a guess.
    removed = "; removed " + ", ".join(p.name for p in result.deleted) if result.deleted else ""
    click.echo(
        f"Backup {result.dump} ({_megabytes(result.size_bytes)}, {result.rows} rows, "
        f"{result.seconds:.1f} s), manifest {result.manifest.name}{removed}."
    )


@backup.command("verify")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    help="The server for the scratch database, and the live database to compare with when "
    "FILE has no manifest (default: DATABASE_URL).",
)
def backup_verify(file: Path, database_url: str | None) -> None:
    """Restore FILE into a scratch database and compare rows and checksums; exit 0 if equal."""
    with _one_sentence_errors():
        url = (
            normalize_database_url(database_url)
            if database_url
            else _postgres_settings_or_exit().migration_url
        )
    with _one_sentence_errors():
        result = verify_backup(file, database_url=url)
    rows = sum(stats.rows for stats in result.restored.values())
    if not result.ok:
        for difference in result.differences:
            click.echo(f"  {difference}")
        raise click.ClickException(
            f"{file.name} restores, but differs from {result.compared_with} in "
            f"{len(result.differences)} table(s)."
        )
    click.echo(
        f"{file.name} restores: {len(result.restored)} tables, {rows} rows, identical to "
        f"{result.compared_with}."
    )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database-url", required=True, help="The database to restore into (empty).")
@click.option("--force", is_flag=True, help="Replace the tables the target already has.")
def restore(file: Path, database_url: str, force: bool) -> None:
    """Restore a backup (.sql or .sql.gz) into an empty database with psql, all or nothing."""
    with _one_sentence_errors():
        url = normalize_database_url(database_url)
        plan = prepare_restore(file, database_url=url, force=force)
        if plan.replaced or plan.replaced_functions:
            click.echo(f"Replacing {describe_replaced(plan)}.")
        restored = run_restore(plan)
    rows = sum(stats.rows for stats in restored.values())
    checked = ", row counts match the manifest" if plan.manifest else ""
    click.echo(f"Restored {len(restored)} tables, {rows} rows into {redact_url(url)}{checked}.")
    engine = one_off_engine(url)
    status = migrations.schema_status(engine)
    engine.dispose()
    if status.at_head:
        click.echo(f"Schema at {status.current} (head).")
    else:
        click.echo(
            f"Schema at {status.current}, this StudyGame's head is {status.head}: run "
            "`studygame db upgrade` with DATABASE_URL set to this database."
        )


@main.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write (default: studygame-export-<UTC time>.zip here).",
)
def export(out: Path | None) -> None:
    """Write a portable zip: one CSV per table and a manifest. Needs no pg_dump."""
    settings = _postgres_settings_or_exit()
    now = datetime.now(UTC)
    out = out or Path(export_file_name(now))
    engine = make_engine(settings, direct=True).execution_options(
        isolation_level="REPEATABLE READ"  # one snapshot for every table
    )
    try:
        with _one_sentence_errors(settings), session_scope(engine) as s:
            data = export_zip(s, now=now)
    except OperationalError as exc:
        raise click.ClickException(describe_connect_error(exc, engine)) from None
    finally:
        engine.dispose()
    out.write_bytes(data)
    click.echo(f"Export {out} ({_megabytes(len(data))}).")


@main.command("import-export")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--database-url", help="The empty database to load into (default: DATABASE_URL).")
def import_export(file: Path, database_url: str | None) -> None:
    """Load a `studygame export` zip into an empty database, at the current schema."""
    with _one_sentence_errors():
        url = (
            normalize_database_url(database_url)
            if database_url
            else _postgres_settings_or_exit().migration_url
        )
    engine = one_off_engine(url)
    try:
        with _one_sentence_errors(), session_scope(engine) as s:
            counts = import_export_zip(s, archive=file, now=datetime.now(UTC))
    except OperationalError as exc:
        raise click.ClickException(describe_connect_error(exc, engine)) from None
    finally:
        engine.dispose()
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables; schema at head.")


@main.command("import-legacy")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and count everything, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def import_legacy(path: Path, dry_run: bool, as_json: bool) -> None:
    """Import the old app's SQLite file (study.db) into the database; safe to run again."""
    _settings_or_exit()
    engine = get_engine()
    with contextlib.ExitStack() as stack:
        bar = None
        if not as_json:
            bar = stack.enter_context(click.progressbar(length=0, label=f"Reading {path.name}"))

        def show(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        try:
            if not migrations.schema_status(engine).at_head:
                raise click.ClickException(
                    "The database schema is not up to date: run `studygame db upgrade` first."
                )
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
