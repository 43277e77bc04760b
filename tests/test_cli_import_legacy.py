"""`studygame import-legacy`: the CLI door of the old SQLite import, committing for real."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from studygame.cli import main
from studygame.services.legacy import importer as legacy

ANSWERS = [
    {"session_id": 1, "question_id": "cli-q1", "correct": 0, "time_taken": 3.0,
     "created_at": "2025-03-14 09:26:53"},
    {"session_id": 1, "question_id": "cli-q1", "correct": "yes", "time_taken": 2.0,
     "created_at": "2025-03-16T09:26:53Z"},
    {"session_id": None, "question_id": "cli-q2", "correct": "True", "time_taken": None,
     "created_at": 1742117213},
    {"session_id": 7, "question_id": "", "correct": 1, "time_taken": None,
     "created_at": "2025-03-16 10:00:00"},
]  # fmt: skip
SESSIONS = [{"id": 1, "started_at": "2025-03-14 09:20:00", "mode": "quiz"}]
TABLES = ("attempts", "study_sessions", "legacy_import_rejects", "card_states")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def database(app_database: str) -> Iterator:
    """The test database; the legacy rows and card states the test commits are removed after."""
    engine = create_engine(app_database)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT coalesce(max(id), 0) FROM legacy_imports")).one()[
            0
        ]
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM card_states WHERE question_id LIKE 'cli-%'"))
        for table in ("attempts", "study_sessions"):
            connection.execute(
                text(f"DELETE FROM {table} WHERE legacy_import_id > :before"), {"before": before}
            )
        connection.execute(
            text("DELETE FROM legacy_imports WHERE id > :before"), {"before": before}
        )
    engine.dispose()


def reasons(**counts: int) -> dict[str, int]:
    return {reason: counts.get(reason, 0) for reason in legacy.REJECT_REASONS}


def counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).one()[0]
            for table in (*TABLES, "legacy_imports")
        }


def test_json_report_then_a_second_run_imports_nothing_twice(database, legacy_db):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS})
    digest = hashlib.sha256(path.read_bytes()).hexdigest()

    first = run("import-legacy", str(path), "--json")
    after_first = counts(database)
    second = run("import-legacy", str(path), "--json")

    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {
        "read": 4,
        "imported": 3,
        "rejected": 1,
        "reject_reasons": reasons(missing_question_id=1),
        "already_imported": 0,
    }
    assert second.exit_code == 0, second.output
    assert json.loads(second.output) == {
        "read": 4,
        "imported": 0,
        "rejected": 0,
        "reject_reasons": reasons(),
        "already_imported": 4,
    }
    after_second = counts(database)
    assert {t: after_second[t] for t in TABLES} == {t: after_first[t] for t in TABLES}
    assert after_second["legacy_imports"] == after_first["legacy_imports"] + 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_the_schedule_is_rebuilt_from_the_imported_history(database, legacy_db):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS})

    result = run("import-legacy", str(path))

    assert result.exit_code == 0, result.output
    assert "Rebuilt the schedule of 2 questions." in result.output
    with database.connect() as connection:
        cards = connection.execute(
            text(
                "SELECT question_id, reps, lapses, last_review FROM card_states"
                " WHERE question_id LIKE 'cli-%' ORDER BY question_id"
            )
        ).all()
    assert [(q, reps, last.isoformat()) for q, reps, _, last in cards] == [
        ("cli-q1", 2, "2025-03-16T09:26:53+00:00"),
        ("cli-q2", 1, "2025-03-16T09:26:53+00:00"),
    ]


def test_human_summary_with_progress_and_a_dry_run_that_writes_nothing(database, legacy_db):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS})
    before = counts(database)

    result = run("import-legacy", str(path), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Reading study.db" in result.output
    assert (
        "Read 4 answers from study.db: 3 imported, 1 rejected "
        "(1 missing_question_id), 0 already imported." in result.output
    )
    assert result.output.rstrip().endswith("Dry run: nothing was written.")
    assert counts(database) == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"this is a text file, not a database\n" * 50, "is not an SQLite database."),
        ("truncated", "is a damaged SQLite database (truncated or corrupt)"),
    ],
)
def test_a_bad_file_stops_with_one_sentence_and_changes_nothing(
    database, legacy_db, tmp_path, content, problem
):
    if content == "truncated":
        good = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS * 500})
        content = good.read_bytes()[: good.stat().st_size * 2 // 3]
    path = tmp_path / "old.db"
    path.write_bytes(content)
    before = counts(database)

    result = run("import-legacy", str(path), "--json")

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path} {problem}")
    assert len(result.output.splitlines()) == 1
    assert counts(database) == before
    assert path.read_bytes() == content


def test_the_local_development_database_must_be_upgraded_first(legacy_db):
    # No DATABASE_URL: the local SQLite development database, which takes the plain path.
    path = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS})

    refused = run("import-legacy", str(path), "--json")
    assert run("db", "upgrade").exit_code == 0
    accepted = run("import-legacy", str(path), "--json")

    assert refused.exit_code == 1
    assert refused.output == (
        "Error: The database schema is not up to date: run `studygame db upgrade` first.\n"
    )
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.output)["imported"] == 3


class Sql(str):
    """A value written by an SQL expression, for bytes that Python's sqlite3 cannot bind."""


LOOSE_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at, ended_at, mode);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY, session_id, question_id, topic, user_answer, correct, time_taken,
    created_at
);
"""
GOOD = {
    "session_id": 1,
    "question_id": "cli-bad-q",
    "topic": "capitals",
    "user_answer": "Paris",
    "correct": 1,
    "time_taken": 1.5,
    "created_at": "2025-03-14 09:26:53",
}
# id: (table.column, the bad value, the reject reason, or None when the row still imports).
BAD_VALUES = {
    "NUL in question id": ("answers.question_id", "cli-q\x00", "bad_question_id"),
    "control character in question id": ("answers.question_id", "cli-\x07q", "bad_question_id"),
    "newline in question id": ("answers.question_id", "cli-q\n", "bad_question_id"),
    "65-character question id": ("answers.question_id", "cli-" + "x" * 61, "bad_question_id"),
    "invalid UTF-8 question id": ("answers.question_id", Sql("CAST(X'636c692dff' AS TEXT)"),
                                  "bad_question_id"),
    "lone surrogate question id": ("answers.question_id", Sql("CAST(X'636c692deda080' AS TEXT)"),
                                   "bad_question_id"),
    "blob question id": ("answers.question_id", b"cli-q", "bad_question_id"),
    "empty question id": ("answers.question_id", "", "missing_question_id"),
    "year 9999": ("answers.created_at", "9999-12-31 23:59:59", "timestamp_out_of_range"),
    "year 1": ("answers.created_at", "0001-01-01", "timestamp_out_of_range"),
    "year 2100": ("answers.created_at", "2100-01-01 00:00:00", "timestamp_out_of_range"),
    "year 2168": ("answers.created_at", "2168-06-01T00:00:00Z", "timestamp_out_of_range"),
    "1999": ("answers.created_at", "1999-12-31 23:59:59", "timestamp_out_of_range"),
    "epoch -1": ("answers.created_at", -1, "timestamp_out_of_range"),
    "epoch ms in 2100": ("answers.created_at", 4102444800000, "timestamp_out_of_range"),
    "year 1 with an offset": ("answers.created_at", "0001-01-01T00:00:00+05:00", "bad_timestamp"),
    "year 9999 with an offset": ("answers.created_at", "9999-12-31T23:59:59-05:00",
                                 "bad_timestamp"),
    "epoch 1e300": ("answers.created_at", 1e300, "bad_timestamp"),
    "epoch infinity": ("answers.created_at", float("inf"), "bad_timestamp"),
    "NaN text timestamp": ("answers.created_at", "NaN", "bad_timestamp"),
    "blob timestamp": ("answers.created_at", b"2025", "bad_timestamp"),
    "text in correct": ("answers.correct", "maybe", "bad_correct"),
    "2 in correct": ("answers.correct", 2, "bad_correct"),
    "NULL correct": ("answers.correct", None, "bad_correct"),
    "huge time_taken": ("answers.time_taken", 1e300, None),
    "negative time_taken": ("answers.time_taken", -5, None),
    "infinite time_taken": ("answers.time_taken", float("inf"), None),
    "text time_taken": ("answers.time_taken", "slow", None),
    "huge integer time_taken": ("answers.time_taken", 2**62, None),
    "201-character topic": ("answers.topic", "t" * 201, None),
    "invalid UTF-8 topic": ("answers.topic", Sql("CAST(X'746f70ff' AS TEXT)"), None),
    "lone surrogate answer": ("answers.user_answer", Sql("CAST(X'61eda080' AS TEXT)"), None),
    "NUL in answer": ("answers.user_answer", "a\x00b", None),
    "session started in 9999": ("sessions.started_at", "9999-12-31 23:59:59", None),
    "session started in year 1": ("sessions.started_at", "0001-01-01", None),
    "session ended in 2100": ("sessions.ended_at", "2100-01-01 00:00:00", None),
    "17-character mode": ("sessions.mode", "m" * 17, None),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_VALUES), ids=list(BAD_VALUES))
def test_each_bad_value_is_decided_alike_by_the_dry_run_and_the_import(database, legacy_db, case):
    target, value, reason = BAD_VALUES[case]
    table, column = target.split(".")
    sessions = [{"id": 1, "started_at": "2025-03-14 09:20:00", "mode": "quiz"}]
    answers = [{**GOOD, "question_id": "cli-good-q"}, GOOD]
    path = legacy_db(tables={"sessions": sessions, "answers": answers}, schema=LOOSE_SCHEMA)
    db = sqlite3.connect(path)
    last = {"sessions": 1, "answers": 2}[table]
    if isinstance(value, Sql):
        db.execute(f"UPDATE {table} SET {column} = {value} WHERE id = {last}")
    else:
        db.execute(f"UPDATE {table} SET {column} = ? WHERE id = {last}", (value,))
    db.commit()
    db.close()

    dry = run("import-legacy", str(path), "--json", "--dry-run")
    real = run("import-legacy", str(path), "--json")
    rebuild = run("schedule", "rebuild")

    assert dry.exit_code == 0, dry.output
    assert real.exit_code == 0, real.output
    report = json.loads(real.output)
    assert json.loads(dry.output) == report
    assert list(report["reject_reasons"]) == list(legacy.REJECT_REASONS)
    expected = Counter({reason: 1} if reason else {})
    assert +Counter(report["reject_reasons"]) == expected
    assert (report["read"], report["imported"] + report["rejected"]) == (2, 2)
    assert rebuild.exit_code == 0, rebuild.output
