"""Time the Progress and Home queries, the answer write and the Progress page at 10k to 1M attempts.

For each size: a throwaway database (created and dropped here), filled by
generate_history.py, then p50 / p95 over --repeats runs of every query, the write path,
and the Progress page's first load (cold cache) and reload (warm cache) through AppTest.
With --explain, the query plans at the largest size (EXPLAIN ANALYZE, BUFFERS).

    .venv/bin/python bench/bench_progress.py                       # 10k, 100k, 1M
    .venv/bin/python bench/bench_progress.py --sizes 1000000 --explain
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session

from studygame.config import normalize_database_url
from studygame.db import scratch_database, session_scope
from studygame.domain.attempt import NewAttempt
from studygame.domain.streaks import compute_streaks
from studygame.services import progress
from studygame.services.study import record_attempt

sys.path.insert(0, str(Path(__file__).parent))
import generate_history

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "pages" / "6_Progress.py"
TARGET_MS = 300


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) of a list of milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1)]
    return statistics.median(ordered), p95


def timed(fn: Callable[[], object], repeats: int, warmup: int = 2) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def query_cases(session: Session, now: datetime) -> dict[str, Callable[[], object]]:
    """Every query the Progress page runs, and the Home page's, on one open session."""
    tz = generate_history.TIMEZONE
    frame = progress.make_frame(session, timezone=tz, now=now, include_legacy=True)
    app_only = progress.make_frame(session, timezone=tz, now=now, include_legacy=False)
    year_ago = frame.today - timedelta(days=progress.HEATMAP_DAYS - 1)
    start_of_today = frame.start_of_local_day(frame.today)
    return {
        "progress: cache key": lambda: progress.activity_key(session),
        "progress: answers per day (all history)": lambda: progress.answers_per_day(
            session, frame=frame
        ),
        "progress: answers per day, legacy hidden": lambda: progress.answers_per_day(
            session, frame=app_only
        ),
        "progress: average response (12 months)": lambda: progress.average_response_ms(
            session, frame=frame, since=year_ago
        ),
        "progress: accuracy per deck and topic": lambda: progress.accuracy_by_topic(
            session, frame=frame
        ),
        "progress: true retention (26 weeks)": lambda: progress.retention_by_week(
            session, frame=frame, weeks=progress.RETENTION_WEEKS
        ),
        "progress: due forecast (30 days)": lambda: progress.due_forecast(
            session, frame=frame, days=progress.FORECAST_DAYS
        ),
        "progress: leeches": lambda: progress.leeches(session),
        "progress: most wrong": lambda: progress.most_wrong(session, frame=frame),
        "progress: most wrong, legacy hidden": lambda: progress.most_wrong(session, frame=app_only),
        "progress: whole report": lambda: progress.progress_report(session, timezone=tz, now=now),
        "progress: CSV, last 30 days": lambda: sum(
            len(chunk)
            for chunk in progress.attempts_csv(
                session, timezone=tz, start=frame.today - timedelta(days=29), end=frame.today
            )
        ),
        "home: due now": lambda: session.execute(
            text("SELECT count(*) FROM card_states WHERE due <= :now"), {"now": now}
        ).scalar(),
        "home: answers today": lambda: session.execute(
            text("SELECT count(*) FROM attempts WHERE answered_at >= :start"),
            {"start": start_of_today},
        ).scalar(),
        "home: day streak": lambda: compute_streaks(
            [d.day for d in progress.answers_per_day(session, frame=frame)], today=frame.today
        ),
    }


def write_one_answer(engine: Engine, now: datetime) -> None:
    """The answer write path: the attempt and its card state, in one transaction."""
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id="000000000000000000000042",
        deck="Deck 02", topic="Topic 2", mode="review", given_answer="right", is_correct=True,
        rating=3, response_ms=4200, points=800, answered_at=now,
    )  # fmt: skip
    with session_scope(engine) as session:
        record_attempt(session, attempt=attempt, desired_retention=0.9)


Percentiles = tuple[float, float]


def page_load_ms(database_url: str, repeats: int) -> tuple[Percentiles, Percentiles]:
    """The Progress page through AppTest: first load (cold caches), then a reload (warm)."""
    from streamlit.testing.v1 import AppTest

    from studygame.config import get_settings
    from studygame.ui.engine import app_engine
    from studygame.ui.progress_cache import _report

    os.environ["DATABASE_URL"] = database_url
    get_settings.cache_clear()

    def run(app: AppTest) -> None:
        app.run()
        if app.exception:
            raise RuntimeError(app.exception[0].message)

    run(AppTest.from_file(str(PAGE), default_timeout=120))  # imports, once per process
    cold, warm = [], []
    for _ in range(repeats):
        app_engine.clear()
        _report.clear()
        app = AppTest.from_file(str(PAGE), default_timeout=120)
        started = time.perf_counter()
        run(app)
        cold.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        run(app)
        warm.append((time.perf_counter() - started) * 1000)
    app_engine.clear()
    return percentiles(cold), percentiles(warm)


def explain(engine: Engine, now: datetime) -> None:
    """Print the plan of every query the Progress page runs."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with Session(engine) as session:
        cases = query_cases(session, now)
        event.listen(engine, "before_cursor_execute", record)
        cases["progress: whole report"]()
        event.remove(engine, "before_cursor_execute", record)
        for statement, parameters in statements:
            click.echo("\n" + " ".join(statement.split())[:300])
            plan = session.connection().exec_driver_sql(
                f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {statement}", parameters
            )
            for (line,) in plan:
                click.echo("    " + line)


def bench_size(
    admin_url: str, attempts: int, repeats: int, page_repeats: int, plans: bool
) -> dict[str, tuple[float, float]]:
    with scratch_database(admin_url, prefix="studygame_bench") as url:
        engine = create_engine(url)
        now = datetime.now(UTC)
        try:
            seconds = generate_history.generate(engine, attempts=attempts, now=now)
            click.echo(f"\n## {attempts:,} attempts (generated in {seconds:.1f} s)\n")
            results: dict[str, tuple[float, float]] = {}
            with Session(engine) as session:
                for label, fn in query_cases(session, now).items():
                    results[label] = timed(fn, repeats)
            results["write: one answer (insert + card update)"] = timed(
                lambda: write_one_answer(engine, datetime.now(UTC)), repeats
            )
            cold, warm = page_load_ms(url, page_repeats)
            results["page: Progress first load (AppTest, cold cache)"] = cold
            results["page: Progress reload (AppTest, cached)"] = warm
            click.echo("| what | p50 ms | p95 ms |\n|---|---:|---:|")
            for label, (p50, p95) in results.items():
                flag = " ⚠" if p95 > TARGET_MS and not label.startswith("page") else ""
                click.echo(f"| {label} | {p50:.1f} | {p95:.1f}{flag} |")
            if plans:
                explain(engine, now)
            return results
        finally:
            engine.dispose()


@click.command()
@click.option(
    "--admin-url",
    default="postgresql://root@127.0.0.1:5432/postgres",
    show_default=True,
    help="A Postgres URL allowed to create and drop databases.",
)
@click.option("--sizes", default="10000,100000,1000000", show_default=True)
@click.option("--repeats", default=30, show_default=True, help="Timed runs per query.")
@click.option("--page-repeats", default=5, show_default=True, help="Timed page loads.")
@click.option("--explain", "plans", is_flag=True, help="Print plans at the largest size.")
def main(admin_url: str, sizes: str, repeats: int, page_repeats: int, plans: bool) -> None:
    """Print p50 / p95 for every Progress and Home query at each size."""
    admin_url = normalize_database_url(admin_url)
    counts = [int(size) for size in sizes.split(",")]
    for attempts in counts:
        bench_size(admin_url, attempts, repeats, page_repeats, plans and attempts == max(counts))


if __name__ == "__main__":
    main()
