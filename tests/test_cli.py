import uuid
from datetime import UTC, datetime

from click.testing import CliRunner
from sqlalchemy import delete

from studygame.cli import main
from studygame.db import get_engine, session_scope
from studygame.models import Attempt, CardState
from studygame.services.study import NewAttempt, record_attempt


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_doctor_is_happy_with_a_good_database(app_database):
    result = run("doctor")
    assert result.exit_code == 0, result.output
    assert "ok   database       PostgreSQL" in result.output
    assert "ok   schema         at head" in result.output
    assert "bundled sample decks" in result.output
    assert "pg_dump" in result.output


def test_doctor_explains_a_malformed_url_in_one_line(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://me:pa55word@host/db")
    result = run("doctor")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "FAIL settings       DATABASE_URL must start with postgresql:// or postgres://, not mysql://."
    ]


def test_doctor_reports_an_unreachable_database_without_the_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://root:pa55word@127.0.0.1:1/db")
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAIL database       Could not connect to the database" in result.output
    assert "postgresql+psycopg://root:***@127.0.0.1:1/db" in result.output
    assert "pa55word" not in result.output


def test_doctor_flags_a_schema_behind_head(tmp_path, monkeypatch):
    # The local development file exists but was never upgraded.
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAIL schema         at nothing (empty database)" in result.output


def test_doctor_fails_closed_on_a_space_without_secrets(monkeypatch):
    monkeypatch.setenv("SPACE_ID", "me/studygame")
    result = run("doctor")
    assert result.exit_code == 1
    assert "FAIL DATABASE_URL   not set: required on a hosted deployment" in result.output
    assert "FAIL APP_PIN        not set: required on a hosted deployment" in result.output


def test_db_upgrade_on_an_unreachable_database_is_one_sentence(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://root:pa55word@127.0.0.1:1/db")
    result = run("db", "upgrade")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Could not connect to the database:")
    assert "pa55word" not in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_brings_the_local_development_file_to_head():
    result = run("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Schema at 0")
    assert run("doctor").exit_code == 0


def test_schedule_rebuild_replays_the_attempts(app_database):
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id="cli-rebuild", deck="d", topic=None,
        mode="quiz", given_answer="x", is_correct=True, rating=3, response_ms=900, points=950,
        answered_at=datetime(2026, 11, 1, tzinfo=UTC),
    )  # fmt: skip
    with session_scope(get_engine()) as s:
        record_attempt(s, attempt=attempt, desired_retention=0.9)
        s.execute(delete(CardState))
    try:
        result = run("schedule", "rebuild")
        assert result.exit_code == 0, result.output
        assert result.output == "Rebuilt 1 card states (desired retention 0.90).\n"
        with session_scope(get_engine()) as s:
            assert s.get(CardState, "cli-rebuild").reps == 1
    finally:
        with session_scope(get_engine()) as s:
            s.execute(delete(Attempt).where(Attempt.id == attempt.id))
            s.execute(delete(CardState).where(CardState.question_id == "cli-rebuild"))
