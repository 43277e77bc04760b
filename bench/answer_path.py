"""The answer path on a big history: the write, Review's next card, and Home's summary.

Counts statements and transactions per action (SQLAlchemy events) and times each.

Prints figures; asserts nothing. Creates and drops its own database on
TEST_DATABASE_URL's server (default postgresql://root@127.0.0.1:5432/postgres).
Run: .venv/bin/python bench/answer_path.py [ATTEMPTS] [CARDS]   (default 1000000 20000)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from studygame import migrations
from studygame.config import normalize_database_url
from studygame.db import scratch_database
from studygame.domain.attempt import NewAttempt
from studygame.services.learner import LearnerPreferences
from studygame.services.queue import new_card_candidates, next_review_card, today_summary
from studygame.services.study import record_attempt

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# The app's answers name their sitting, whose row the answer's transaction upserts.
SITTING = uuid.uuid4()
RUNS = 50
random.seed(4)

# 20k cards, 1 in 25 due now; 1M attempts spread over two years, a couple hundred today.
FILL = """
INSERT INTO card_states (question_id, deck, state, step, stability, difficulty, due,
                         last_review, reps, lapses, updated_at)
SELECT 'q' || i, 'Deck ' || (i % 12), 2, NULL, 10.0, 5.0,
       :now + ((i % 50) - 1) * interval '1 day' - (i % 1000) * interval '1 minute',
       :now - interval '3 days', 5, 0, :now
FROM generate_series(1, :cards) AS i;
INSERT INTO attempts (id, question_id, deck, mode, is_correct, rating, response_ms, points,
                      answered_at, source)
SELECT gen_random_uuid(), 'q' || (1 + i % :cards), 'Deck ' || (i % 12), 'review', i % 7 <> 0,
       CASE WHEN i % 7 = 0 THEN 1 ELSE 3 END, 4000, 700,
       :now - (i * (730.0 * 86400 / :attempts)) * interval '1 second', 'app'
FROM generate_series(1, :attempts) AS i;
ANALYZE;
"""


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def timed(engine, action) -> tuple[list[float], int, int]:
    """Run `action` RUNS times, each in its own transaction as the app does."""
    counts = {"before_cursor_execute": 0, "begin": 0}

    def counter(name):
        def count(*_args) -> None:
            counts[name] += 1

        return count

    listeners = {name: counter(name) for name in counts}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        with Session(engine) as s, s.begin():
            action(s)
        timings.append((time.perf_counter() - started) * 1000)
    for name, listener in listeners.items():
        event.remove(engine, name, listener)
    return timings, counts["before_cursor_execute"] // RUNS, counts["begin"] // RUNS


def an_answer(cards: int) -> NewAttempt:
    """A right answer to a random card, answered now (the write path's input)."""
    return NewAttempt(
        id=uuid.uuid4(), session_id=SITTING, question_id=f"q{random.randint(1, cards)}",
        deck="Deck 1", topic=None, mode="review", given_answer="right", is_correct=True,
        rating=3, response_ms=4000, points=800, answered_at=NOW,
    )  # fmt: skip


def main(attempts: int, cards: int) -> None:
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        engine = create_engine(url)
        try:
            migrations.upgrade(engine)
            started = time.perf_counter()
            with engine.begin() as c:
                for statement in FILL.split(";"):
                    if statement.strip():
                        c.execute(
                            text(statement), {"now": NOW, "cards": cards, "attempts": attempts}
                        )
            filled_s = time.perf_counter() - started
            print(f"filled {attempts:,} attempts, {cards:,} cards in {filled_s:.1f} s")
            bank = [f"q{i}" for i in range(1, cards + 1)]
            preferences = LearnerPreferences(timezone="Europe/Paris")
            with Session(engine) as s:
                candidates = new_card_candidates(s, question_ids=bank, limit=20)
            cases = {
                "new_card_candidates (once per Review sitting)": lambda s: new_card_candidates(
                    s, question_ids=bank, limit=20
                ),
                "next_review_card (Review, answer -> next card)": lambda s: next_review_card(
                    s,
                    question_ids=bank,
                    now=NOW,
                    timezone="Europe/Paris",
                    new_cards_per_day=20,
                    candidates=candidates,
                ),
                "record_attempt (one answer + its card state)": lambda s: record_attempt(
                    s, attempt=an_answer(cards), desired_retention=0.9
                ),
                "today_summary (Home)": lambda s: today_summary(
                    s, question_ids=bank, now=NOW, preferences=preferences
                ),
            }
            for label, action in cases.items():
                timings, statements, transactions = timed(engine, action)
                print(
                    f"{label}: p50 {statistics.median(timings):.1f} ms, "
                    f"p95 {percentile(timings, 95):.1f} ms, {statements} statements, "
                    f"{transactions} transaction, {RUNS} runs"
                )
        finally:
            engine.dispose()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*(args + [1_000_000, 20_000][len(args) :]))
