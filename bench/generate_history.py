"""Fill a Postgres database with a realistic study history, generated inside Postgres.

Two years of answers to 20,000 questions in 40 decks (8 topics each), mostly reviews,
with a few rest days, accuracy that varies by question, the odd answer left on screen for
minutes, a few thousand legacy rows from the old app at the start, FSRS-like card states
(a handful of leeches, some cards overdue), and the learner's settings.

    createdb -h 127.0.0.1 bench
    python bench/generate_history.py --database-url postgresql://root@127.0.0.1/bench \
        --attempts 1000000

The database must exist; its schema is brought to head, and its study data replaced.
One INSERT ... SELECT over generate_series: a million rows in well under a minute.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import Engine, create_engine, text

from studygame import migrations
from studygame.config import normalize_database_url

QUESTIONS = 20_000
DECKS = 40
TOPICS_PER_DECK = 8
DAYS = 730
LEGACY_DAYS = 90
LEGACY_ROWS = 3_000
TIMEZONE = "Europe/Paris"

# Columns derived from the question number q, shared by legacy and app rows.
QUESTION_COLUMNS = f"""
    lpad(to_hex(q + 1), 24, '0') AS question_id,
    'Deck ' || lpad((q % {DECKS})::text, 2, '0') AS deck,
    'Topic ' || (q / {DECKS} % {TOPICS_PER_DECK} + 1) AS topic,
    -- some questions are hard: accuracy 60 % to 95 %
    r_ok < 0.6 + 0.35 * ((q * 7919) % 100) / 100.0 AS is_correct
"""

ATTEMPTS = f"""
INSERT INTO attempts (id, question_id, deck, topic, mode, given_answer, is_correct, rating,
                      response_ms, points, answered_at, source)
SELECT gen_random_uuid(), question_id, deck, topic, mode,
       CASE WHEN is_correct THEN 'right' ELSE 'wrong' END,
       is_correct,
       CASE WHEN mode NOT IN ('review', 'flashcards') THEN NULL
            WHEN NOT is_correct THEN 1 WHEN r_ms < 0.2 THEN 4 WHEN r_ms > 0.85 THEN 2 ELSE 3 END,
       CASE WHEN r_ms > 0.995 THEN 300000 ELSE (1500 + power(r_ms, 2) * 25000)::int END,
       CASE WHEN is_correct THEN 500 + (r_ms * 500)::int ELSE 0 END,
       answered_at, source
FROM (
    SELECT {QUESTION_COLUMNS}, mode, r_ms, answered_at, source
    FROM (
        SELECT floor({QUESTIONS} * power(random(), 1.3))::int AS q,
               random() AS r_ok, random() AS r_ms,
               CASE WHEN r_mode < 0.55 THEN 'review' WHEN r_mode < 0.75 THEN 'quiz'
                    WHEN r_mode < 0.85 THEN 'flashcards' WHEN r_mode < 0.93 THEN 'speed'
                    ELSE 'cram' END AS mode,
               -- answers spread evenly over the app's days, between 07:00 and 22:00 UTC;
               -- about one day in twenty is skipped (a freeze forgives it), and a
               -- three-day break every 97 days ends the streak.
               :app_start + (day + CASE WHEN day % 97 BETWEEN 40 AND 42 THEN 43 - day % 97
                                        WHEN (day * 37) % 19 = 0 THEN 1 ELSE 0 END)
                   * interval '1 day' + interval '7 hours' + r_time * interval '15 hours'
                   AS answered_at,
               'app' AS source
        FROM (
            SELECT random() AS r_mode, random() AS r_time,
                   floor((i - 1)::float8 * :app_days / :app_rows)::int AS day
            FROM generate_series(1, :app_rows) AS i
        ) s
        UNION ALL
        SELECT floor({QUESTIONS} * random())::int, random(), random(), 'quiz',
               :start + random() * :legacy_days * interval '1 day', 'legacy'
        FROM generate_series(1, :legacy_rows)
    ) g
) a
"""

CARD_STATES = """
INSERT INTO card_states (question_id, deck, state, step, stability, difficulty, due,
                         last_review, reps, lapses, updated_at)
SELECT question_id, deck, 2, NULL, 1 + random() * 90, 1 + random() * 9,
       -- about 14 % overdue, the rest due over the next three months, sooner more often
       :now + (power(random(), 2) * 98 - 2) * interval '1 day',
       last_review, reps,
       floor(power(random(), 20) * 16)::int,
       :now
FROM (
    SELECT question_id, min(deck) AS deck, max(answered_at) AS last_review, count(*) AS reps
    FROM attempts WHERE source = 'app' GROUP BY question_id
) q
"""

SETTINGS = """
INSERT INTO learner_settings (id, timezone, desired_retention, updated_at)
VALUES (1, :timezone, 0.9, :now)
"""


def generate(engine: Engine, *, attempts: int, now: datetime, seed: float = 0.42) -> float:
    """Replace the study data with `attempts` answers ending at `now`; return the seconds taken."""
    migrations.upgrade(engine)
    started = time.perf_counter()
    legacy_rows = min(LEGACY_ROWS, attempts // 20)
    start = now - timedelta(days=DAYS)
    with engine.begin() as connection:
        connection.execute(
            text("TRUNCATE attempts, study_sessions, card_states, learner_settings CASCADE")
        )
        connection.execute(text("SELECT setseed(:seed)"), {"seed": seed})
        connection.execute(
            text(ATTEMPTS),
            {
                "start": start,
                "app_start": start + timedelta(days=LEGACY_DAYS),
                "app_days": DAYS - LEGACY_DAYS,
                "app_rows": attempts - legacy_rows,
                "legacy_days": LEGACY_DAYS,
                "legacy_rows": legacy_rows,
            },
        )
        connection.execute(text(CARD_STATES), {"now": now})
        connection.execute(text(SETTINGS), {"timezone": TIMEZONE, "now": now})
    # What autovacuum would have done by now: statistics, and the visibility map that
    # index-only scans need.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE attempts, card_states, learner_settings"))
    return time.perf_counter() - started


@click.command()
@click.option("--database-url", required=True, help="An existing Postgres database to fill.")
@click.option("--attempts", default=1_000_000, show_default=True, help="How many answers.")
@click.option("--seed", default=0.42, show_default=True, help="Postgres setseed(), -1..1.")
def main(database_url: str, attempts: int, seed: float) -> None:
    """Fill DATABASE with a realistic two-year study history."""
    engine = create_engine(normalize_database_url(database_url))
    seconds = generate(engine, attempts=attempts, now=datetime.now(UTC), seed=seed)
    click.echo(f"{attempts:,} attempts generated in {seconds:.1f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
