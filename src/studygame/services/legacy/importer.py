"""Bring the old app's SQLite history (`study.db`) into Postgres: read-only, lossless, idempotent.

Reading the file is in legacy_sqlite, mapping its rows in legacy_rows, writing them in
legacy_write. None of them imports the app's models: Alembic revision 0002 runs this code too,
and must keep working when the models change later.

`legacy_imports.file_sha256` holds the sha256 of the file's CONTENT (its rows as SQLite returns
them), not of its bytes: a file read before and after a WAL checkpoint is the same import.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from studygame import __version__
from studygame.domain.legacy_values import REJECT_REASONS
from studygame.services.legacy import sqlite as legacy_sqlite
from studygame.services.legacy.rows import Run, answer_rows, dumps, read_sessions
from studygame.services.legacy.sqlite import SESSION_TABLE, Unusable
from studygame.services.legacy.write import (
    ATTEMPT_FIELDS,
    REJECT_FIELDS,
    SESSION_FIELDS,
    Collision,
    attempts,
    column_limits,
    count_session_answers,
    foreign_keys_checked_at_the_end,
    insert_new,
    legacy_import_rejects,
    legacy_imports,
    study_sessions,
)


class LegacyFileError(Exception):
    """The old file cannot be imported; the message is one sentence naming the file."""


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
    content_sha256: str
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
    try:
        size = path.stat().st_size
        with legacy_sqlite.snapshot(path) as db:
            tables = legacy_sqlite.tables_to_import(db)
            content = legacy_sqlite.content_sha256(db, [name for name in tables if name])
            file_bytes = legacy_sqlite.file_sha256(path)
            report = _import(
                session,
                db,
                tables=tables,
                file_name=path.name,
                file_size=size,
                content=content,
                file_bytes=file_bytes,
                door=door,
                dry_run=dry_run,
                clock=clock,
                progress=progress,
            )
    except OSError as exc:
        raise LegacyFileError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    except Unusable as exc:
        raise LegacyFileError(f"{path} {exc}.") from None
    except sqlite3.DatabaseError as exc:
        raise LegacyFileError(f"{path} {legacy_sqlite.describe_error(exc)}.") from None
    return report


def _import(
    session: Session,
    db: sqlite3.Connection,
    *,
    tables: tuple[str, str | None],
    file_name: str,
    file_size: int,
    content: str,
    file_bytes: str,
    door: str,
    dry_run: bool,
    clock: Callable[[], datetime],
    progress: Callable[[int, int], None] | None,
) -> ImportReport:
    """Record the import and write its rows, in a savepoint: a failure leaves nothing behind."""
    started_at = clock()
    with session.begin_nested() as savepoint:
        connection = session.connection()
        content = _identity(connection, content=content, file_bytes=file_bytes)
        import_id = connection.execute(
            sa.insert(legacy_imports)
            .values(
                file_name=file_name,
                file_sha256=content,
                file_size=file_size,
                started_at=started_at,
                # The door first: a long version string is what the column cuts.
                code_version=f"{door}/studygame {__version__}"[:32],
            )
            .returning(legacy_imports.c.id)
        ).scalar_one()
        seen_before = connection.execute(
            sa.select(
                sa.exists().where(
                    legacy_imports.c.file_sha256 == content, legacy_imports.c.id != import_id
                )
            )
        ).scalar()
        run = Run(
            import_id=import_id,
            content_sha256=content,
            direct=not seen_before,
            now=started_at,
            limits=column_limits(connection),
            progress=progress,
        )
        run = _import_rows(session, db, tables, run=run, rejected_at=started_at)
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
            content_sha256=content,
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


def _identity(connection: sa.Connection, *, content: str, file_bytes: str) -> str:
    """The hash the rows' ids derive from: the content's, unless an older import keyed it.

    Imports made before content hashing recorded (and derived their ids from) the sha256 of
    the main file's bytes: the same unchanged file keeps that key, so it imports nothing twice.
    """
    recorded = set(
        connection.execute(
            sa.select(legacy_imports.c.file_sha256).where(
                legacy_imports.c.file_sha256.in_([content, file_bytes])
            )
        ).scalars()
    )
    return file_bytes if file_bytes in recorded and content not in recorded else content


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


def _import_rows(
    session: Session,
    db: sqlite3.Connection,
    tables: tuple[str, str | None],
    *,
    run: Run,
    rejected_at: datetime,
) -> Run:
    """Write the file's rows in a savepoint, retried on the slower paths when needed."""
    lenient_text = False
    while True:
        attempt = replace(run, rejects=[], question_ids=set())
        if lenient_text:
            # Text that is not UTF-8 (a very old app wrote it): replace the bad bytes.
            db.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            with session.begin_nested():
                _write_file(session.connection(), db, tables, run=attempt, rejected_at=rejected_at)
            return attempt
        except Collision:
            run = replace(run, direct=False)
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc) or lenient_text:
                raise
            lenient_text = True


def _write_file(
    connection: sa.Connection,
    db: sqlite3.Connection,
    tables: tuple[str, str | None],
    *,
    run: Run,
    rejected_at: datetime,
) -> None:
    """Sessions first (the answers point at them), then the answers as they are read."""
    answers_table, sessions_table = tables
    sessions = read_sessions(db, sessions_table, run=run) if sessions_table else {}
    write_sessions = functools.partial(
        insert_new,
        connection,
        study_sessions,
        SESSION_FIELDS,
        constants={"points": 0, "source": "legacy", "legacy_import_id": run.import_id},
        direct=run.direct,
    )
    write_attempts = functools.partial(
        insert_new,
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
    with foreign_keys_checked_at_the_end(connection, attempts.name):
        run.imported = write_attempts(
            answer_rows(db, answers_table, sessions=sessions, run=run, held_back=held_back)
        )
        undated = [old for old in sessions.values() if old.started_at is None]
        for old in undated:
            old.started_at = old.first_answer or old.ended_at
            if old.started_at is None:
                reject = (old.id, SESSION_TABLE, old.rowid, "bad_timestamp", dumps(old.raw))
                run.rejects.append(reject)
        run.sessions_imported += write_sessions(
            [old.row() for old in undated if old.started_at is not None]
        )
        run.imported += write_attempts(held_back)
    insert_new(
        connection,
        legacy_import_rejects,
        REJECT_FIELDS,
        run.rejects,
        constants={"import_id": run.import_id, "rejected_at": rejected_at},
        direct=run.direct,
    )
    count_session_answers(connection, import_id=run.import_id)
