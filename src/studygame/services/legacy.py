"""Bring the old app's SQLite history (`study.db`) into Postgres: read-only, lossless, idempotent.

Only SQLAlchemy Core table constructs here, never the app's models: Alembic revision 0002 runs
this module too, and must keep working when the models change later.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import json
import math
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from sqlalchemy.orm import Session

from studygame import __version__
from studygame.domain.legacy_values import milliseconds, parse_bool, parse_timestamp

# Fixed forever: attempt, session and reject ids are uuid5(NAMESPACE, "<sha256>/<table>/<rowid>"),
# so a second run of the same file finds its rows already there.
NAMESPACE = uuid.UUID("6f0d8a57-2b1e-4c5e-9a43-0f3c7d51e2a9")
REJECT_REASONS = ("missing_question_id", "bad_timestamp")
MAX_QUESTION_ID = 64  # attempts.question_id is varchar(64)
MAX_TOPIC = 200
MAX_MODE = 16
READ_BATCH = 5000

ANSWER_TABLES = ("answers", "attempts")
SESSION_TABLE = "sessions"
# Our field -> the column names old files used for it, in order of preference.
ANSWER_COLUMNS = {
    "question_id": ("question_id",),
    "correct": ("correct", "is_correct"),
    "answered_at": ("created_at", "answered_at", "timestamp"),
    "time_taken": ("time_taken",),
    "response_ms": ("response_ms",),
    "session_id": ("session_id",),
    "topic": ("topic",),
    "user_answer": ("user_answer",),
}
REQUIRED_ANSWER_FIELDS = ("question_id", "correct", "answered_at")

legacy_imports = sa.table(
    "legacy_imports",
    sa.column("id", sa.Integer),
    sa.column("file_name", sa.Text),
    sa.column("file_sha256", sa.String),
    sa.column("file_size", sa.BigInteger),
    sa.column("rows_read", sa.Integer),
    sa.column("rows_imported", sa.Integer),
    sa.column("rows_rejected", sa.Integer),
    sa.column("rows_already_imported", sa.Integer),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("finished_at", sa.DateTime(timezone=True)),
    sa.column("code_version", sa.String),
)
legacy_import_rejects = sa.table(
    "legacy_import_rejects",
    sa.column("id", sa.Uuid),
    sa.column("import_id", sa.Integer),
    sa.column("source_table", sa.String),
    sa.column("source_rowid", sa.BigInteger),
    sa.column("reason", sa.String),
    sa.column("raw_row", sa.JSON),
    sa.column("rejected_at", sa.DateTime(timezone=True)),
)
study_sessions = sa.table(
    "study_sessions",
    sa.column("id", sa.Uuid),
    sa.column("started_at", sa.DateTime(timezone=True)),
    sa.column("ended_at", sa.DateTime(timezone=True)),
    sa.column("mode", sa.String),
    sa.column("answered", sa.Integer),
    sa.column("correct", sa.Integer),
    sa.column("points", sa.Integer),
    sa.column("source", sa.String),
    sa.column("legacy_import_id", sa.Integer),
    sa.column("legacy_extra", sa.JSON),
)
attempts = sa.table(
    "attempts",
    sa.column("id", sa.Uuid),
    sa.column("session_id", sa.Uuid),
    sa.column("question_id", sa.String),
    sa.column("deck", sa.String),
    sa.column("topic", sa.String),
    sa.column("mode", sa.String),
    sa.column("given_answer", sa.Text),
    sa.column("is_correct", sa.Boolean),
    sa.column("rating", sa.SmallInteger),
    sa.column("response_ms", sa.Integer),
    sa.column("points", sa.Integer),
    sa.column("answered_at", sa.DateTime(timezone=True)),
    sa.column("source", sa.String),
    sa.column("legacy_import_id", sa.Integer),
    sa.column("legacy_extra", sa.JSON),
)
# The columns each import writes, in COPY order; the constant ones are added in SQL.
SESSION_FIELDS = ("id", "started_at", "ended_at", "mode", "answered", "correct", "legacy_extra")
ATTEMPT_FIELDS = (
    "id",
    "session_id",
    "question_id",
    "topic",
    "mode",
    "given_answer",
    "is_correct",
    "response_ms",
    "answered_at",
    "legacy_extra",
)
REJECT_FIELDS = ("id", "source_table", "source_rowid", "reason", "raw_row")


class LegacyFileError(Exception):
    """The old file cannot be imported; the message is one sentence naming the file."""


class _Unusable(Exception):
    """An SQLite file that lacks what the import needs; the message completes '<path> ...'."""


@dataclass(frozen=True)
class ImportReport:
    """What one import read and did; `read = imported + rejected + already_imported`."""

    import_id: int
    read: int
    imported: int
    rejected: int
    reject_reasons: Mapping[str, int]
    already_imported: int
    sessions_imported: int
    file_sha256: str
    question_ids: frozenset[str] = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        """The report as the CLI prints it with --json."""
        return {
            "read": self.read,
            "imported": self.imported,
            "rejected": self.rejected,
            "reject_reasons": dict(self.reject_reasons),
            "already_imported": self.already_imported,
        }


@dataclass
class _Run:
    """One pass over the file: where rows go, and what was seen on the way."""

    import_id: int
    sha256: str
    direct: bool
    progress: Callable[[int, int], None] | None
    read: int = 0
    imported: int = 0
    sessions_imported: int = 0
    rejects: list[tuple] = field(default_factory=list)
    question_ids: set[str] = field(default_factory=set)


class _Collision(Exception):
    """A straight COPY met an id that was already there; redo the rows through staging."""


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_legacy_file(
    session: Session,
    *,
    path: Path,
    door: str = "cli",
    dry_run: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the old SQLite file at `path` in the caller's transaction; raise LegacyFileError.

    `door` ("cli" or "alembic") is recorded in `legacy_imports.code_version`; `dry_run` does
    everything inside a savepoint that is rolled back, so the numbers are exact and nothing
    stays written. `progress(done, total)` is called while the answers are read.
    """
    started_at = clock()
    try:
        size = path.stat().st_size
        sha256 = file_sha256(path)
    except OSError as exc:
        raise LegacyFileError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    # A savepoint of its own: whatever goes wrong, the caller's transaction is as it was.
    with session.begin_nested() as savepoint:
        connection = session.connection()
        import_id = connection.execute(
            sa.insert(legacy_imports)
            .values(
                file_name=path.name,
                file_sha256=sha256,
                file_size=size,
                started_at=started_at,
                # The door first: a long version string is what the column cuts.
                code_version=f"{door}/studygame {__version__}"[:32],
            )
            .returning(legacy_imports.c.id)
        ).scalar_one()
        seen_before = connection.execute(
            sa.select(
                sa.exists().where(
                    legacy_imports.c.file_sha256 == sha256, legacy_imports.c.id != import_id
                )
            )
        ).scalar()
        run = _Run(import_id=import_id, sha256=sha256, direct=not seen_before, progress=progress)
        run = _import_rows(session, path, run=run, rejected_at=started_at)
        if file_sha256(path) != sha256:
            raise LegacyFileError(
                f"{path} changed while it was being read; close the old app first."
            )

        reasons = Counter(dict.fromkeys(REJECT_REASONS, 0))
        reasons.update(
            dict(
                connection.execute(
                    sa.select(legacy_import_rejects.c.reason, sa.func.count())
                    .where(
                        legacy_import_rejects.c.import_id == import_id,
                        legacy_import_rejects.c.source_table != SESSION_TABLE,
                    )
                    .group_by(legacy_import_rejects.c.reason)
                ).all()
            )
        )
        rejected = sum(reasons.values())
        report = ImportReport(
            import_id=import_id,
            read=run.read,
            imported=run.imported,
            rejected=rejected,
            reject_reasons=dict(reasons),
            already_imported=run.read - run.imported - rejected,
            sessions_imported=run.sessions_imported,
            file_sha256=sha256,
            question_ids=frozenset(run.question_ids) if run.imported else frozenset(),
        )
        connection.execute(
            sa.update(legacy_imports)
            .where(legacy_imports.c.id == import_id)
            .values(
                rows_read=report.read,
                rows_imported=report.imported,
                rows_rejected=report.rejected,
                rows_already_imported=report.already_imported,
                finished_at=clock(),
            )
        )
        if dry_run:
            savepoint.rollback()
    return report


def latest_import_id(session: Session) -> int:
    """The newest `legacy_imports.id`, 0 when there is none (or no such table yet)."""
    connection = session.connection()
    if not sa.inspect(connection).has_table("legacy_imports"):
        return 0
    return connection.execute(
        sa.select(sa.func.coalesce(sa.func.max(legacy_imports.c.id), 0))
    ).one()[0]


def question_ids_imported_after(session: Session, *, import_id: int) -> set[str]:
    """The questions that got legacy attempts from imports newer than `import_id`."""
    return set(
        session.connection()
        .execute(
            sa.select(attempts.c.question_id)
            .distinct()
            .where(attempts.c.legacy_import_id > import_id)
        )
        .scalars()
    )


def deletions(*, door: str) -> list[sa.Executable]:
    """The statements that remove what imports through `door` brought in, in FK order."""
    # A literal, not a parameter: `alembic downgrade --sql` prints these as they are.
    pattern = sa.literal_column(f"'{door}/%'")
    ids = (
        sa.select(legacy_imports.c.id)
        .where(legacy_imports.c.code_version.like(pattern))
        .scalar_subquery()
    )
    return [
        sa.delete(attempts).where(attempts.c.legacy_import_id.in_(ids)),
        sa.delete(study_sessions).where(study_sessions.c.legacy_import_id.in_(ids)),
        sa.delete(legacy_import_rejects).where(legacy_import_rejects.c.import_id.in_(ids)),
        sa.delete(legacy_imports).where(legacy_imports.c.code_version.like(pattern)),
    ]


# --- reading the file ----------------------------------------------------------------------


def _import_rows(session: Session, path: Path, *, run: _Run, rejected_at: datetime) -> _Run:
    """Read the file and write its rows, in a savepoint: a failure leaves nothing behind."""
    # mode=ro: SQLite itself refuses to write, so the learner's file cannot change.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    lenient_text = False
    try:
        with _closing(sqlite3.connect(uri, uri=True)) as db:
            while True:
                attempt = replace(run, rejects=[], question_ids=set())
                if lenient_text:
                    # Text that is not UTF-8 (a very old app wrote it): replace the bad bytes.
                    db.text_factory = lambda raw: raw.decode("utf-8", "replace")
                try:
                    with session.begin_nested():
                        _write_file(session.connection(), db, run=attempt, rejected_at=rejected_at)
                    return attempt
                except _Collision:
                    run = replace(run, direct=False)
                except sqlite3.OperationalError as exc:
                    if "decode" not in str(exc) or lenient_text:
                        raise
                    lenient_text = True
    except _Unusable as exc:
        raise LegacyFileError(f"{path} {exc}.") from None
    except sqlite3.DatabaseError as exc:
        raise LegacyFileError(_describe_sqlite_error(path, exc)) from None


class _closing:
    # sqlite3's own context manager commits; this one only closes.
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc_info: object) -> None:
        self.db.close()


def _describe_sqlite_error(path: Path, exc: sqlite3.DatabaseError) -> str:
    message = str(exc)
    if "not a database" in message:
        return f"{path} is not an SQLite database."
    if "malformed" in message or "corrupt" in message:
        return (
            f"{path} is a damaged SQLite database (truncated or corrupt), so nothing was imported."
        )
    return f"{path} could not be read as an SQLite database: {message}."


def _write_file(
    connection: sa.Connection, db: sqlite3.Connection, *, run: _Run, rejected_at: datetime
) -> None:
    """Sessions first (the answers point at them), then the answers as they are read."""
    problem = db.execute("PRAGMA quick_check").fetchone()[0]
    if problem != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({problem})")
    tables = {
        name.lower(): name
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    answers_table = next((tables[name] for name in ANSWER_TABLES if name in tables), None)
    if answers_table is None:
        raise _Unusable("has no answers or attempts table")
    sessions = _read_sessions(db, tables[SESSION_TABLE], run=run) if SESSION_TABLE in tables else {}
    write_sessions = functools.partial(
        _insert_new,
        connection,
        study_sessions,
        SESSION_FIELDS,
        constants={"points": 0, "source": "legacy", "legacy_import_id": run.import_id},
        direct=run.direct,
    )
    write_attempts = functools.partial(
        _insert_new,
        connection,
        attempts,
        ATTEMPT_FIELDS,
        constants={
            "deck": None,
            "rating": None,
            "points": 0,
            "source": "legacy",
            "legacy_import_id": run.import_id,
        },
        direct=run.direct,
    )
    run.sessions_imported = write_sessions(
        [old.row() for old in sessions.values() if old.started_at is not None]
    )
    # Answers of a session that has no readable start wait until its first answer dates it.
    held_back: list[tuple] = []
    with _foreign_keys_checked_at_the_end(connection, attempts.name):
        run.imported = write_attempts(
            _answer_rows(db, answers_table, sessions=sessions, run=run, held_back=held_back)
        )
        undated = [old for old in sessions.values() if old.started_at is None]
        for old in undated:
            old.started_at = old.first_answer or old.ended_at
            if old.started_at is None:
                reject = (old.id, SESSION_TABLE, old.rowid, "bad_timestamp", _dumps(old.raw))
                run.rejects.append(reject)
        run.sessions_imported += write_sessions(
            [old.row() for old in undated if old.started_at is not None]
        )
        run.imported += write_attempts(held_back)
    _insert_new(
        connection,
        legacy_import_rejects,
        REJECT_FIELDS,
        run.rejects,
        constants={"import_id": run.import_id, "rejected_at": rejected_at},
        direct=run.direct,
    )
    _count_session_answers(connection, import_id=run.import_id)


@contextmanager
def _foreign_keys_checked_at_the_end(connection: sa.Connection, table: str) -> Iterator[None]:
    """On Postgres, drop the table's foreign keys for the block and add them back after it.

    A foreign key is checked row by row (a locking lookup per row: it doubled the time of a
    200,000-row COPY); added back, it is checked in one pass. This is Postgres's own advice
    for bulk loads ("Populating a Database"). DDL is transactional: if the block fails, the
    rollback restores the keys. It needs the table's owner, and holds the table's exclusive
    lock until commit; without ownership the keys stay and are checked row by row.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    keys = connection.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %(table)s::regclass AND contype = 'f'"
        " AND pg_has_role(current_user, (SELECT relowner FROM pg_class"
        " WHERE oid = %(table)s::regclass), 'USAGE')",
        {"table": table},
    ).all()
    for name, _definition in keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    yield
    for name, definition in keys:
        connection.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _count_session_answers(connection: sa.Connection, *, import_id: int) -> None:
    """Fill the new sessions' answered/correct counters from their imported answers."""
    counts = (
        sa.select(
            attempts.c.session_id,
            sa.func.count().label("answered"),
            sa.func.sum(sa.case((attempts.c.is_correct, 1), else_=0)).label("correct"),
        )
        .where(attempts.c.legacy_import_id == import_id, attempts.c.session_id.is_not(None))
        .group_by(attempts.c.session_id)
        .subquery()
    )
    connection.execute(
        sa.update(study_sessions)
        .where(
            study_sessions.c.id == counts.c.session_id,
            study_sessions.c.legacy_import_id == import_id,
        )
        .values(answered=counts.c.answered, correct=counts.c.correct)
    )


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f"PRAGMA table_info({_quote(table)})")]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _id_maker(sha256: str, table: str) -> Callable[[object], str]:
    """uuid5(NAMESPACE, "<sha256>/<table>/<rowid>") as 32 hex digits, without uuid.UUID's cost."""
    prefix = NAMESPACE.bytes + f"{sha256}/{table}/".encode()

    def new_id(rowid: object) -> str:
        digest = bytearray(hashlib.sha1(prefix + str(rowid).encode()).digest()[:16])
        digest[6] = digest[6] & 0x0F | 0x50  # version 5
        digest[8] = digest[8] & 0x3F | 0x80  # RFC 4122 variant
        return digest.hex()

    return new_id


@dataclass
class _OldSession:
    id: str
    rowid: int
    started_at: datetime | None
    ended_at: datetime | None
    mode: str | None
    extra: dict[str, Any]
    raw: dict[str, Any]
    first_answer: datetime | None = None

    def row(self) -> tuple:
        """The study_sessions row, in SESSION_FIELDS order (counters filled in afterwards)."""
        extra = _dumps(self.extra) if self.extra else None
        return (self.id, self.started_at, self.ended_at, self.mode, 0, 0, extra)


def _read_sessions(db: sqlite3.Connection, table: str, *, run: _Run) -> dict[Any, _OldSession]:
    """The old sessions by their id as answers refer to it (int or text)."""
    columns = _columns(db, table)
    lower = {name.lower(): name for name in columns}
    id_name, started_name, ended_name, mode_name = (
        lower.get(name) for name in ("id", "started_at", "ended_at", "mode")
    )
    new_id = _id_maker(run.sha256, SESSION_TABLE)
    sessions: dict[Any, _OldSession] = {}
    for rowid, *values in db.execute(f"SELECT rowid, * FROM {_quote(table)}"):
        row = dict(zip(columns, values, strict=True))
        extra = {
            name: _jsonable(value)
            for name, value in row.items()
            if name not in (id_name, started_name, ended_name, mode_name)
        }
        started_at = parse_timestamp(row[started_name]) if started_name else None
        ended_at = parse_timestamp(row[ended_name]) if ended_name else None
        for name, moment in ((started_name, started_at), (ended_name, ended_at)):
            if name and moment is None and row[name] is not None:
                extra[name] = _jsonable(row[name])
        mode = _text(row[mode_name]) if mode_name else None
        if mode is not None and (len(mode.strip()) > MAX_MODE or not mode.strip()):
            extra[mode_name] = mode
            mode = None
        sessions[_key(row[id_name] if id_name else rowid)] = _OldSession(
            id=new_id(rowid),
            rowid=rowid,
            started_at=started_at,
            ended_at=ended_at,
            mode=mode.strip().lower() if mode else None,
            extra=extra,
            raw={name: _jsonable(value) for name, value in row.items()},
        )
    return sessions


def _key(session_id: object) -> object:
    # Answers may hold the session id as text ('12') where sessions has 12.
    if isinstance(session_id, str) and session_id.strip().lstrip("-").isdigit():
        return int(session_id)
    if isinstance(session_id, float) and session_id.is_integer():
        return int(session_id)
    return session_id


def _answer_rows(
    db: sqlite3.Connection,
    table: str,
    *,
    sessions: dict[Any, _OldSession],
    run: _Run,
    held_back: list[tuple],
) -> Iterator[tuple]:
    """The attempts rows, in ATTEMPT_FIELDS order, as the answers are read; rejects on the side."""
    columns = _columns(db, table)
    lower = {name.lower(): name for name in columns}
    found = {
        key: next((lower[alias] for alias in aliases if alias in lower), None)
        for key, aliases in ANSWER_COLUMNS.items()
    }
    missing = [key for key in REQUIRED_ANSWER_FIELDS if found[key] is None]
    if missing:
        # Named as the old app named it.
        raise _Unusable(f"has an {table} table without a {ANSWER_COLUMNS[missing[0]][0]} column")
    # Seconds win when both are there; the milliseconds then stay in the extras.
    time_name, scale = (
        (found["time_taken"], 1000) if found["time_taken"] else (found["response_ms"], 1)
    )
    session_name, topic_name = found["session_id"], found["topic"]
    # Select the mapped columns in a fixed order (NULL for absent ones), then the rest.
    mapped = [
        found["question_id"],
        found["correct"],
        found["answered_at"],
        time_name,
        session_name,
        topic_name,
        found["user_answer"],
    ]
    others = [name for name in columns if name not in mapped]
    select_list = ", ".join(_quote(name) if name else "NULL" for name in (*mapped, *others))
    id_column = lower.get("id")
    new_id = _id_maker(run.sha256, table)
    rejects, question_ids, progress = run.rejects, run.question_ids, run.progress

    total = db.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
    cursor = db.execute(f"SELECT rowid, {select_list} FROM {_quote(table)}")
    # One tight loop: at 200,000 rows every attribute lookup and call shows in the timings.
    while batch := cursor.fetchmany(READ_BATCH):
        for rowid, question, correct, answered, seconds, session, topic, answer, *rest in batch:
            question_id = question if type(question) is str else _text(question)
            answered_at = parse_timestamp(answered)
            is_correct = correct == 1 if correct == 0 or correct == 1 else parse_bool(correct)
            if question_id is None or not question_id.strip():
                reason = "missing_question_id"
            elif len(question_id) > MAX_QUESTION_ID:
                reason = "question_id_too_long"
            elif answered_at is None:
                reason = "bad_timestamp"
            elif is_correct is None:
                reason = "bad_correct"
            else:
                reason = None
            if reason is not None:
                raw = _raw_row(db, table, rowid)
                rejects.append((new_id(rowid), table, rowid, reason, _dumps(raw)))
                continue
            extra = (
                {
                    name: _jsonable(value)
                    for name, value in zip(others, rest, strict=True)
                    if not (name == id_column and value == rowid)
                }
                if rest
                else {}
            )
            response_ms = None
            if seconds is not None:
                response_ms = milliseconds(seconds, scale=scale)
                if response_ms is None:
                    extra[time_name] = _jsonable(seconds)
            old = None
            if session is not None:
                old = sessions.get(session) or sessions.get(_key(session))
                if old is None:
                    extra[session_name] = _jsonable(session)
                elif old.started_at is None and (
                    old.first_answer is None or answered_at < old.first_answer
                ):
                    old.first_answer = answered_at
            if topic is not None:
                if type(topic) is not str or "\x00" in topic:
                    topic = _text(topic)
                if len(topic) > MAX_TOPIC:
                    extra[topic_name] = topic
                    topic = topic[:MAX_TOPIC]
            question_ids.add(question_id)
            row = (
                new_id(rowid),
                None if old is None else old.id,
                question_id if "\x00" not in question_id else _text(question_id),
                topic,
                (old.mode if old is not None else None) or "quiz",
                answer
                if answer is None or (type(answer) is str and "\x00" not in answer)
                else _text(answer),
                is_correct,
                response_ms,
                answered_at,
                _dumps(extra) if extra else None,
            )
            if old is not None and old.started_at is None:
                held_back.append(row)
            else:
                yield row
        run.read += len(batch)
        if progress is not None:
            progress(run.read, total)


def _raw_row(db: sqlite3.Connection, table: str, rowid: int) -> dict[str, Any]:
    """The whole row as the old file has it, for a reject (rare: one query each is fine)."""
    cursor = db.execute(f"SELECT * FROM {_quote(table)} WHERE rowid = ?", (rowid,))
    names = [column[0] for column in cursor.description]
    return {name: _jsonable(value) for name, value in zip(names, cursor.fetchone(), strict=True)}


# --- values ----------------------------------------------------------------------------------


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    # Postgres text cannot hold NUL characters.
    return str(value).replace("\x00", "")


def _jsonable(value: object) -> object:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# --- writing ---------------------------------------------------------------------------------


def _insert_new(
    connection: sa.Connection,
    table: sa.TableClause,
    fields: Sequence[str],
    rows: Iterable[tuple],
    *,
    constants: Mapping[str, Any],
    direct: bool,
) -> int:
    """Insert the rows (ids as 32 hex digits) whose id is not there yet; return how many.

    `direct`: no earlier import of this file is recorded, so on Postgres COPY goes straight
    into the table (raising _Collision if an id was there after all).
    """
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()
        try:
            if direct:
                return _copy_straight_in(cursor, table, fields, rows, constants=constants)
            return _copy_through_staging(cursor, table, fields, rows, constants=constants)
        finally:
            cursor.close()
    # The SQLite development database: executemany in batches, skipping the ids already there.
    converters = {
        name: uuid.UUID if isinstance(table.c[name].type, sa.Uuid) else json.loads
        for name in fields
        if isinstance(table.c[name].type, sa.Uuid | sa.JSON)
    }
    inserted = 0
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, 500)):
        payload = [
            {
                **constants,
                **{
                    name: converters[name](value)
                    if name in converters and value is not None
                    else value
                    for name, value in zip(fields, row, strict=True)
                },
            }
            for row in batch
        ]
        ids = [row["id"] for row in payload]
        existing = set(
            connection.execute(sa.select(table.c.id).where(table.c.id.in_(ids))).scalars()
        )
        new = [row for row in payload if row["id"] not in existing]
        if new:
            connection.execute(sa.insert(table), new)
        inserted += len(new)
    return inserted


def _copy_straight_in(
    cursor, table: sa.TableClause, fields: Sequence[str], rows: Iterable[tuple], *, constants
) -> int:
    """COPY into the table itself, as fast as Postgres ingests, while the rows are read."""
    present = {name: value for name, value in constants.items() if value is not None}
    tail = tuple(present.values())
    count = 0
    try:
        with cursor.copy(
            f"COPY {table.name} ({', '.join([*fields, *present])}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row + tail)
                count += 1
    except psycopg.errors.UniqueViolation:
        # A file never imported before cannot meet its own ids, but a hand-edited database
        # might hold some: the caller rolls back and takes the staging path.
        raise _Collision from None
    return count


def _copy_through_staging(
    cursor, table: sa.TableClause, fields: Sequence[str], rows: Iterable[tuple], *, constants
) -> int:
    """COPY into a temporary table, then one INSERT ... ON CONFLICT DO NOTHING: idempotent."""
    staging = f"legacy_staging_{table.name}"
    cursor.execute(
        f"CREATE TEMPORARY TABLE {staging} ("
        + ", ".join(f"{name} {_pg_type(table.c[name].type)}" for name in fields)
        + ")"
    )
    with cursor.copy(f"COPY {staging} ({', '.join(fields)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    # Typed placeholders: an untyped NULL in a SELECT list would be text, not smallint.
    select_list = [
        *fields,
        *(
            "NULL" if value is None else f"%({name})s::{_pg_type(table.c[name].type)}"
            for name, value in constants.items()
        ),
    ]
    cursor.execute(
        f"INSERT INTO {table.name} ({', '.join([*fields, *constants])}) "
        f"SELECT {', '.join(select_list)} FROM {staging} ON CONFLICT (id) DO NOTHING",
        {name: value for name, value in constants.items() if value is not None},
    )
    inserted = cursor.rowcount
    cursor.execute(f"DROP TABLE {staging}")
    return inserted


def _pg_type(column_type: sa.types.TypeEngine) -> str:
    if isinstance(column_type, sa.JSON):
        return "jsonb"
    if isinstance(column_type, sa.Uuid):
        return "uuid"
    if isinstance(column_type, sa.DateTime):
        return "timestamptz"
    if isinstance(column_type, sa.Boolean):
        return "boolean"
    if isinstance(column_type, sa.BigInteger):
        return "bigint"
    if isinstance(column_type, sa.Integer):
        return "integer"
    return "text"
