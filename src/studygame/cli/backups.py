"""Backups and exports: `backup`, `backup verify`, `restore`, `export`, `import-export`."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError

from studygame import migrations
from studygame.cli.common import megabytes, one_sentence_errors, postgres_settings_or_exit
from studygame.config import normalize_database_url, redact_url
from studygame.db import make_engine, one_off_engine, session_scope
from studygame.errors import describe_connect_error
from studygame.services.backups.dump import create_backup
from studygame.services.backups.export import export_file_name, export_zip, import_export_zip
from studygame.services.backups.restore import (
    describe_replaced,
    prepare_restore,
    run_restore,
    verify_backup,
)


@click.group(invoke_without_command=True)
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

    settings = postgres_settings_or_exit()

    shown_at = 0.0

    def progress(plain_bytes: int) -> None:
        nonlocal shown_at
        if time.monotonic() - shown_at >= 1:  # a line a second, not one per megabyte
            shown_at = time.monotonic()
            click.echo(f"\rDumping… {megabytes(plain_bytes)} of SQL", nl=False, err=True)

    with one_sentence_errors(settings):
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
        f"Backup {result.dump} ({megabytes(result.size_bytes)}, {result.rows} rows, "
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
    with one_sentence_errors():
        url = (
            normalize_database_url(database_url)
            if database_url
            else postgres_settings_or_exit().migration_url
        )
    with one_sentence_errors():
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


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database-url", required=True, help="The database to restore into (empty).")
@click.option("--force", is_flag=True, help="Replace the tables the target already has.")
def restore(file: Path, database_url: str, force: bool) -> None:
    """Restore a backup (.sql or .sql.gz) into an empty database with psql, all or nothing."""
    with one_sentence_errors():
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


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write (default: studygame-export-<UTC time>.zip here).",
)
def export(out: Path | None) -> None:
    """Write a portable zip: one CSV per table and a manifest. Needs no pg_dump."""
    settings = postgres_settings_or_exit()
    now = datetime.now(UTC)
    out = out or Path(export_file_name(now))
    engine = make_engine(settings, direct=True).execution_options(
        isolation_level="REPEATABLE READ"  # one snapshot for every table
    )
    try:
        with one_sentence_errors(settings), session_scope(engine) as s:
            data = export_zip(s, now=now)
    except OperationalError as exc:
        raise click.ClickException(describe_connect_error(exc, engine)) from None
    finally:
        engine.dispose()
    out.write_bytes(data)
    click.echo(f"Export {out} ({megabytes(len(data))}).")


@click.command("import-export")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--database-url", help="The empty database to load into (default: DATABASE_URL).")
def import_export(file: Path, database_url: str | None) -> None:
    """Load a `studygame export` zip into an empty database, at the current schema."""
    with one_sentence_errors():
        url = (
            normalize_database_url(database_url)
            if database_url
            else postgres_settings_or_exit().migration_url
        )
    engine = one_off_engine(url)
    try:
        with one_sentence_errors(), session_scope(engine) as s:
            counts = import_export_zip(s, archive=file, now=datetime.now(UTC))
    except OperationalError as exc:
        raise click.ClickException(describe_connect_error(exc, engine)) from None
    finally:
        engine.dispose()
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables; schema at head.")
