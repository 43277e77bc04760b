"""The engine and the one way to open a transaction. No Streamlit here."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from studygame.config import Settings, get_settings
from studygame.errors import CONNECT_TIMEOUT_S, describe_connect_error

log = logging.getLogger(__name__)

# A connection whose peer vanished (a half-open link) is noticed by the kernel within
# about idle + interval * count seconds, and unacknowledged data gives up after the
# user timeout, instead of the default two hours.
TCP_KEEPALIVES: dict[str, object] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 20_000,
}
# The app's bounds on every transaction (a page read or an answer write). The server
# stops a statement after APP_STATEMENT_TIMEOUT_MS; a peer that accepts TCP but never
# answers is cut by the client after APP_CHECKOUT_DEADLINE_S. The CLI's bulk jobs
# (rebuild, import, restore) may run longer and use neither.
APP_CONNECT_TIMEOUT_S = 5
APP_STATEMENT_TIMEOUT_MS = 4_000
APP_CHECKOUT_DEADLINE_S = 5.0
# Neon's compute wakes from zero in well under a second, sometimes a few seconds:
# 0.5 + 1 + 2 + 4 s of waiting covers that without hiding a real outage for long.
FIRST_CONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the message is one redacted sentence."""


def make_engine(settings: Settings, *, direct: bool = False, interactive: bool = False) -> Engine:
    """Build the engine for these settings: Postgres via psycopg 3, or the local SQLite file.

    `direct` is for migrations and dumps: Neon's non-pooled endpoint, no connection pool.
    `interactive` is the app's: every transaction bounded in time (see bound_transactions).
    """
    url = make_url(settings.migration_url if direct else settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": CONNECT_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = postgres_connect_args(url)
    if direct:
        return create_engine(url, poolclass=NullPool, connect_args=connect_args)
    if interactive:
        connect_args["connect_timeout"] = APP_CONNECT_TIMEOUT_S
    engine = create_engine(
        url,
        # The interactive engine pings on checkout itself, under its deadline.
        pool_pre_ping=not interactive,
        pool_size=3,
        max_overflow=2,
        # Neon closes idle connections after its compute scales to zero.
        pool_recycle=300,
        connect_args=connect_args,
    )
    if interactive:
        bound_transactions(engine)
    return engine


def postgres_connect_args(url: URL) -> dict[str, object]:
    """psycopg options: timeouts, TCP keepalives, and no prepared statements behind a pooler."""
    connect_args: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_S, **TCP_KEEPALIVES}
    if url.host and "-pooler" in url.host:
        # PgBouncer in transaction mode cannot keep server-side prepared statements.
        connect_args["prepare_threshold"] = None
    return connect_args


def bound_transactions(engine: Engine) -> None:
    """Bound each checkout of `engine`: a server statement timeout and a client deadline.

    The checkout's ping sets the statement timeout for the transaction it opens
    (`set_config(..., true)` is SET LOCAL: nothing outlives the transaction, as a
    transaction pooler requires), so the app's one transaction per checkout runs under
    it. A database that never answers cannot be bounded by the server: a timer shuts the
    socket down if the connection is still out at the deadline, and the blocked call
    fails as a broken connection.
    """
    event.listen(engine, "checkout", _arm_and_ping)
    event.listen(engine, "checkin", _disarm)
    # A connection closed or invalidated while out must not leave a timer on a reused fd.
    for closing in ("close", "invalidate", "detach"):
        event.listen(engine, closing, lambda _dbapi, record, *_: _disarm(None, record))


def _arm_and_ping(dbapi_connection, record, _proxy) -> None:
    timer = threading.Timer(APP_CHECKOUT_DEADLINE_S, _shut_down, (dbapi_connection.fileno(),))
    timer.daemon = True
    timer.start()
    record.info["deadline"] = timer
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                (f"{APP_STATEMENT_TIMEOUT_MS}ms",),
            )
    except Exception as exc:
        _disarm(dbapi_connection, record)
        # The pool retries once with a new connection, as pre-ping would.
        raise DisconnectionError(f"checkout ping failed: {type(exc).__name__}") from exc


def _disarm(_dbapi_connection, record) -> None:
    timer = record.info.pop("deadline", None) if record is not None else None
    if timer is not None:
        timer.cancel()


def _shut_down(fd: int) -> None:
    log.warning("a database call outlived %.0f s: cutting its connection", APP_CHECKOUT_DEADLINE_S)
    with contextlib.suppress(OSError):
        # shutdown() acts on the socket itself: the driver's blocked read returns at once.
        sock = socket.socket(fileno=os.dup(fd))
        sock.shutdown(socket.SHUT_RDWR)
        sock.close()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def wait_for_database(
    engine: Engine,
    *,
    delays: tuple[float, ...] = FIRST_CONNECT_DELAYS_S,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Connect once, retrying with backoff while a scaled-to-zero database wakes up."""
    for delay in (*delays, None):
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except OperationalError as exc:
            if delay is None:
                raise DatabaseUnavailable(describe_connect_error(exc, engine)) from None
            log.info("database not reachable yet; retrying in %.1f s", delay)
            sleep(delay)


def dialect_insert(session: Session):
    """The INSERT construct with upserts (ON CONFLICT) for the session's database."""
    # The app runs on Postgres; local development on SQLite; both speak ON CONFLICT.
    return sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert


@contextmanager
def scratch_database(server_url: str, *, prefix: str = "studygame_scratch") -> Iterator[str]:
    """A new empty database on the same server, dropped on the way out whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        admin.dispose()
        raise DatabaseUnavailable(
            f"Could not create a scratch database: {describe_connect_error(exc, admin)}"
        ) from None
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@functools.cache
def get_engine() -> Engine:
    """The process-wide engine for the CLI and services; the app caches its own in `ui`."""
    return make_engine(get_settings())


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back if it raises."""
    with Session(engine or get_engine(), expire_on_commit=False) as session, session.begin():
        yield session
