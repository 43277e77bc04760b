"""Time `studygame import-legacy` on a 200,000-answer file against Postgres's own copy speed.

    .venv/bin/python bench/bench_legacy_import.py [--rows 200000] [--rounds 3]

On a scratch database (created and dropped here), each round times, back to back:
(1) the whole `studygame import-legacy` process on the file, FSRS schedule rebuild included;
(2) the server's `INSERT INTO copy SELECT * FROM attempts` of the same rows into a table made
with `LIKE attempts INCLUDING ALL`. The target is (1) <= 2 x (2). Then, in this process, the
import alone and the rebuild alone, to show where the time goes. The best round is shown.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from generate_legacy_sqlite import generate

from studygame import migrations
from studygame.config import normalize_database_url
from studygame.db import scratch_database
from studygame.services.legacy.importer import import_legacy_file
from studygame.services.schedule import rebuild_card_states

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)


def empty(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS copy"))
        connection.execute(
            text("TRUNCATE card_states, attempts, study_sessions, legacy_imports CASCADE")
        )


def cli_import(path: Path, url: str) -> float:
    """Seconds for the whole `studygame import-legacy` process."""
    cli = Path(sys.executable).with_name("studygame")
    started = time.perf_counter()
    subprocess.run(
        [str(cli), "import-legacy", str(path), "--json"],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def server_copy(engine: Engine) -> float:
    """Seconds for Postgres to copy the imported attempts into an identical table."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE copy (LIKE attempts INCLUDING ALL)"))
    with engine.begin() as connection:
        started = time.perf_counter()
        connection.execute(text("INSERT INTO copy SELECT * FROM attempts"))
        return time.perf_counter() - started


def in_process(engine: Engine, path: Path) -> tuple[float, float]:
    """Seconds for the import alone and for the schedule rebuild alone, in this process."""
    with Session(engine) as session, session.begin():
        started = time.perf_counter()
        report = import_legacy_file(session, path=path)
        imported = time.perf_counter()
        rebuild_card_states(session, question_ids=report.question_ids, desired_retention=0.9)
        return imported - started, time.perf_counter() - imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with scratch_database(ADMIN_URL, prefix="studygame_bench") as url:
        engine = create_engine(url)
        rounds = []
        try:
            migrations.upgrade(engine)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "study.db"
                generate(path, rows=args.rows)
                for number in range(1, args.rounds + 1):
                    empty(engine)
                    whole = cli_import(path, url)
                    with engine.connect() as connection:
                        rows = connection.execute(
                            text("SELECT count(*) FROM attempts")
                        ).scalar_one()
                    floor = server_copy(engine)
                    empty(engine)
                    alone, rebuild = in_process(engine, path)
                    rounds.append((whole, floor, alone, rebuild))
                    print(
                        f"round {number}: import-legacy process {whole:5.2f} s, server copy "
                        f"{floor:5.2f} s ({whole / floor:.2f} x); in process: "
                        f"import {alone:5.2f} s ({alone / floor:.2f} x), "
                        f"FSRS rebuild {rebuild:5.2f} s"
                    )
        finally:
            engine.dispose()
    # Each round's own ratio: the load of a shared machine drifts between rounds.
    whole, floor, alone, rebuild = min(rounds, key=lambda round_: round_[0] / round_[1])
    print(f"best round of {args.rounds}, {rows} attempts imported:")
    print(f"  import-legacy, whole CLI process: {whole:5.2f} s  {rows / whole:8.0f} rows/s")
    print(f"  INSERT INTO copy SELECT (server): {floor:5.2f} s  {rows / floor:8.0f} rows/s")
    print(f"  ratio: {whole / floor:.2f} x (target <= 2 x)")
    print(f"  in process: import {alone:.2f} s ({alone / floor:.2f} x the server),")
    print(f"  FSRS rebuild of the imported questions {rebuild:.2f} s")


if __name__ == "__main__":
    main()
