"""The portable export: a zip of one CSV per table and a manifest, for when no pg_dump fits.

Postgres COPY writes and reads the CSVs, so NULLs, empty strings, JSON and timestamps come
back exactly; the manifest's per-table checksums prove it after every import.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import IO

import psycopg
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.orm import Session

from studygame import migrations
from studygame.domain.answer_time import answer_time_problem
from studygame.migrations import alembic_config
from studygame.services.backups.dump import (
    CHUNK,
    TABLE_NAME,
    TableStats,
    compare_stats,
    revision_stats,
    table_stats,
)

EXPORT_FORMAT = "studygame-export/1"
MANIFEST = "manifest.json"
# Alembic writes its own table when the import builds the schema.
NOT_EXPORTED = frozenset({"alembic_version"})
ATTEMPTS = "attempts"
REFUSALS_LISTED = 5


class ExportError(RuntimeError):
    """An export or import could not be done; the message is one sentence."""


def export_file_name(now: datetime) -> str:
    """The export's file name: its UTC time to the minute."""
    return f"studygame-export-{now:%Y-%m-%dT%H%M}Z.zip"


def export_zip(session: Session, *, now: datetime) -> bytes:
    """The whole study database as zip bytes, for `studygame export` and the Settings page.

    Give it a REPEATABLE READ session to have every table from one snapshot.
    """
    connection = _postgres_connection(session)
    stats = table_stats(connection)
    manifest = {
        "format": EXPORT_FORMAT,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "server_version": connection.execute(text("SHOW server_version")).scalar_one(),
        "alembic_revision": MigrationContext.configure(connection).get_current_revision(),
        "tables": {name: {"rows": s.rows, "checksum": s.checksum} for name, s in stats.items()},
    }
    buffer = io.BytesIO()
    cursor = connection.connection.driver_connection.cursor()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive, cursor:
        for name in sorted(stats.keys() - NOT_EXPORTED):
            copy_out = f"COPY public.{_quote(name)} TO STDOUT WITH (FORMAT csv, HEADER true)"
            with archive.open(f"{name}.csv", "w") as member, cursor.copy(copy_out) as copy:
                for data in copy:
                    member.write(data)
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return buffer.getvalue()


def import_export_zip(
    session: Session, *, archive: Path | IO[bytes], now: datetime
) -> dict[str, int]:
    """Load an export into an empty database at its schema, check it, then upgrade to head.

    All in the caller's transaction: any problem leaves the database as it was. An answer
    that could not be recorded at `now` (domain/answer_time.py) refuses the whole file.
    Returns the rows loaded per table.
    """
    connection = _postgres_connection(session)
    with _open_archive(archive) as zipped:
        revision, expected = _read_manifest(zipped)
        _require_matching_revision(connection, revision, expected)
        _require_answers_in_the_window(zipped, now=now)
        _require_empty(connection, revision)
        try:
            migrations.upgrade_connection(connection, revision)
        except CommandError:
            raise ExportError(
                f"This export is at schema {revision}, which this StudyGame does not know: "
                "upgrade StudyGame first."
            ) from None
        metadata = MetaData()
        metadata.reflect(bind=connection)
        tables = [
            table
            for table in metadata.sorted_tables
            if table.name in expected and table.name not in NOT_EXPORTED
        ]
        # The export already holds the tables that triggers derive (the Progress rollups
        # of revision 0003): with the triggers on, loading `attempts` would count it twice.
        _set_triggers(connection, tables, "DISABLE")
        for table in tables:
            _copy_in(connection, zipped, table.name, set(table.columns.keys()))
        _set_triggers(connection, tables, "ENABLE")
    _reset_sequences(connection)
    loaded = table_stats(connection)
    differences = compare_stats(expected, loaded)
    if differences:
        raise ExportError(f"The export does not load as its manifest says: {differences[0]}.")
    migrations.upgrade_connection(connection, "head")
    return {name: s.rows for name, s in loaded.items() if name not in NOT_EXPORTED}


def _set_triggers(connection: Connection, tables: list, action: str) -> None:
    for table in tables:
        connection.execute(text(f"ALTER TABLE public.{_quote(table.name)} {action} TRIGGER USER"))


def _postgres_connection(session: Session) -> Connection:
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        raise ExportError(
            "The export needs Postgres; the local development database is a single file "
            "you can copy instead."
        )
    return connection


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _open_archive(archive: Path | IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError):
        raise ExportError("This file is not a StudyGame export (not a readable zip).") from None


def _read_manifest(zipped: zipfile.ZipFile) -> tuple[str, dict[str, TableStats]]:
    try:
        manifest = json.loads(zipped.read(MANIFEST))
        tables = {name: TableStats(**s) for name, s in manifest["tables"].items()}
        revision = manifest["alembic_revision"]
        valid = (
            manifest["format"] == EXPORT_FORMAT
            and isinstance(revision, str)
            and all(map(TABLE_NAME.match, tables))
        )
    except (KeyError, TypeError, ValueError, zipfile.BadZipFile):
        valid = False
    if not valid:
        raise ExportError(
            "This zip is not a StudyGame export (its manifest.json is missing or bad)."
        )
    return revision, tables


def _require_matching_revision(
    connection: Connection, revision: str, expected: dict[str, TableStats]
) -> None:
    # The manifest's alembic_version checksum records the revision the data was taken at:
    # a manifest naming another one would load the rows into the wrong schema.
    recorded = expected.get("alembic_version")
    if recorded is None or revision_stats(connection, revision) == recorded:
        return
    known = (
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    )
    actual = next((r for r in known if revision_stats(connection, r) == recorded), None)
    raise ExportError(
        f"This export's manifest names schema revision {revision}, but the database it was "
        f"taken from was at {actual or 'a revision this StudyGame does not know'}: the "
        "manifest does not match the data, so nothing was imported."
    )


def _require_answers_in_the_window(zipped: zipfile.ZipFile, *, now: datetime) -> None:
    # Checked before anything is built, so the refusal names every answer with its reason
    # (the CHECK constraint would stop only at the first, in Postgres's words).
    member_name = f"{ATTEMPTS}.csv"
    if member_name not in zipped.namelist():
        return
    refused = []
    try:
        with zipped.open(member_name) as member:
            for row in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8", newline="")):
                try:
                    problem = answer_time_problem(
                        datetime.fromisoformat(row["answered_at"]), now=now
                    )
                except (KeyError, TypeError, ValueError):
                    problem = "its time cannot be read"
                if problem is not None:
                    refused.append(f"answer {row.get('id')}: {problem}")
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, csv.Error):
        raise ExportError(f"{member_name} is damaged inside the zip.") from None
    if refused:
        listed = "; ".join(refused[:REFUSALS_LISTED])
        more = len(refused) - REFUSALS_LISTED
        raise ExportError(
            f"Nothing was imported: {member_name} holds {len(refused)} "
            f"answer{'' if len(refused) == 1 else 's'} that cannot be recorded ({listed}"
            + (f"; and {more} more" if more > 0 else "")
            + ")."
        )


def _require_empty(connection: Connection, revision: str) -> None:
    existing = table_stats(connection)
    filled = sorted(name for name, s in existing.items() if s.rows and name not in NOT_EXPORTED)
    if filled:
        raise ExportError(
            f"The target database already has data (in {', '.join(filled)}): "
            "import into an empty database."
        )
    current = MigrationContext.configure(connection).get_current_revision()
    if existing and current != revision:
        raise ExportError(
            f"The target database has the schema at {current or 'no revision'} and the export "
            f"is at {revision}: import into a database with no tables."
        )


def _copy_in(connection: Connection, zipped: zipfile.ZipFile, name: str, columns: set[str]) -> None:
    member_name = f"{name}.csv"
    if member_name not in zipped.namelist():
        raise ExportError(f"The export lacks {member_name}.")
    try:
        with zipped.open(member_name) as member:
            header = next(csv.reader([member.readline().decode()]), [])
        if not header or not set(header) <= columns:
            raise ExportError(f"{member_name} has columns this schema does not have: {header}.")
        copy_in = (
            f"COPY public.{_quote(name)} ({', '.join(map(_quote, header))}) "
            "FROM STDIN WITH (FORMAT csv, HEADER true)"
        )
        cursor = connection.connection.driver_connection.cursor()
        with zipped.open(member_name) as member, cursor, cursor.copy(copy_in) as copy:
            for chunk in iter(lambda: member.read(CHUNK), b""):
                copy.write(chunk)
    except psycopg.Error as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ExportError(f"{member_name} could not be loaded: {detail}.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError):
        raise ExportError(f"{member_name} is damaged inside the zip.") from None


def _reset_sequences(connection: Connection) -> None:
    # COPY does not advance serial sequences: set each past the largest id loaded.
    serials = connection.execute(
        text(
            "SELECT table_name, column_name, seq FROM ("
            "  SELECT table_name, column_name,"
            "         pg_get_serial_sequence(format('public.%I', table_name), column_name) AS seq"
            "  FROM information_schema.columns WHERE table_schema = 'public'"
            ") AS columns WHERE seq IS NOT NULL"
        )
    ).all()
    for table, column, sequence in serials:
        connection.execute(
            text(
                f"SELECT setval(:sequence, coalesce(max({_quote(column)}), 0) + 1, false) "
                f"FROM public.{_quote(table)}"
            ),
            {"sequence": sequence},
        )
