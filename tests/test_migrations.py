"""Alembic owns the schema: the revisions must build exactly what the models describe."""

import importlib.util
import uuid
from datetime import UTC, datetime, timedelta
from types import ModuleType

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError

from studygame import migrations
from studygame.db import scratch_database
from studygame.domain.answer_time import EARLIEST_ANSWER, MAX_AHEAD
from studygame.domain.card_drafts import MAX_KEY_CHARS, MAX_MEDIA_BYTES
from studygame.models import Attempt, AttemptReject, Base, TopicTotal

TABLES = {
    "study_sessions",
    "attempts",
    "card_states",
    "legacy_imports",
    "legacy_import_rejects",
    "attempt_rejects",
    "own_cards",
    "card_media",
}


def test_models_and_migrations_agree_on_postgres(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_head_with_the_product_tables(engine):
    assert migrations.schema_status(engine).at_head
    assert set(inspect(engine).get_table_names()) >= TABLES | {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(database_url):
    # On its own database, so the shared one stays at head for the other tests.
    with scratch_database(database_url) as url:
        engine = create_engine(url)
        try:
            migrations.upgrade(engine)
            assert set(inspect(engine).get_table_names()) >= TABLES
            migrations.downgrade(engine, "base")
            assert set(inspect(engine).get_table_names()) == {"alembic_version"}
            migrations.upgrade(engine)
            assert migrations.schema_status(engine).at_head
        finally:
            engine.dispose()


def test_sqlite_development_file_upgrades_to_head(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    migrations.upgrade(engine)
    assert migrations.schema_status(engine).at_head
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_revisions_never_import_the_app_models():
    versions = migrations.find_alembic_ini().parent / "alembic" / "versions"
    for revision in versions.glob("*.py"):
        assert "studygame.models" not in revision.read_text(), revision.name


def _revision(name: str) -> ModuleType:
    path = migrations.find_alembic_ini().parent / "alembic" / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_revision_0005_spells_the_domain_answer_window():
    window = _revision("0005_answer_time_window")
    assert datetime.fromisoformat(window.EARLIEST) == EARLIEST_ANSWER
    assert timedelta(minutes=window.MAX_AHEAD_MINUTES) == MAX_AHEAD


def _insert_attempt(connection, answered_at: datetime, question_id: str = "window-q") -> None:
    connection.execute(
        insert(Attempt.__table__).values(
            id=uuid.uuid4(),
            question_id=question_id,
            mode="quiz",
            is_correct=True,
            answered_at=answered_at,
        )
    )


def _window_cases() -> list[tuple[datetime, bool]]:
    # The database checks against its own clock; the margins keep a slow run on the right side.
    now = datetime.now(UTC)
    return [
        (EARLIEST_ANSWER, True),
        (EARLIEST_ANSWER - timedelta(seconds=1), False),
        (datetime(1, 1, 1, tzinfo=UTC), False),
        (now + MAX_AHEAD - timedelta(minutes=1), True),
        (now + MAX_AHEAD + timedelta(minutes=1), False),
        (datetime(9999, 12, 31, tzinfo=UTC), False),
    ]


def _accepted(engine, answered_at: datetime) -> bool:
    with engine.connect() as connection:
        try:
            _insert_attempt(connection, answered_at)
        except IntegrityError:
            return False
        finally:
            connection.rollback()
        return True


def test_postgres_refuses_answers_outside_the_window(engine):
    for answered_at, accepted in _window_cases():
        assert _accepted(engine, answered_at) is accepted, answered_at
    with engine.connect() as connection:
        names = {c["name"] for c in inspect(connection).get_check_constraints("attempts")}
    assert "ck_attempts_answered_at_window" in names


def test_sqlite_refuses_answers_outside_the_window(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    try:
        migrations.upgrade(engine)
        for answered_at, accepted in _window_cases():
            assert _accepted(engine, answered_at) is accepted, answered_at
    finally:
        engine.dispose()


def _upgrade_with_answers_outside_the_window(engine) -> None:
    migrations.upgrade(engine, "0004")
    with engine.begin() as connection:
        _insert_attempt(connection, datetime(2026, 11, 25, 3, tzinfo=UTC), "kept")
        _insert_attempt(connection, datetime(1, 1, 1, tzinfo=UTC), "year-one")
        _insert_attempt(connection, datetime.now(UTC) + timedelta(days=365), "next-year")
    migrations.upgrade(engine)


def _answers(connection) -> list[str]:
    return sorted(connection.execute(select(Attempt.question_id)).scalars())


def _assert_moved_aside_then_back(engine) -> None:
    with engine.connect() as connection:
        assert _answers(connection) == ["kept"]
        rejects = connection.execute(select(AttemptReject.reason, AttemptReject.attempt)).all()
        assert sorted((row.attempt["question_id"], row.reason) for row in rejects) == [
            (
                "next-year",
                "It was dated more than 10 minutes ahead of the server's clock when revision "
                "0005 ran.",
            ),
            ("year-one", "It is dated before 2000-01-01."),
        ]
        # The Progress totals (kept by triggers) counted the moved answers out.
        assert connection.execute(select(func.sum(TopicTotal.answers))).scalar() == 1
    migrations.downgrade(engine, "0004")
    with engine.connect() as connection:
        assert _answers(connection) == ["kept", "next-year", "year-one"]
        assert connection.execute(select(func.sum(TopicTotal.answers))).scalar() == 3


def test_postgres_upgrade_moves_existing_answers_outside_the_window_aside(database_url):
    with scratch_database(database_url) as url:
        engine = create_engine(url)
        try:
            _upgrade_with_answers_outside_the_window(engine)
            _assert_moved_aside_then_back(engine)
        finally:
            engine.dispose()


def test_sqlite_upgrade_moves_existing_answers_outside_the_window_aside(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    try:
        _upgrade_with_answers_outside_the_window(engine)
        _assert_moved_aside_then_back(engine)
    finally:
        engine.dispose()


def test_revision_0007_spells_the_domain_card_limits():
    cards = _revision("0007_own_cards")
    assert cards.MAX_KEY_CHARS == MAX_KEY_CHARS
    assert cards.MAX_MEDIA_BYTES == MAX_MEDIA_BYTES
