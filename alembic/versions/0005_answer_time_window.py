"""Answers dated outside the answer window move to attempt_rejects; the database keeps them out.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 12:00:00

The window is 2000-01-01 UTC to 10 minutes ahead of the server's clock. Postgres takes it
whole as a CHECK constraint (now() in a CHECK is accepted, and a bound that only loosens as
time passes stays true of every row, through dumps and restores too). SQLite forbids now() in
a CHECK and cannot add one without rebuilding the table (which would drop the rollup triggers
of revision 0003), so two triggers refuse such rows there. Rows already outside the window
would fail the constraint: they are moved, whole, to attempt_rejects with the reason, and the
downgrade puts them back. See docs/reliability.md, "The answer window".
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

# The bounds of studygame/domain/answer_time.py (EARLIEST_ANSWER, MAX_AHEAD), spelled here so
# this revision never changes with the app; tests/test_migrations.py checks they agree.
EARLIEST = "2000-01-01 00:00:00+00"
MAX_AHEAD_MINUTES = 10

CONSTRAINT = "ck_attempts_answered_at_window"
PG_WINDOW = (
    f"answered_at >= '{EARLIEST}' AND answered_at <= now() + interval '{MAX_AHEAD_MINUTES} minutes'"
)
PG_OUTSIDE = f"NOT ({PG_WINDOW})"
# julianday() reads every text form SQLite holds a time in ('T' or ' ', with or without offset).
SQLITE_TOO_EARLY = "julianday({at}) < julianday('2000-01-01')"
SQLITE_TOO_LATE = f"julianday({{at}}) > julianday('now', '+{MAX_AHEAD_MINUTES} minutes')"
SQLITE_OUTSIDE = f"({SQLITE_TOO_EARLY} OR {SQLITE_TOO_LATE})"
SQLITE_TRIGGERS = {
    f"attempts_answered_at_window_{event}": (
        f"CREATE TRIGGER attempts_answered_at_window_{event} BEFORE {clause} ON attempts "
        f"WHEN {SQLITE_OUTSIDE.format(at='NEW.answered_at')} BEGIN "
        "SELECT RAISE(ABORT, 'attempts.answered_at is outside the answer window'); END"
    )
    for event, clause in (("insert", "INSERT"), ("update", "UPDATE OF answered_at"))
}
TOO_EARLY = "It is dated before 2000-01-01."
TOO_LATE = (
    f"It was dated more than {MAX_AHEAD_MINUTES} minutes ahead of the server's clock when "
    "revision 0005 ran."
)
ATTEMPT_COLUMNS = (
    "id",
    "session_id",
    "question_id",
    "deck",
    "topic",
    "mode",
    "given_answer",
    "is_correct",
    "rating",
    "response_ms",
    "points",
    "answered_at",
    "source",
    "legacy_import_id",
    "legacy_extra",
)


def upgrade() -> None:
    op.create_table(
        "attempt_rejects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "attempt", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_rejects")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        reason = f"CASE WHEN answered_at < '{EARLIEST}' THEN :early ELSE :late END"
        moved = bind.execute(
            sa.text(
                "INSERT INTO attempt_rejects (id, reason, attempt, rejected_at) "
                f"SELECT id, {reason}, to_jsonb(a), now() FROM attempts a WHERE {PG_OUTSIDE}"
            ),
            {"early": TOO_EARLY, "late": TOO_LATE},
        ).rowcount
        # The rollup triggers of revision 0003 take the rows out of Progress's totals too.
        op.execute(f"DELETE FROM attempts WHERE {PG_OUTSIDE}")
        # op.f: the name is final; the naming convention would prefix it a second time.
        op.create_check_constraint(op.f(CONSTRAINT), "attempts", PG_WINDOW)
    else:
        too_early = SQLITE_TOO_EARLY.format(at="answered_at")
        fields = ", ".join(
            f"'{name}', " + ("json(legacy_extra)" if name == "legacy_extra" else name)
            for name in ATTEMPT_COLUMNS
        )
        moved = bind.execute(
            sa.text(
                "INSERT INTO attempt_rejects (id, reason, attempt, rejected_at) "
                f"SELECT id, CASE WHEN {too_early} THEN :early ELSE :late END, "
                f"json_object({fields}), strftime('%Y-%m-%d %H:%M:%f', 'now') FROM attempts "
                f"WHERE {SQLITE_OUTSIDE.format(at='answered_at')}"
            ),
            {"early": TOO_EARLY, "late": TOO_LATE},
        ).rowcount
        op.execute(f"DELETE FROM attempts WHERE {SQLITE_OUTSIDE.format(at='answered_at')}")
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)
    if moved:
        log.warning(
            "Revision 0005 moved %d answers dated outside the answer window to attempt_rejects; "
            "run `studygame schedule rebuild` so the schedule forgets them.",
            moved,
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint(op.f(CONSTRAINT), "attempts", type_="check")
        op.execute(
            "INSERT INTO attempts SELECT (jsonb_populate_record(NULL::attempts, attempt)).* "
            "FROM attempt_rejects"
        )
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        values = ", ".join(f"json_extract(attempt, '$.{name}')" for name in ATTEMPT_COLUMNS)
        op.execute(
            f"INSERT INTO attempts ({', '.join(ATTEMPT_COLUMNS)}) "
            f"SELECT {values} FROM attempt_rejects"
        )
    op.drop_table("attempt_rejects")
