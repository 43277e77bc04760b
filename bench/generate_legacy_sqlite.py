"""Write an old-app SQLite file (`study.db` schema) with N answers, for the import benchmark.

    .venv/bin/python bench/generate_legacy_sqlite.py /tmp/study.db --rows 200000

Seeded, so every run writes the same file: about 2,000 questions answered over three years in
sittings of ~30 answers, timestamps in the formats real files show, a few rejects.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, ended_at TEXT, mode TEXT
);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id INTEGER REFERENCES sessions(id),
    question_id TEXT NOT NULL,
    topic TEXT,
    user_answer TEXT,
    correct INTEGER NOT NULL,
    time_taken REAL,
    created_at TEXT NOT NULL
);
"""
SITTING = 30
TOPICS = ("capitals", "rivers", "verbs", "chemistry", "history", None)


def timestamp(moment: datetime, rng: random.Random) -> object:
    """The same moment in one of the formats the old app wrote over its life."""
    pick = rng.random()
    if pick < 0.7:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    if pick < 0.85:
        return moment.isoformat().replace("+00:00", "Z")
    if pick < 0.95:
        return int(moment.timestamp())
    return int(moment.timestamp() * 1000)


def generate(path: Path, *, rows: int, seed: int = 7) -> None:
    """Write the file; an existing one is replaced."""
    rng = random.Random(seed)
    questions = [f"{rng.getrandbits(96):024x}" for _ in range(2000)]
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    # Sittings are ~17 hours apart on average: start early enough to end before 2026, since
    # the import refuses answers later than the day after it runs.
    moment = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=17 * (rows // SITTING + 1))
    answers = []
    sessions = []
    for number in range(rows):
        if number % SITTING == 0:
            moment += timedelta(hours=rng.randint(3, 30))
            session_id = number // SITTING + 1
            sessions.append(
                (
                    session_id,
                    moment.strftime("%Y-%m-%d %H:%M:%S"),
                    None,
                    rng.choice(("quiz", "review")),
                )
            )
        moment += timedelta(seconds=rng.randint(4, 40))
        question_id = rng.choice(questions) if number % 1000 else ""  # 0.1 % rejects
        answers.append(
            (
                session_id,
                question_id,
                rng.choice(TOPICS),
                f"answer {rng.randint(1, 4)}",
                int(rng.random() < 0.8),
                round(rng.uniform(0.8, 25.0), 3) if rng.random() < 0.9 else None,
                timestamp(moment, rng),
            )
        )
    db.executemany("INSERT INTO sessions VALUES (?, ?, ?, ?)", sessions)
    db.executemany(
        "INSERT INTO answers (session_id, question_id, topic, user_answer, correct, time_taken,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        answers,
    )
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    generate(args.path, rows=args.rows)
    print(f"wrote {args.rows} answers to {args.path} ({args.path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
