"""Time a backup, its verify and the portable export of a populated database; print the figures.

    .venv/bin/python bench/bench_backup.py --database-url postgresql://root@127.0.0.1/history
    .venv/bin/python bench/bench_backup.py --attempts 100000   # fills a scratch database, drops it

The first form reads an existing database (e.g. the 1M-attempt history) and writes nothing to
it; verify's scratch database and the dump live only for the run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from studygame import migrations
from studygame.config import normalize_database_url
from studygame.db import scratch_database, session_scope
from studygame.services.backups.dump import create_backup
from studygame.services.backups.export import export_zip
from studygame.services.backups.restore import verify_backup
from studygame.services.backups.vetting import vet_dump

SERVER_URL = "postgresql://root@127.0.0.1:5432/postgres"
# About 30 answers a sitting and 2,000 distinct questions: the shape of a real history.
FILL_SQL = """
INSERT INTO study_sessions (id, started_at, ended_at, mode, answered, correct, points)
SELECT md5('s' || n)::uuid, now() - n * interval '1 hour', now() - n * interval '1 hour'
       + interval '10 minutes', 'quiz', 30, 20, 15000
FROM generate_series(0, :attempts / 30) AS n;
INSERT INTO attempts (id, session_id, question_id, deck, topic, mode, given_answer, is_correct,
                      rating, response_ms, points, answered_at, source, legacy_extra)
SELECT md5('a' || n)::uuid, md5('s' || n / 30)::uuid, lpad(to_hex(n % 2000), 24, '0'),
       'Deck ' || n % 7, 'Topic ' || n % 31, 'quiz', 'answer ' || n, n % 3 > 0, 1 + n % 4,
       500 + n % 20000, CASE WHEN n % 3 > 0 THEN 900 ELSE 0 END,
       now() - n * interval '2 minutes',
       CASE WHEN n % 10 = 0 THEN 'legacy' ELSE 'app' END,
       CASE WHEN n % 10 = 0 THEN jsonb_build_object('device', 'laptop', 'rowid', n) END
FROM generate_series(1, :attempts) AS n;
INSERT INTO card_states (question_id, deck, state, stability, difficulty, due, last_review,
                         reps, lapses, updated_at)
SELECT lpad(to_hex(n), 24, '0'), 'Deck ' || n % 7, 2, 3.5 + n % 50, 5.1, now() + n * interval '1 h',
       now(), 10, 1, now()
FROM generate_series(0, 1999) AS n;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--database-url", help="a populated StudyGame database to back up")
    source.add_argument("--attempts", type=int, default=100_000, help="rows for a scratch fill")
    parser.add_argument("--server-url", default=SERVER_URL, help="where scratch databases go")
    args = parser.parse_args()
    server = normalize_database_url(args.server_url)
    if args.database_url:
        database = normalize_database_url(args.database_url)
        bench(database, server)
        return
    with scratch_database(server) as database:
        started = time.monotonic()
        engine = create_engine(database, poolclass=NullPool)
        migrations.upgrade(engine)
        with engine.begin() as connection:
            for statement in filter(str.strip, FILL_SQL.split(";")):
                connection.execute(text(statement), {"attempts": args.attempts})
        engine.dispose()
        print(f"fill      {args.attempts} attempts in {time.monotonic() - started:.1f} s")
        bench(database, server)


def bench(database: str, server: str) -> None:
    engine = create_engine(database, poolclass=NullPool)
    with engine.connect() as connection:
        size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
    engine.dispose()
    print(f"database  {size / 1e6:.0f} MB in Postgres (tables and indexes)")
    with tempfile.TemporaryDirectory() as folder:
        result = create_backup(database_url=database, out_dir=Path(folder), now=datetime.now(UTC))
        print(
            f"backup    {result.seconds:.1f} s, {result.rows} rows, "
            f"{result.size_bytes / 1e6:.1f} MB gzip, {result.plain_bytes / 1e6:.1f} MB plain SQL"
        )
        started = time.monotonic()
        vet_dump(result.dump)
        print(f"vet       {time.monotonic() - started:.1f} s (read and lex the dump, no psql)")
        started = time.monotonic()
        verified = verify_backup(result.dump, database_url=server)
        print(f"verify    {time.monotonic() - started:.1f} s, identical: {verified.ok}")
    started = time.monotonic()
    engine = create_engine(database, poolclass=NullPool, isolation_level="REPEATABLE READ")
    with session_scope(engine) as session:
        data = export_zip(session, now=datetime.now(UTC))
    engine.dispose()
    print(f"export    {time.monotonic() - started:.1f} s, {len(data) / 1e6:.1f} MB zip")


if __name__ == "__main__":
    main()
