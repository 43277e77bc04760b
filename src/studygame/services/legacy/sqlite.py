"""Reading the old app's SQLite file: a private snapshot of it, its tables and its content hash.

The learner's files are never opened for writing: the main file and its `-wal` are copied into
a temporary folder and SQLite opens the copy, so rows still in the write-ahead log are read as
the old app sees them, and nothing SQLite does on open or close (WAL recovery, checkpoint)
touches the originals.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ANSWER_TABLES = ("answers", "attempts")
SESSION_TABLE = "sessions"
HEADER = b"SQLite format 3\x00"
ROLLBACK_JOURNAL = 1  # header byte 18: 1 rollback journal, 2 write-ahead log
BUSY_WAIT_S = 1.0
HASH_BATCH = 5000


class Unusable(Exception):
    """The file cannot be imported; the message completes the sentence '<path> ...'."""


@contextmanager
def snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """An SQLite connection to a private copy of `path` and its logs, closed and removed after.

    The `-wal` brings the rows not yet checkpointed; the `-journal` of a writer that stopped
    mid-write lets SQLite roll the copy back to the last commit. The `-shm` index is not
    copied: SQLite rebuilds it from the log, as after a crash, so it cannot hide rows.
    """
    logs = [path.with_name(path.name + suffix) for suffix in ("-wal", "-journal")]
    with tempfile.TemporaryDirectory(prefix="studygame-legacy-") as folder:
        copy = Path(folder) / "study.db"
        with _shared_lock(path):
            before = _signature(path, *logs)
            shutil.copyfile(path, copy)
            for log in logs:
                if log.exists():
                    shutil.copyfile(log, copy.with_name(copy.name + log.name[len(path.name) :]))
            if _signature(path, *logs) != before:
                raise Unusable("changed while it was being read; close the old app first")
        db = sqlite3.connect(copy)
        try:
            yield db
        finally:
            db.close()


def _signature(*paths: Path) -> tuple:
    """Size and modification time of each file (None when absent): any write changes it."""
    signature = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            signature.append(None)
        else:
            signature.append((stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


@contextmanager
def _shared_lock(path: Path) -> Iterator[None]:
    """Hold SQLite's shared lock on a rollback-journal file while it is copied.

    A writer in such a file changes pages in place, so the copy waits for it (and gives up with
    `Unusable` after BUSY_WAIT_S); mode=ro, so this connection never writes. A write-ahead-log
    file needs no lock: its writers only append to the `-wal`, whose committed frames the copy
    keeps and whose unfinished ones SQLite ignores. Nor does a file whose writer died mid-write
    (a "hot" journal, which a read-only connection may not roll back): the copy rolls back.
    """
    with path.open("rb") as file:
        header = file.read(100)
    if not header.startswith(HEADER) or len(header) < 100 or header[18] != ROLLBACK_JOURNAL:
        yield
        return
    db = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_WAIT_S, isolation_level=None
    )
    try:
        db.execute("BEGIN")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        db.close()
        if getattr(exc, "sqlite_errorname", "") == "SQLITE_READONLY_ROLLBACK":
            yield
            return
        if "locked" in str(exc) or "busy" in str(exc):
            raise Unusable(
                "is locked by a program writing to it; close the old app and run the import again"
            ) from None
        raise
    try:
        yield
    finally:
        db.close()


def describe_error(exc: sqlite3.DatabaseError) -> str:
    """SQLite's error as the end of the sentence '<path> ...'."""
    message = str(exc)
    if "not a database" in message:
        return "is not an SQLite database"
    if "malformed" in message or "corrupt" in message:
        return "is a damaged SQLite database (truncated or corrupt), so nothing was imported"
    return f"could not be read as an SQLite database: {message}"


def tables_to_import(db: sqlite3.Connection) -> tuple[str, str | None]:
    """The answers table's name and the sessions table's (None when absent); checks the file."""
    problem = db.execute("PRAGMA quick_check").fetchone()[0]
    if problem != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({problem})")
    tables = {
        name.lower(): name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    answers = next((tables[name] for name in ANSWER_TABLES if name in tables), None)
    if answers is None:
        raise Unusable("has no answers or attempts table")
    return answers, tables.get(SESSION_TABLE)


def content_sha256(db: sqlite3.Connection, tables: list[str]) -> str:
    """The sha256 of the tables' columns and rows as SQLite returns them, in rowid order.

    The identity of an old file's content: the same rows hash alike whether they sit in the
    main file or still in its `-wal`, before and after a checkpoint or a VACUUM.
    """
    digest = hashlib.sha256()
    factory = db.text_factory
    db.text_factory = bytes  # the stored bytes, even where they are not UTF-8
    try:
        for table in sorted(tables):
            digest.update(repr((table, columns(db, table))).encode())
            cursor = db.execute(f"SELECT rowid, * FROM {quote(table)} ORDER BY rowid")
            while batch := cursor.fetchmany(HASH_BATCH):
                digest.update(repr(batch).encode())
    finally:
        db.text_factory = factory
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def columns(db: sqlite3.Connection, table: str) -> list[str]:
    """The table's column names, in order."""
    return [row[1] for row in db.execute(f"PRAGMA table_info({quote(table)})")]


def quote(name: str) -> str:
    """An SQLite identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'
