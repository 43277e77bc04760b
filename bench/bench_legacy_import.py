"""Time `studygame import-legacy` on a 200,000-answer file against Postgres's own copy speed.

    .venv/bin/python bench/bench_legacy_import.py [--rows 200000]

On a scratch database (created and dropped here): (1) the whole CLI process importing the
file, schedule rebuild included; (2) the server's `INSERT INTO copy SELECT * FROM attempts` of
the same rows into `LIKE attempts INCLUDING ALL`. The target is (1) <= 2 x (2). Then, for the
breakdown, the same import again in this process on emptied tables: the import alone and the
FSRS rebuild alone.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from generate_legacy_sqlite import generate

from studygame import migrations
from studygame.config import normalize_database_url
from studygame.services.legacy import import_legacy_file
from studygame.services.schedule import rebuild_card_states

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    name = f"studygame_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "study.db"
            generate(path, rows=args.rows)
            cli = Path(sys.executable).with_name("studygame")
            started = time.perf_counter()
            result = subprocess.run(
                [str(cli), "import-legacy", str(path), "--json"],
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=True,
            )
            import_s = time.perf_counter() - started
            with engine.begin() as connection:
                imported = connection.execute(text("SELECT count(*) FROM attempts")).scalar_one()
                connection.execute(text("CREATE TABLE copy (LIKE attempts INCLUDING ALL)"))
            with engine.begin() as connection:
                started = time.perf_counter()
                connection.execute(text("INSERT INTO copy SELECT * FROM attempts"))
            floor_s = time.perf_counter() - started
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "TRUNCATE copy, card_states, attempts, study_sessions, legacy_imports"
                        " CASCADE"
                    )
                )
            with Session(engine) as session, session.begin():
                started = time.perf_counter()
                report = import_legacy_file(session, path=path)
                phase_import_s = time.perf_counter() - started
                rebuild_card_states(session, question_ids=report.question_ids)
                phase_rebuild_s = time.perf_counter() - started - phase_import_s
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"report: {result.stdout.strip()}")
    print(
        f"import-legacy (whole CLI process): {import_s:6.2f} s  {imported / import_s:8.0f} rows/s"
    )
    print(f"INSERT INTO copy SELECT (server):  {floor_s:6.2f} s  {imported / floor_s:8.0f} rows/s")
    print(f"ratio: {import_s / floor_s:.2f} x (target <= 2 x)")
    print(
        f"in-process breakdown: import {phase_import_s:.2f} s "
        f"({phase_import_s / floor_s:.2f} x the server), "
        f"FSRS rebuild {phase_rebuild_s:.2f} s"
    )


if __name__ == "__main__":
    main()
