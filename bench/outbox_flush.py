"""How fast the outbox queues answers (fsync each) and flushes them, on a local Postgres.

Usage: .venv/bin/python bench/outbox_flush.py [ANSWERS]   (default 300)
It creates its own database (studygame_bench_<random>), and drops it at the end.
TEST_DATABASE_URL picks the server (default postgresql://root@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from studygame import migrations
from studygame.config import Settings, normalize_database_url
from studygame.db import make_engine, scratch_database, session_scope
from studygame.domain.attempt import NewAttempt
from studygame.models import Attempt
from studygame.services.outbox import Outbox
from studygame.services.study import record_attempt

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def answers(count: int) -> list[NewAttempt]:
    """`count` answers over 40 questions, ten seconds apart, as a study session makes them."""
    return [
        NewAttempt(
            id=uuid.uuid4(), session_id=None, question_id=f"bench-{n % 40}", deck="Bench",
            topic=None, mode="review", given_answer="x", is_correct=n % 4 != 0,
            rating=1 if n % 4 == 0 else 3, response_ms=4000, points=0 if n % 4 == 0 else 800,
            answered_at=START + timedelta(seconds=10 * n),
        )
        for n in range(count)
    ]  # fmt: skip


def main(count: int) -> None:
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        engine = make_engine(Settings(database_url=url))
        try:
            migrations.upgrade(engine)
            queued = answers(count)
            with tempfile.TemporaryDirectory() as folder:
                outbox = Outbox(Path(folder) / "outbox.jsonl")
                started = time.perf_counter()
                for attempt in queued:
                    outbox.add(attempt)
                queue_s = time.perf_counter() - started
                size = (Path(folder) / "outbox.jsonl").stat().st_size

                started = time.perf_counter()
                saved = calls = 0
                while outbox.pending():  # each call replays a slice inside the deadline
                    flushed = outbox.flush(engine, desired_retention=0.9)
                    saved, calls = saved + flushed.saved, calls + 1
                flush_s = time.perf_counter() - started

            started = time.perf_counter()
            with session_scope(engine) as session:
                replayed = sum(
                    record_attempt(session, attempt=a, desired_retention=0.9) for a in queued
                )
            replay_s = time.perf_counter() - started
            with session_scope(engine) as session:
                rows = session.scalar(select(func.count()).select_from(Attempt))
        finally:
            engine.dispose()

    print(f"answers queued:            {count} ({size / count:.0f} bytes each on disk)")
    print(f"queue (append + fsync):    {queue_s * 1000 / count:.2f} ms per answer")
    print(f"flush (1 transaction each): {flush_s * 1000 / count:.2f} ms per answer, "
          f"{count / flush_s:.0f} answers/s")  # fmt: skip
    print(f"flushed / still pending:   {saved} / {flushed.pending} ({calls} flush calls)")
    print(f"replay of all (no-ops):    {replayed} inserted, {replay_s * 1000 / count:.2f} ms each")
    print(f"attempt rows:              {rows} (duplicates: {rows - count})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
