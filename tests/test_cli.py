import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select
from sqlalchemy.engine import make_url

from studygame import cli
from studygame.cli import main
from studygame.db import get_engine, scratch_database, session_scope
from studygame.domain.attempt import NewAttempt
from studygame.domain.memory_model import MIN_REVIEWS
from studygame.models import Attempt, CardState, SchedulerParameters
from studygame.services.study import record_attempt


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
    assert (
        "FAIL database       127.0.0.1 refused the connection on port 1: nothing listens there"
        in result.output
    )
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


# --- backup, backup verify, restore, export, import-export ---


def _only(folder, pattern):
    (path,) = folder.glob(pattern)
    return path


def test_backup_then_backup_verify_pass(app_database, tmp_path):
    result = run("backup", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    dump = _only(tmp_path, "studygame-*.sql.gz")
    assert f"Backup {dump} (" in result.stdout
    assert "Dumping…" in result.stderr

    verified = run("backup", "verify", str(dump))
    assert verified.exit_code == 0, verified.output
    assert re.match(rf"{re.escape(dump.name)} restores: \d+ tables, \d+ rows, ", verified.stdout)
    assert verified.stdout.endswith(f"identical to its manifest {dump.name[:-7]}.json.\n")


def test_backup_verify_exits_1_when_the_restore_differs_from_the_manifest(app_database, tmp_path):
    run("backup", "--out", str(tmp_path), "--no-compress")
    manifest_file = _only(tmp_path, "studygame-*.json")
    manifest = json.loads(manifest_file.read_text())
    manifest["tables"]["alembic_version"]["checksum"] = "0" * 32
    manifest_file.write_text(json.dumps(manifest))

    result = run("backup", "verify", str(_only(tmp_path, "studygame-*.sql")))
    assert result.exit_code == 1
    assert "alembic_version: same row count (1) but different contents" in result.output
    assert "Error: " in result.output and "differs from its manifest" in result.output


def test_restore_into_an_empty_database_then_only_with_force(app_database, tmp_path):
    run("backup", "--out", str(tmp_path))
    dump = str(_only(tmp_path, "studygame-*.sql.gz"))
    with scratch_database(app_database) as target:
        first = run("restore", dump, "--database-url", target)
        again = run("restore", dump, "--database-url", target)
        forced = run("restore", dump, "--database-url", target, "--force")

    assert first.exit_code == 0, first.output
    assert re.search(r"^Restored \d+ tables, \d+ rows into postgresql", first.output)
    assert "row counts match the manifest" in first.output
    assert "Schema at 0" in first.output and "(head)" in first.output
    assert again.exit_code == 1
    assert again.output.startswith("Error: The target database is not empty (it has ")
    assert forced.exit_code == 0, forced.output
    assert forced.output.startswith("Replacing ")
    assert "alembic_version (1 row), attempt_rejects (0 rows), attempts (" in forced.output


def test_export_then_import_export(app_database, tmp_path):
    archive = tmp_path / "export.zip"
    exported = run("export", "--out", str(archive))
    assert exported.exit_code == 0, exported.output
    with scratch_database(app_database) as target:
        imported = run("import-export", str(archive), "--database-url", target)
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith("Imported ")
    assert imported.output.endswith(" tables; schema at head.\n")


@pytest.mark.parametrize(
    "command",
    [["backup"], ["backup", "verify", "x.sql.gz"], ["export"], ["import-export", "x.zip"]],
)
def test_backup_commands_explain_that_they_need_postgres(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.zip").write_bytes(b"")
    result = run(*command)
    assert result.exit_code == 1
    assert result.output.startswith("Error: Backups need DATABASE_URL to point at Postgres; ")
    assert "studygame-dev.sqlite3" in result.output


def test_backup_of_an_unreachable_database_is_one_sentence_without_the_password(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("DATABASE_URL", "postgresql://root:pa55word@127.0.0.1:1/db")
    result = run("backup", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.output.startswith("Error: Could not connect to the database:")
    assert "pa55word" not in result.output
    assert list(tmp_path.iterdir()) == []


# --- every command against a database it cannot use: one sentence, exit 1 ---

UNUSABLE = {
    # name: (how to break the test database's URL, what the sentence tells the owner to check)
    "refused": (dict(port=1), "check the port"),
    "unknown database": (dict(database="studygame_no_such_db"), "check the database name"),
    "unknown role": (dict(username="studygame_no_such_role"), "check the user name"),
}
DATABASE_COMMANDS = [
    ["db", "upgrade"],
    ["schedule", "rebuild"],
    ["backup", "--out", "{tmp}/out"],
    ["backup", "verify", "{tmp}/dump.sql"],
    ["restore", "{tmp}/dump.sql", "--database-url", "{url}"],
    ["export", "--out", "{tmp}/export.zip"],
    ["import-export", "{tmp}/export.zip"],
    ["import-legacy", "{tmp}/study.db"],
]
PASSWORD = "Pa55-w0rd-9"


@pytest.mark.parametrize("failure", UNUSABLE)
@pytest.mark.parametrize("command", DATABASE_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_every_command_on_an_unusable_database_says_one_sentence(
    command, failure, database_url, tmp_path, monkeypatch, legacy_db
):
    change, advice = UNUSABLE[failure]
    url = make_url(database_url).set(password=PASSWORD, **change)
    url = url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    # An empty dump as pg_dump writes it: it passes the vetting, so restore gets to connect.
    (tmp_path / "dump.sql").write_text(
        "--\n-- PostgreSQL database dump\n--\n\\restrict abc\n"
        "--\n-- PostgreSQL database dump complete\n--\n\\unrestrict abc\n"
    )
    (tmp_path / "export.zip").write_bytes(b"")
    legacy_db(tables={})
    result = run(*(arg.format(tmp=tmp_path, url=url) for arg in command))
    assert result.exit_code == 1, result.output
    [error] = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert "Could not connect to the database: " in error and advice in error
    assert error == result.output.strip().splitlines()[-1]
    assert "Traceback" not in result.output and PASSWORD not in result.output


@pytest.mark.parametrize("failure", UNUSABLE)
def test_doctor_on_an_unusable_database_explains_it_without_the_password(
    failure, database_url, monkeypatch
):
    change, advice = UNUSABLE[failure]
    url = make_url(database_url).set(password=PASSWORD, **change)
    monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    result = run("doctor")
    assert result.exit_code == 1
    [database] = [line for line in result.output.splitlines() if " database " in line]
    assert database.startswith("FAIL") and advice in database
    assert PASSWORD not in result.output and "Traceback" not in result.output


def test_an_unforeseen_error_in_any_command_is_one_redacted_sentence(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://root:{PASSWORD}@127.0.0.1:1/db")

    def explode(_session):
        raise RuntimeError(f"cannot reach postgresql://root:{PASSWORD}@127.0.0.1:1/db\nmore")

    monkeypatch.setattr(cli, "get_learner_settings", explode)
    result = run("schedule", "rebuild")
    assert result.exit_code == 1
    assert result.output == (
        "Error: Unexpected RuntimeError: cannot reach postgresql://root:***@127.0.0.1:1/db\n"
    )


def test_schedule_optimize_on_a_short_history_says_how_many_more_reviews(app_database):
    result = run("schedule", "optimize", "--dry-run")
    assert result.exit_code == 0, result.output
    # Other tests' rows are cleaned up, so this database has no reviews.
    assert f"{MIN_REVIEWS} more reviews" in result.output
    as_json = json.loads(run("schedule", "optimize", "--json").output)
    assert as_json["applied"] is False and as_json["reviews_needed"] == MIN_REVIEWS
    with session_scope(get_engine()) as s:
        assert s.scalar(select(func.count()).select_from(SchedulerParameters)) == 0
