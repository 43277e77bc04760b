"""Revision 0002, the Alembic door of the old SQLite import, on a scratch Postgres database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, create_engine, text

from studygame import migrations
from studygame.cli import main
from studygame.config import get_settings
from studygame.db import scratch_database

ANSWERS = [
    {"session_id": 1, "question_id": "m1", "correct": 1, "created_at": "2025-03-14 09:26:53"},
    {"session_id": 2, "question_id": "m2", "correct": "no", "created_at": "1741944413000"},
    {"session_id": None, "question_id": None, "correct": 1, "created_at": "2025-03-14"},
]
SESSIONS = [{"id": 1, "started_at": "2025-03-14 09:20:00", "mode": "quiz"}]
LOOSE_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at TEXT, ended_at TEXT, mode TEXT);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY, session_id, question_id, topic, user_answer, correct, time_taken,
    created_at
);
"""


@pytest.fixture
def scratch(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty database of its own, at revision 0001, that the app's settings point at."""
    with scratch_database(database_url) as url:
        engine = create_engine(url)
        migrations.upgrade(engine, "0001")
        monkeypatch.setenv("DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            yield engine
        finally:
            engine.dispose()


def scalar(engine: Engine, sql: str):
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def test_db_upgrade_imports_the_file_and_rebuilds_the_schedule(scratch, legacy_db, monkeypatch):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS}, schema=LOOSE_SCHEMA)
    monkeypatch.setenv("LEGACY_SQLITE_PATH", str(path))
    get_settings.cache_clear()

    result = CliRunner().invoke(main, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert "rebuilt the schedule of 2 questions" in result.output
    assert scalar(scratch, "SELECT count(*) FROM attempts WHERE source = 'legacy'") == 2
    assert scalar(scratch, "SELECT count(*) FROM legacy_import_rejects") == 1
    assert scalar(scratch, "SELECT count(*) FROM card_states") == 2
    assert scalar(scratch, "SELECT code_version FROM legacy_imports").startswith(
        "alembic/studygame "
    )
    assert (
        scalar(
            scratch,
            "SELECT rows_read || '/' || rows_imported || '/' || rows_rejected FROM legacy_imports",
        )
        == "3/2/1"
    )


def test_downgrade_removes_what_the_revision_imported_and_x_argument_brings_it_back(
    scratch, legacy_db
):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": ANSWERS}, schema=LOOSE_SCHEMA)
    alembic = [sys.executable, "-m", "alembic", "-x", f"legacy_sqlite={path}", "upgrade", "head"]
    environment = {**os.environ, "DATABASE_URL": str(scratch.url.render_as_string(False))}
    root = migrations.find_alembic_ini().parent

    first = subprocess.run(alembic, cwd=root, env=environment, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert scalar(scratch, "SELECT count(*) FROM attempts") == 2

    migrations.downgrade(scratch, "0001")
    assert scalar(scratch, "SELECT count(*) FROM attempts") == 0
    assert scalar(scratch, "SELECT count(*) FROM study_sessions") == 0
    assert scalar(scratch, "SELECT count(*) FROM legacy_imports") == 0
    assert scalar(scratch, "SELECT count(*) FROM legacy_import_rejects") == 0

    again = subprocess.run(alembic, cwd=root, env=environment, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert scalar(scratch, "SELECT count(*) FROM attempts") == 2


def test_a_corrupt_file_stops_the_upgrade_and_leaves_the_database_at_0001(
    scratch, tmp_path, monkeypatch
):
    path = tmp_path / "study.db"
    path.write_text("not a database\n" * 100)
    monkeypatch.setenv("LEGACY_SQLITE_PATH", str(path))
    get_settings.cache_clear()

    result = CliRunner().invoke(main, ["db", "upgrade"])

    assert result.exit_code == 1
    assert result.output == f"Error: {path} is not an SQLite database.\n"
    assert migrations.schema_status(scratch).current == "0001"
    assert scalar(scratch, "SELECT count(*) FROM legacy_imports") == 0


def test_without_a_file_the_revision_does_nothing(scratch):
    migrations.upgrade(scratch)
    assert migrations.schema_status(scratch).at_head
    assert scalar(scratch, "SELECT count(*) FROM legacy_imports") == 0


def test_db_upgrade_rejects_bad_values_and_the_schedule_rebuilds_after(
    scratch, legacy_db, monkeypatch
):
    # Once crashed `schedule rebuild` forever: the rows were committed by the upgrade.
    bad = [
        {"session_id": 1, "question_id": "m\x00", "correct": 1, "created_at": "2025-03-14"},
        {"session_id": 1, "question_id": "m3", "correct": 1, "created_at": "9999-12-31 23:59:59"},
        {"session_id": 1, "question_id": "m4", "correct": 1, "created_at": "0001-01-01"},
        {"session_id": 1, "question_id": "m5", "correct": 1, "created_at": "2168-01-01"},
    ]
    tables = {"sessions": SESSIONS, "answers": [*ANSWERS, *bad]}
    path = legacy_db(tables=tables, schema=LOOSE_SCHEMA)
    monkeypatch.setenv("LEGACY_SQLITE_PATH", str(path))
    get_settings.cache_clear()

    upgrade = CliRunner().invoke(main, ["db", "upgrade"])
    rebuild = CliRunner().invoke(main, ["schedule", "rebuild"])

    assert upgrade.exit_code == 0, upgrade.output
    assert rebuild.exit_code == 0, rebuild.output
    assert scalar(scratch, "SELECT count(*) FROM card_states") == 2
    with scratch.connect() as connection:
        reasons = dict(
            connection.execute(
                text("SELECT reason, count(*) FROM legacy_import_rejects GROUP BY reason")
            ).all()
        )
    assert reasons == {"missing_question_id": 1, "bad_question_id": 1, "timestamp_out_of_range": 3}
    assert (
        scalar(
            scratch,
            "SELECT rows_read || '/' || rows_imported || '/' || rows_rejected FROM legacy_imports",
        )
        == "7/2/5"
    )
