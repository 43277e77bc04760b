"""How long a tap waits when the database hangs: save() to queued, and a page read to its error.

Usage: .venv/bin/python bench/hanging_database.py [TAPS]   (default 5)
A relay in front of a scratch database (studygame_bench_<random>, dropped at the end)
stops answering after one good answer: TCP stays open, nothing comes back, as with a
half-open link or a compute stuck waking. TEST_DATABASE_URL picks the server.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from studygame import db, migrations
from studygame.config import Settings, normalize_database_url
from studygame.db import make_engine, scratch_database, session_scope
from studygame.domain.attempt import NewAttempt
from studygame.services.outbox import Outbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.tcp_proxy import TcpProxy  # the relay the tests use

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)


def tap(n: int) -> NewAttempt:
    return NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id=f"hang-{n}", deck="Bench", topic=None,
        mode="quiz", given_answer="x", is_correct=True, rating=3, response_ms=3000, points=850,
        answered_at=datetime.now(UTC) + timedelta(seconds=n),
    )  # fmt: skip


def main(taps: int) -> None:
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        migrations.upgrade(make_engine(Settings(database_url=url), direct=True))
        proxy = TcpProxy(make_url(url).port or 5432)
        engine = make_engine(Settings(database_url=proxy.url(url)), interactive=True)
        try:
            with tempfile.TemporaryDirectory() as folder:
                outbox = Outbox(Path(folder) / "outbox.jsonl")
                assert outbox.save(engine, tap(0), desired_retention=0.9).saved
                proxy.hang()
                waits = []
                for n in range(1, taps + 1):
                    started = time.perf_counter()
                    outcome = outbox.save(engine, tap(n), desired_retention=0.9)
                    waits.append(time.perf_counter() - started)
                    assert not outcome.saved
                started = time.perf_counter()
                try:
                    with session_scope(engine) as session:
                        session.execute(text("SELECT 1"))
                    read = "answered (?)"
                except DBAPIError:
                    read = f"failed after {time.perf_counter() - started:.1f} s"
                pending = outbox.pending()
        finally:
            proxy.close()
            engine.dispose()
    print(f"hanging database, {taps} taps after the first:")
    print(f"  first tap -> answer queued:   {waits[0]:.2f} s")
    print(f"  later taps -> queued:         median {statistics.median(waits[1:]):.3f} s, "
          f"max {max(waits[1:]):.3f} s")  # fmt: skip
    print(f"  answers in the outbox:        {pending}")
    bounds = db.APP_BOUNDS
    print(f"  a page's read:                {read} (call deadline {bounds.call_deadline_s:.0f} s "
          f"+ connect timeout {bounds.connect_timeout_s} s)")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
