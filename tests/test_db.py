import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame import db
from studygame.config import Settings, get_settings
from studygame.db import (
    DatabaseUnavailable,
    make_engine,
    postgres_connect_args,
    session_scope,
    wait_for_database,
)
from studygame.models import StudySession


def test_wait_for_database_retries_with_backoff_then_succeeds(engine):
    calls = []
    real_connect = engine.connect

    def flaky_connect():
        calls.append("connect")
        if len(calls) < 3:
            raise OperationalError("SELECT 1", {}, Exception("the compute is waking up"))
        return real_connect()

    sleeps: list[float] = []
    engine.connect = flaky_connect
    try:
        wait_for_database(engine, delays=(0.5, 1.0, 2.0), sleep=sleeps.append)
    finally:
        del engine.connect
    assert sleeps == [0.5, 1.0]
    assert len(calls) == 3


def test_wait_for_database_gives_up_with_one_redacted_sentence():
    engine = create_engine(
        "postgresql+psycopg://root:t0psecret@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    sleeps: list[float] = []
    with pytest.raises(DatabaseUnavailable) as caught:
        wait_for_database(engine, delays=(0.1, 0.2), sleep=sleeps.append)
    assert sleeps == [0.1, 0.2]
    message = str(caught.value)
    assert message.startswith("Could not connect to the database:")
    assert "t0psecret" not in message and "\n" not in message


def test_session_scope_commits_on_success_and_rolls_back_on_error(app_database):
    engine = make_engine(get_settings())
    marker = uuid.uuid4()
    with session_scope(engine) as s:
        s.add(StudySession(id=marker, started_at=datetime.now(UTC), mode="quiz"))
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        s.add(StudySession(started_at=datetime.now(UTC), mode="quiz"))
        raise RuntimeError("boom")
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(StudySession)) == 1
        s.delete(s.get(StudySession, marker))
    engine.dispose()


def test_timestamps_come_back_aware_in_utc_on_sqlite_too(tmp_path, monkeypatch):
    from studygame import migrations

    engine = make_engine(get_settings())
    assert engine.dialect.name == "sqlite"
    migrations.upgrade(engine)
    started = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
    with session_scope(engine) as s:
        s.add(StudySession(started_at=started, mode="quiz"))
    with session_scope(engine) as s:
        assert s.scalar(select(StudySession.started_at)) == started
    engine.dispose()


def test_naive_datetimes_are_refused(session):
    session.add(StudySession(started_at=datetime(2026, 1, 1), mode="quiz"))
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_pooled_neon_url_disables_prepared_statements_and_direct_drops_the_pooler(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:pw@ep-x-pooler.neon.tech/db")
    pooled = make_url(get_settings().sqlalchemy_url)
    args = postgres_connect_args(pooled)
    assert (args["connect_timeout"], args["prepare_threshold"]) == (10, None)
    direct = make_engine(get_settings(), direct=True)
    assert direct.url.host == "ep-x.neon.tech"
    assert "prepare_threshold" not in postgres_connect_args(direct.url)


def test_keepalives_and_timeouts_reach_the_driver(database_url):
    engine = make_engine(Settings(database_url=database_url), interactive=True)
    with engine.connect() as connection:
        info = connection.connection.dbapi_connection.info
        dsn = dict(part.split("=", 1) for part in info.dsn.split())
        assert dsn["keepalives"] == "1" and dsn["tcp_user_timeout"] == "20000"
        assert dsn["connect_timeout"] == str(db.APP_BOUNDS.connect_timeout_s)
        # The statement timeout is the transaction's own (SET LOCAL), not the session's.
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "4s"
    with engine.connect() as connection:
        connection.exec_driver_sql("COMMIT")
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    engine.dispose()


def test_a_slow_statement_is_stopped_by_the_server(database_url, monkeypatch):
    monkeypatch.setattr(db, "APP_BOUNDS", replace(db.APP_BOUNDS, statement_timeout_ms=300))
    engine = make_engine(Settings(database_url=database_url), interactive=True)
    with pytest.raises(OperationalError, match="statement timeout"), session_scope(engine) as s:
        s.execute(text("SELECT pg_sleep(5)"))
    engine.dispose()


def test_a_database_that_never_answers_is_cut_off_at_the_deadline(
    tcp_proxy, database_url, monkeypatch
):
    monkeypatch.setattr(db, "APP_BOUNDS", replace(db.APP_BOUNDS, call_deadline_s=1.0))
    engine = make_engine(Settings(database_url=tcp_proxy.url(database_url)), interactive=True)
    with session_scope(engine) as s:
        assert s.scalar(text("SELECT 1")) == 1
    tcp_proxy.hang()
    started = time.monotonic()
    with pytest.raises(DBAPIError), session_scope(engine) as s:
        s.scalar(text("SELECT 1"))
    assert time.monotonic() - started < 10  # the deadline, plus a new connection's timeout
    tcp_proxy.restore()
    with session_scope(engine) as s:
        assert s.scalar(text("SELECT 1")) == 1
    engine.dispose()


@pytest.mark.parametrize(
    ("build", "bound"),
    [
        (lambda settings: make_engine(settings, interactive=True), "4s"),
        (make_engine, "30min"),  # the CLI's engine (get_engine)
        (lambda settings: make_engine(settings, direct=True), "30min"),
        (lambda settings: db.one_off_engine(settings.sqlalchemy_url), "30min"),
    ],
    ids=["app", "cli", "direct", "one-off"],
)
def test_every_engine_the_package_builds_bounds_its_statements(database_url, build, bound):
    engine = build(Settings(database_url=database_url))
    with engine.begin() as connection:
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == bound
    engine.dispose()


def test_a_withheld_commit_reply_fails_the_call_on_every_engine(
    tcp_proxy, database_url, monkeypatch
):
    monkeypatch.setattr(db, "BULK_BOUNDS", replace(db.BULK_BOUNDS, call_deadline_s=1.0))
    engine = make_engine(Settings(database_url=tcp_proxy.url(database_url)))
    outcome: dict[str, BaseException] = {}

    def commit_into_the_void() -> None:
        try:
            with session_scope(engine) as s:
                s.scalar(text("SELECT 1"))
                tcp_proxy.hang()
        except DBAPIError as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=commit_into_the_void, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "still waiting for the COMMIT's reply"
    assert "error" in outcome
    tcp_proxy.restore()
    with session_scope(engine) as s:
        assert s.scalar(text("SELECT 1")) == 1
    engine.dispose()


def test_a_slow_link_finishes_a_transaction_longer_than_the_call_deadline(
    tcp_proxy, database_url, monkeypatch
):
    # Each call is bounded, not the transaction: six calls of 0.4 s each outlast one
    # deadline of 1.5 s, and the transaction still commits.
    monkeypatch.setattr(db, "APP_BOUNDS", replace(db.APP_BOUNDS, call_deadline_s=1.5))
    engine = make_engine(Settings(database_url=tcp_proxy.url(database_url)), interactive=True)
    with session_scope(engine) as s:
        assert s.scalar(text("SELECT 1")) == 1
    tcp_proxy.slow_down(0.4)
    with session_scope(engine) as s:
        assert [s.scalar(text(f"SELECT {n}")) for n in range(5)] == list(range(5))
    engine.dispose()
