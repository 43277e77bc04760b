"""Writing the old rows to the database: the tables as this import sees them, and the COPY paths.

Only SQLAlchemy Core table constructs here, never the app's models: Alembic revision 0002 runs
this code too, and must keep working when the models change later.
"""

from __future__ import annotations

import itertools
import json
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy as sa

from studygame.services.legacy.rows import Limits

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


class Collision(Exception):
    """A straight COPY met an id that was already there; redo the rows through staging."""


def column_limits(connection: sa.Connection) -> Limits:
    """The lengths of the text columns old values go to, as the live tables define them."""
    inspector = sa.inspect(connection)
    lengths = {
        (table, column["name"]): getattr(column["type"], "length", None)
        for table in ("attempts", "study_sessions")
        for column in inspector.get_columns(table)
    }
    # A column without a length (text) takes any length.
    return Limits(
        question_id=lengths["attempts", "question_id"] or sys.maxsize,
        topic=lengths["attempts", "topic"] or sys.maxsize,
        mode=lengths["study_sessions", "mode"] or sys.maxsize,
    )


@contextmanager
def foreign_keys_checked_at_the_end(connection: sa.Connection, table: str) -> Iterator[None]:
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


def count_session_answers(connection: sa.Connection, *, import_id: int) -> None:
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


def insert_new(
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
    into the table (raising Collision if an id was there after all).
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
        raise Collision from None
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
