"""Progress at a million attempts: answer rollups kept by triggers, and a partial index.

Scanning every attempt for each chart costs 0.2 to 0.6 s at a million rows (see
docs/performance.md), so two small tables hold running totals that triggers on `attempts`
keep exact on every insert, update, delete and truncate:

- `activity_buckets`: per 15-minute UTC bucket and source (15 minutes, because every time
  zone's offset is a multiple of it, so any learner's local day is a union of buckets),
  answers, right answers, time, and Review-mode answers;
- `topic_totals`: per deck, topic and source;
- `question_firsts`: when each question was first answered (any mode, any source), which
  tells a true review from a card's first answer without one probe per review.

Both are rebuilt here from `attempts`, and can be rebuilt the same way at any time.
The partial index on wrong answers serves the most-wrong list.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAPPED_MS = "CASE WHEN response_ms > 60000 THEN 60000 ELSE response_ms END"

# The same totals for a set of rows `{rows}`, signed +1 (added) or -1 (removed).
PG_ACTIVITY = f"""
    INSERT INTO activity_buckets AS b (bucket_start, source, answers, correct, timed, studied_ms,
                                       reviews, reviews_correct)
    SELECT date_bin('15 minutes', answered_at, timestamptz '2000-01-01 00:00+00'), source,
           {{sign}} * count(*),
           {{sign}} * count(*) FILTER (WHERE is_correct),
           {{sign}} * count(response_ms),
           {{sign}} * coalesce(sum({CAPPED_MS}), 0),
           {{sign}} * count(*) FILTER (WHERE mode = 'review'),
           {{sign}} * count(*) FILTER (WHERE mode = 'review' AND is_correct)
    FROM {{rows}} GROUP BY 1, 2
    ON CONFLICT (bucket_start, source) DO UPDATE SET
        answers = b.answers + excluded.answers,
        correct = b.correct + excluded.correct,
        timed = b.timed + excluded.timed,
        studied_ms = b.studied_ms + excluded.studied_ms,
        reviews = b.reviews + excluded.reviews,
        reviews_correct = b.reviews_correct + excluded.reviews_correct;
"""
PG_TOPICS = """
    INSERT INTO topic_totals AS t (deck, topic, source, answers, correct, points)
    SELECT coalesce(deck, ''), coalesce(topic, ''), source,
           {sign} * count(*), {sign} * count(*) FILTER (WHERE is_correct),
           {sign} * coalesce(sum(points), 0)
    FROM {rows} GROUP BY 1, 2, 3
    ON CONFLICT (deck, topic, source) DO UPDATE SET
        answers = t.answers + excluded.answers,
        correct = t.correct + excluded.correct,
        points = t.points + excluded.points;
"""


PG_FIRSTS_ADD = """
    INSERT INTO question_firsts AS f (question_id, first_answered_at)
    SELECT question_id, min(answered_at) FROM {rows} GROUP BY 1
    ON CONFLICT (question_id) DO UPDATE
        SET first_answered_at = least(f.first_answered_at, excluded.first_answered_at);
"""
# Totals that fall to zero are removed, so the rollups stay exactly what `attempts` gives.
PG_EMPTIED = """
    DELETE FROM activity_buckets b
    USING (SELECT DISTINCT date_bin('15 minutes', answered_at, timestamptz '2000-01-01 00:00+00')
                  AS bucket_start, source FROM old_rows) o
    WHERE b.bucket_start = o.bucket_start AND b.source = o.source AND b.answers = 0;
    DELETE FROM topic_totals t
    USING (SELECT DISTINCT coalesce(deck, '') AS deck, coalesce(topic, '') AS topic, source
           FROM old_rows) o
    WHERE t.deck = o.deck AND t.topic = o.topic AND t.source = o.source AND t.answers = 0;
"""
# After a delete or update, the touched questions' first answers are found again.
PG_FIRSTS_RECOMPUTE = """
    DELETE FROM question_firsts WHERE question_id IN (SELECT question_id FROM old_rows);
    INSERT INTO question_firsts (question_id, first_answered_at)
    SELECT question_id, min(answered_at) FROM attempts
    WHERE question_id IN (SELECT question_id FROM old_rows) GROUP BY 1
    ON CONFLICT (question_id) DO NOTHING;
"""


def _pg_totals(rows: str, sign: str) -> str:
    return PG_ACTIVITY.format(rows=rows, sign=sign) + PG_TOPICS.format(rows=rows, sign=sign)


# Statement-level triggers with transition tables: a bulk insert (the legacy import)
# costs one upsert per bucket, not one per row.
PG_FUNCTION = f"""
CREATE FUNCTION attempts_roll_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE activity_buckets, topic_totals, question_firsts;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_pg_totals("old_rows", "-1")}
        {PG_EMPTIED}
        {PG_FIRSTS_RECOMPUTE}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_pg_totals("new_rows", "1")}
        {PG_FIRSTS_ADD.format(rows="new_rows")}
    END IF;
    RETURN NULL;
END $$;
"""
PG_TRIGGERS = (
    "CREATE TRIGGER attempts_roll_up_insert AFTER INSERT ON attempts "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION attempts_roll_up()",
    "CREATE TRIGGER attempts_roll_up_update AFTER UPDATE ON attempts "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION attempts_roll_up()",
    "CREATE TRIGGER attempts_roll_up_delete AFTER DELETE ON attempts "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION attempts_roll_up()",
    "CREATE TRIGGER attempts_roll_up_truncate AFTER TRUNCATE ON attempts "
    "FOR EACH STATEMENT EXECUTE FUNCTION attempts_roll_up()",
)

# SQLite (the development file): row-level triggers, the same totals one row at a time.
SQLITE_BUCKET = (
    "datetime(CAST(strftime('%s', {row}.answered_at) AS INTEGER) / 900 * 900, 'unixepoch')"
)
SQLITE_CAPPED_MS = "CASE WHEN {row}.response_ms > 60000 THEN 60000 ELSE {row}.response_ms END"


def _sqlite_totals(row: str, sign: str) -> str:
    bucket = SQLITE_BUCKET.format(row=row)
    capped = SQLITE_CAPPED_MS.format(row=row)
    return f"""
        INSERT INTO activity_buckets (bucket_start, source, answers, correct, timed, studied_ms,
                                      reviews, reviews_correct)
        VALUES ({bucket}, {row}.source, {sign}, {sign} * {row}.is_correct,
                {sign} * ({row}.response_ms IS NOT NULL), {sign} * coalesce({capped}, 0),
                {sign} * ({row}.mode = 'review'),
                {sign} * ({row}.mode = 'review' AND {row}.is_correct))
        ON CONFLICT (bucket_start, source) DO UPDATE SET
            answers = answers + excluded.answers,
            correct = correct + excluded.correct,
            timed = timed + excluded.timed,
            studied_ms = studied_ms + excluded.studied_ms,
            reviews = reviews + excluded.reviews,
            reviews_correct = reviews_correct + excluded.reviews_correct;
        INSERT INTO topic_totals (deck, topic, source, answers, correct, points)
        VALUES (coalesce({row}.deck, ''), coalesce({row}.topic, ''), {row}.source,
                {sign}, {sign} * {row}.is_correct, {sign} * {row}.points)
        ON CONFLICT (deck, topic, source) DO UPDATE SET
            answers = answers + excluded.answers,
            correct = correct + excluded.correct,
            points = points + excluded.points;
    """


SQLITE_FIRSTS_ADD = """
    INSERT INTO question_firsts (question_id, first_answered_at)
    VALUES (NEW.question_id, NEW.answered_at)
    ON CONFLICT (question_id) DO UPDATE
        SET first_answered_at = min(first_answered_at, excluded.first_answered_at);
"""
SQLITE_EMPTIED = f"""
    DELETE FROM activity_buckets
    WHERE bucket_start = {SQLITE_BUCKET.format(row="OLD")} AND source = OLD.source
      AND answers = 0;
    DELETE FROM topic_totals
    WHERE deck = coalesce(OLD.deck, '') AND topic = coalesce(OLD.topic, '')
      AND source = OLD.source AND answers = 0;
"""
SQLITE_FIRSTS_RECOMPUTE = """
    DELETE FROM question_firsts WHERE question_id = OLD.question_id;
    INSERT INTO question_firsts (question_id, first_answered_at)
    SELECT question_id, min(answered_at) FROM attempts
    WHERE question_id = OLD.question_id GROUP BY question_id;
"""
SQLITE_TRIGGERS = (
    "CREATE TRIGGER attempts_roll_up_insert AFTER INSERT ON attempts BEGIN "
    f"{_sqlite_totals('NEW', '1')} {SQLITE_FIRSTS_ADD} END",
    "CREATE TRIGGER attempts_roll_up_update AFTER UPDATE ON attempts BEGIN "
    f"{_sqlite_totals('OLD', '-1')} {SQLITE_EMPTIED} {_sqlite_totals('NEW', '1')} "
    f"{SQLITE_FIRSTS_RECOMPUTE} {SQLITE_FIRSTS_ADD} END",
    "CREATE TRIGGER attempts_roll_up_delete AFTER DELETE ON attempts BEGIN "
    f"{_sqlite_totals('OLD', '-1')} {SQLITE_EMPTIED} {SQLITE_FIRSTS_RECOMPUTE} END",
)

TRIGGER_NAMES = ("insert", "update", "delete", "truncate")


def upgrade() -> None:
    op.create_table(
        "activity_buckets",
        sa.Column("bucket_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("timed", sa.Integer(), nullable=False),
        sa.Column("studied_ms", sa.BigInteger(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("reviews_correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket_start", "source", name=op.f("pk_activity_buckets")),
    )
    op.create_table(
        "topic_totals",
        sa.Column("deck", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        # The XP total on Home is the sum of these: no scan of every attempt's points.
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("deck", "topic", "source", name=op.f("pk_topic_totals")),
    )
    op.create_table(
        "question_firsts",
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("first_answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_question_firsts")),
    )
    op.create_index(
        "ix_attempts_wrong",
        "attempts",
        ["question_id"],
        postgresql_include=["source"],
        postgresql_where=sa.text("NOT is_correct"),
        sqlite_where=sa.text("NOT is_correct"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for trigger in PG_TRIGGERS:
            op.execute(trigger)
        # The existing history, through the same statements the triggers run.
        op.execute(_pg_totals("attempts", "1"))
        op.execute(PG_FIRSTS_ADD.format(rows="attempts"))
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute(
            f"""
            INSERT INTO activity_buckets
            SELECT {SQLITE_BUCKET.format(row="a")}, a.source, count(*), sum(a.is_correct),
                   count(a.response_ms), coalesce(sum({SQLITE_CAPPED_MS.format(row="a")}), 0),
                   sum(a.mode = 'review'), sum(a.mode = 'review' AND a.is_correct)
            FROM attempts a GROUP BY 1, 2
            """
        )
        op.execute(
            """
            INSERT INTO topic_totals
            SELECT coalesce(deck, ''), coalesce(topic, ''), source, count(*), sum(is_correct),
                   sum(points)
            FROM attempts GROUP BY 1, 2, 3
            """
        )
        op.execute(
            "INSERT INTO question_firsts SELECT question_id, min(answered_at) FROM attempts "
            "GROUP BY question_id"
        )


def downgrade() -> None:
    bind = op.get_bind()
    for name in TRIGGER_NAMES:
        op.execute(
            f"DROP TRIGGER IF EXISTS attempts_roll_up_{name}"
            + (" ON attempts" if bind.dialect.name == "postgresql" else "")
        )
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION attempts_roll_up()")
    op.drop_index("ix_attempts_wrong", table_name="attempts")
    op.drop_table("question_firsts")
    op.drop_table("topic_totals")
    op.drop_table("activity_buckets")
