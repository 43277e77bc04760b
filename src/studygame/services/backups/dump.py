"""Backups that restore: a plain-SQL pg_dump with its manifest, and rotation (see restore.py).

These functions take URLs, not a Session: pg_dump and psql are separate programs that open
their own connections, and verify creates and drops a scratch database of its own.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import hmac
import json
import os
import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from studygame.db import one_off_engine
from studygame.errors import describe_connect_error
from studygame.services.backups.pg_client import (
    client_version,
    libpq_target,
    major_of,
    require_client,
    server_major_version,
)
from studygame.services.backups.vetting import DumpRefused, vet_dump

MANIFEST_FORMAT = "studygame-backup/1"
SIGNING_KEY_ENV = "BACKUP_SIGNING_KEY"
DEFAULT_KEEP = 14
DUMP_NAME = re.compile(r"^studygame-\d{4}-\d{2}-\d{2}T\d{4}Z\.sql(\.gz)?$")
TABLE_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
CHUNK = 1 << 20
# Row text must not depend on the session's settings, or the same data would hash differently.
CHECKSUM_SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


class BackupError(RuntimeError):
    """A backup, restore or verify could not be done; the message is one sentence, no secret."""


@dataclass(frozen=True)
class TableStats:
    rows: int
    checksum: str


@dataclass(frozen=True)
class Manifest:
    """What a dump holds, written beside it: enough to check it without the live database."""

    dump_file: str
    created_at: str
    server_version: str
    server_major: int
    pg_dump_version: str
    pg_dump_major: int
    alembic_revision: str | None
    tables: dict[str, TableStats]
    sha256: str
    size_bytes: int
    plain_bytes: int
    format: str = MANIFEST_FORMAT
    # HMAC-SHA256 of the other fields with BACKUP_SIGNING_KEY, when that key is set.
    signature: str | None = None

    @property
    def rows(self) -> int:
        return sum(stats.rows for stats in self.tables.values())

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, data: str) -> Manifest:
        fields = json.loads(data)
        fields["tables"] = {name: TableStats(**s) for name, s in fields["tables"].items()}
        manifest = cls(**fields)
        # Table names and row counts end up in the SQL restore sends to psql: an edited
        # manifest must not be able to smuggle text in through them.
        if (
            manifest.format != MANIFEST_FORMAT
            or not all(map(TABLE_NAME.match, manifest.tables))
            or not all(type(s.rows) is int for s in manifest.tables.values())
        ):
            raise ValueError("not a StudyGame backup manifest")
        return manifest


@dataclass(frozen=True)
class BackupResult:
    dump: Path
    manifest: Path
    size_bytes: int
    plain_bytes: int
    rows: int
    seconds: float
    deleted: tuple[Path, ...]


def backup_file_name(now: datetime, *, compress: bool = True) -> str:
    """The dump's name: its UTC time to the minute, e.g. studygame-2026-11-25T0300Z.sql.gz."""
    return f"studygame-{now:%Y-%m-%dT%H%M}Z.sql" + (".gz" if compress else "")


def manifest_path(dump: Path) -> Path:
    """Where a dump's manifest lives: studygame-...Z.sql.gz -> studygame-...Z.json."""
    return dump.with_name(dump.name.removesuffix(".gz").removesuffix(".sql") + ".json")


def read_manifest(dump: Path) -> Manifest | None:
    """The manifest beside `dump`, None when there is none; a damaged one is an error."""
    path = manifest_path(dump)
    if not path.is_file():
        return None
    try:
        return Manifest.from_json(path.read_text())
    except (ValueError, TypeError, KeyError):
        raise BackupError(f"{path.name} is not a readable StudyGame backup manifest.") from None


def signing_key() -> bytes | None:
    """The manifest signing key from BACKUP_SIGNING_KEY, None when unset."""
    key = os.environ.get(SIGNING_KEY_ENV)
    return key.encode() if key else None


def manifest_signature(manifest: Manifest, key: bytes) -> str:
    """HMAC-SHA256 over the manifest's fields (signature excluded), as hex."""
    fields = asdict(manifest)
    fields.pop("signature")
    payload = json.dumps(fields, sort_keys=True).encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def check_signature(dump: Path, manifest: Manifest | None) -> None:
    """With BACKUP_SIGNING_KEY set, refuse a dump whose manifest is missing, unsigned or edited."""
    key = signing_key()
    if key is None:
        return
    if (
        manifest is None
        or manifest.signature is None
        or not hmac.compare_digest(manifest.signature, manifest_signature(manifest, key))
    ):
        raise BackupError(
            f"{dump.name} was refused: BACKUP_SIGNING_KEY is set and its manifest is missing, "
            "unsigned or does not match that key."
        )


def table_stats(connection: Connection) -> dict[str, TableStats]:
    """Row count and checksum (md5 over the sorted md5s of the rows) of every public table."""
    for setting in CHECKSUM_SETTINGS:
        connection.execute(text(setting))
    names = connection.execute(
        text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ).scalars()
    quote = connection.dialect.identifier_preparer.quote
    return {name: _stats(connection, f"public.{quote(name)}") for name in names.all()}


def revision_stats(connection: Connection, revision: str) -> TableStats:
    """What table_stats gives `alembic_version` when it holds just `revision`."""
    return _stats(connection, "(SELECT CAST(:revision AS varchar(32)) AS version_num)", revision)


def _stats(connection: Connection, relation: str, revision: str | None = None) -> TableStats:
    # Hashing each row first keeps the aggregate small (32 bytes a row) on a 1M-row table,
    # and sorting the hashes makes the result independent of physical order and collation.
    rows, checksum = connection.execute(
        text(
            "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) "
            f"FROM (SELECT md5(t::text) AS h FROM {relation} AS t) AS hashes"
        ),
        {"revision": revision} if revision is not None else {},
    ).one()
    return TableStats(rows=rows, checksum=checksum)


def compare_stats(expected: dict[str, TableStats], actual: dict[str, TableStats]) -> list[str]:
    """One line per table whose rows or checksum differ; empty when identical."""
    differences = []
    for name in sorted(expected.keys() | actual.keys()):
        want, got = expected.get(name), actual.get(name)
        if want is None:
            differences.append(f"{name}: not expected, but restored ({got.rows} rows)")
        elif got is None:
            differences.append(f"{name}: missing ({want.rows} rows expected)")
        elif want.rows != got.rows:
            differences.append(f"{name}: {got.rows} rows, expected {want.rows}")
        elif want.checksum != got.checksum:
            differences.append(f"{name}: same row count ({got.rows}) but different contents")
    return differences


@contextlib.contextmanager
def connect(database_url: str) -> Iterator[Connection]:
    """A one-off connection (no pool) whose failure is one sentence without the password."""
    engine = one_off_engine(database_url)
    try:
        with engine.connect() as connection:
            yield connection
    except OperationalError as exc:
        raise BackupError(describe_connect_error(exc, engine)) from None
    finally:
        engine.dispose()


def stats_of(database_url: str) -> dict[str, TableStats]:
    """table_stats of the database at this URL, in one transaction."""
    with connect(database_url) as connection, connection.begin():
        return table_stats(connection)


def create_backup(
    *,
    database_url: str,
    out_dir: Path,
    now: datetime,
    keep: int = DEFAULT_KEEP,
    compress: bool = True,
    progress: Callable[[int], None] = lambda plain_bytes: None,
) -> BackupResult:
    """Dump the database to `out_dir` with its manifest, then keep only the newest `keep`."""
    started = time.monotonic()
    if keep < 1:
        raise BackupError("Keep at least one backup (--keep 1 or more).")
    out_dir.mkdir(parents=True, exist_ok=True)
    dump = out_dir / backup_file_name(now, compress=compress)
    if dump.exists() or manifest_path(dump).exists():
        raise BackupError(f"{dump} already exists: backups are named by the minute, retry later.")
    with connect(database_url) as connection:
        # One snapshot for pg_dump and the manifest, so the counts describe exactly the dump.
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            # This transaction idles while pg_dump runs; a server timeout must not end it.
            connection.execute(text("SET LOCAL idle_in_transaction_session_timeout = 0"))
            server_major = server_major_version(connection)
            pg_dump = require_client("pg_dump", server_major=server_major)
            server_version = connection.execute(text("SHOW server_version")).scalar_one()
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            plain_bytes = _run_pg_dump(
                pg_dump, database_url, snapshot=snapshot, target=dump, progress=progress
            )
            revision = MigrationContext.configure(connection).get_current_revision()
            tables = table_stats(connection)
    dump_version = client_version(pg_dump)
    manifest = Manifest(
        dump_file=dump.name,
        created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        server_version=server_version,
        server_major=server_major,
        pg_dump_version=dump_version,
        pg_dump_major=major_of(dump_version),
        alembic_revision=revision,
        tables=tables,
        sha256=_sha256(dump),
        size_bytes=dump.stat().st_size,
        plain_bytes=plain_bytes,
    )
    key = signing_key()
    if key is not None:
        manifest = replace(manifest, signature=manifest_signature(manifest, key))
    with folder_lock(out_dir):
        manifest_path(dump).write_text(manifest.to_json())
        deleted = rotate_backups(out_dir, keep=keep, just_written=dump)
    return BackupResult(
        dump=dump,
        manifest=manifest_path(dump),
        size_bytes=manifest.size_bytes,
        plain_bytes=plain_bytes,
        rows=manifest.rows,
        seconds=time.monotonic() - started,
        deleted=tuple(deleted),
    )


def _run_pg_dump(
    pg_dump: Path,
    database_url: str,
    *,
    snapshot: str,
    target: Path,
    progress: Callable[[int], None],
) -> int:
    url, env = libpq_target(database_url)
    command = [
        str(pg_dump),
        "--format=plain",
        "--no-owner",
        "--no-privileges",
        f"--snapshot={snapshot}",
        f"--dbname={url}",
    ]
    # Written under a temporary name and renamed when complete: a failed run leaves no file
    # that looks like a backup.
    partial = target.with_name(target.name + ".partial")
    plain_bytes = 0
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env)
        try:
            with _open_for_writing(partial, compress=target.name.endswith(".gz")) as out:
                for chunk in iter(lambda: process.stdout.read(CHUNK), b""):
                    out.write(chunk)
                    plain_bytes += len(chunk)
                    progress(plain_bytes)
        except BaseException:
            process.kill()
            partial.unlink(missing_ok=True)
            raise
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {first_error(errors)}")
    partial.rename(target)
    return plain_bytes


def _open_for_writing(path: Path, *, compress: bool) -> IO[bytes]:
    # Level 6 compresses SQL text almost as well as 9, several times faster.
    return gzip.open(path, "wb", compresslevel=6) if compress else path.open("wb")


def first_error(stream: IO[bytes]) -> str:
    """The first error line a client program wrote to `stream`, without its ERROR: prefix."""
    stream.seek(0)
    lines = [line.strip() for line in stream.read().decode(errors="replace").splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if "ERROR:" in line or "FATAL:" in line]
    first = (errors or lines or ["no message"])[0]
    return re.split(r"(?:ERROR|FATAL):\s*", first, maxsplit=1)[-1]


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the backup folder itself (no lock file to clutter it).

    Two backups finishing at once must not each rotate away the other's new file.
    """
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def rotate_backups(folder: Path, *, keep: int, just_written: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` backups that `create_backup` wrote; touch nothing else.

    `just_written` is kept whatever its name says: names come from the clock of whichever
    machine wrote them, and a clock set back must not make the new backup look oldest.
    Returns the files this call actually deleted (another process may have got there first).
    """
    ours = [dump for dump in _backups_written_by_us(folder) if dump != just_written]
    ours.sort(key=_written_at)
    room = keep - (just_written is not None)
    deleted = []
    for dump in ours[: max(len(ours) - room, 0)]:
        for path in (dump, manifest_path(dump)):
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            deleted.append(path)
    return deleted


def _written_at(dump: Path) -> tuple[float, str]:
    # The file's own modification time orders backups as they were really written; the name
    # only breaks ties (and names files copied in with the same mtime).
    try:
        return dump.stat().st_mtime, dump.name
    except FileNotFoundError:
        return 0.0, dump.name


def _backups_written_by_us(folder: Path) -> Iterator[Path]:
    # Ours = our name pattern, with our manifest beside it naming this very file and its size.
    for candidate in folder.glob("studygame-*.sql*"):
        if not DUMP_NAME.match(candidate.name) or not candidate.is_file():
            continue
        try:
            manifest = read_manifest(candidate)
        except BackupError:
            continue
        if (
            manifest is not None
            and manifest.dump_file == candidate.name
            and manifest.size_bytes == candidate.stat().st_size
        ):
            yield candidate


def check_dump(dump: Path, manifest: Manifest | None) -> frozenset[str]:
    """Vet the whole dump before touching a database; return the tables it creates."""
    if not dump.is_file():
        raise BackupError(f"{dump} does not exist.")
    check_signature(dump, manifest)
    if manifest is not None and (
        dump.stat().st_size != manifest.size_bytes or _sha256(dump) != manifest.sha256
    ):
        raise BackupError(
            f"{dump.name} does not match its manifest (size or sha256 differ): "
            "the file is damaged or was cut short."
        )
    try:
        return vet_dump(dump)
    except DumpRefused as exc:
        raise BackupError(f"{dump.name} was refused before running psql: {exc}.") from None
