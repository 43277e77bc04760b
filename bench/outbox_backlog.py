"""A tap's save with a backlog in the outbox, and how fast the backlog drains.

Usage: .venv/bin/python bench/outbox_backlog.py [BACKLOG ...]   (default 0 20000 100000)
For each size: write an outbox file of that many answers (over 2,000 questions), then time one tap's
`save` with the database up (the app's interactive engine), then the drain of the backlog
that the tap starts in the background, in answers/s. Each size gets its own scratch database
(studygame_bench_<random>, dropped at the end). TEST_DATABASE_URL picks the server.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
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

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
QUESTIONS = 2_000


def answer(n: int) -> NewAttempt:
    return NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id=f"bench-{n % QUESTIONS}", deck="Bench",
        topic=None, mode="review", given_answer="x", is_correct=n % 4 != 0,
        rating=1 if n % 4 == 0 else 3, response_ms=4000, points=0 if n % 4 == 0 else 800,
        answered_at=START + timedelta(seconds=10 * n),
    )  # fmt: skip


def replays() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "outbox-replay"]


def measure(backlog: int) -> None:
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        migrations.upgrade(make_engine(Settings(database_url=url), direct=True))
        engine = make_engine(Settings(database_url=url), interactive=True)
        try:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "outbox.jsonl"
                # What a long outage leaves behind, written at once (`add` fsyncs each line:
                # ~3 ms here, which `bench/outbox_flush.py` measures).
                path.write_text("".join(answer(n).to_line() for n in range(backlog)))
                outbox = Outbox(path)  # the app's, opened after the outage: reads the file once
                started = time.perf_counter()
                outbox.pending()
                open_s = time.perf_counter() - started
                with session_scope(engine) as session:  # a warm pool, as in the app
                    session.execute(select(1))

                started = time.perf_counter()
                tap = outbox.save(engine, answer(backlog), desired_retention=0.9)
                tap_s = time.perf_counter() - started

                # The tap started the drain on a thread (as in the app): wait for it, and
                # flush here only if it stopped. (A flush meanwhile would wait for its lock.)
                started = time.perf_counter()
                while outbox.pending():
                    if replays():
                        time.sleep(0.01)
                    else:
                        outbox.flush(engine, desired_retention=0.9)
                drain_s = time.perf_counter() - started
                for replay in replays():  # done: let it leave the folder before it goes
                    replay.join()
            with session_scope(engine) as session:
                rows = session.scalar(select(func.count()).select_from(Attempt))
        finally:
            engine.dispose()
    rate = f"{backlog / drain_s:,.0f} answers/s" if backlog else "-"
    print(
        f"backlog {backlog:>7,}: open {open_s * 1000:6.0f} ms, "
        f"tap saved={tap.saved} in {tap_s * 1000:5.0f} ms, drain {drain_s:6.2f} s ({rate}), "
        f"rows {rows:,} (expected {backlog + 1:,})"
    )


if __name__ == "__main__":
    for size in [int(arg) for arg in sys.argv[1:]] or [0, 20_000, 100_000]:
        measure(size)
