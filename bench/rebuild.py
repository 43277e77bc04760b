"""Time `schedule rebuild` (200,000 answers to 20,000 cards) and prove it unchanged.

    .venv/bin/python bench/rebuild.py [--attempts 200000] [--rounds 3]

On a scratch database filled by bench/generate_history.py, each round times the rebuild in
this process: CPU seconds of this process (the goal is <= 1 s) and wall seconds. Then every
card state is replayed again answer by answer through py-fsrs's own `Scheduler.review_card`
(the way rebuilds ran before the engine) and compared field by field.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

from fsrs import Card, Rating, Scheduler
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from generate_history import generate

from studygame.config import normalize_database_url
from studygame.db import scratch_database
from studygame.domain.scheduling import replay_rating
from studygame.models import Attempt, CardState
from studygame.services.schedule import UNSCHEDULED_MODES, rebuild_card_states

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
COLUMNS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")


def timed_rebuild(engine) -> tuple[float, float, int]:
    """(CPU s, wall s, cards) of one full rebuild, committed."""
    with Session(engine) as session, session.begin():
        cpu, wall = time.process_time(), time.perf_counter()
        cards = rebuild_card_states(session, desired_retention=0.9)
        return time.process_time() - cpu, time.perf_counter() - wall, cards


def library_states(session: Session) -> dict[str, tuple]:
    """Every card as py-fsrs itself computes it, one review_card call per answer."""
    scheduler = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    rows = session.execute(
        select(Attempt.question_id, Attempt.rating, Attempt.is_correct, Attempt.answered_at)
        .where(Attempt.mode.not_in(UNSCHEDULED_MODES))
        .order_by(Attempt.question_id, Attempt.answered_at, Attempt.id)
    )
    states = {}
    for question_id, group in groupby(rows, key=lambda row: row.question_id):
        card, reps, lapses = None, 0, 0
        for row in group:
            rating = replay_rating(rating=row.rating, is_correct=row.is_correct)
            card = card or Card(card_id=0, due=row.answered_at)
            lapses += card.state == 2 and rating == 1
            card, _log = scheduler.review_card(card, Rating(rating), row.answered_at)
            reps += 1
        states[question_id] = (int(card.state), card.step, card.stability, card.difficulty,
                               card.due, card.last_review, reps, lapses)  # fmt: skip
    return states


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        engine = create_engine(url)
        try:
            generate(engine, attempts=args.attempts, now=datetime.now(UTC))
            rounds = [timed_rebuild(engine) for _ in range(args.rounds)]
            for number, (cpu, wall, cards) in enumerate(rounds, 1):
                print(
                    f"round {number}: rebuild of {cards} cards: {cpu:.2f} s CPU, {wall:.2f} s wall"
                )
            with Session(engine) as session:
                started = time.process_time()
                expected = library_states(session)
                reference = time.process_time() - started
                stored = {
                    card.question_id: tuple(getattr(card, column) for column in COLUMNS)
                    for card in session.scalars(select(CardState))
                }
        finally:
            engine.dispose()
    cpu, wall, cards = min(rounds)
    print(f"best of {args.rounds}: {cpu:.2f} s CPU, {wall:.2f} s wall for {cards} cards")
    print(f"py-fsrs answer by answer (replay alone, no database writes): {reference:.2f} s CPU")
    different = sum(stored.get(question) != state for question, state in expected.items())
    print(f"cards different from py-fsrs's own replay: {different} of {len(expected)}")


if __name__ == "__main__":
    main()
