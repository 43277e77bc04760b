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
from dataclasses import dataclass

import psycopg
from sqlalchemy import Engine, create_engine, event, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
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


@dataclass(frozen=True)
class Bounds:
    """How long the database may take: to connect, to run a statement, to answer a call.

    Each bound is per call, never per transaction: on a slow link every round trip is
    slow, and a transaction of several statements would always outlast a bound on the
    whole, while each of its calls stays well inside its own.
    """

    connect_timeout_s: int  # TCP, TLS and login
    statement_timeout_ms: int  # on the server: one statement, SET LOCAL at each checkout
    # On the client: one statement, COMMIT or ROLLBACK, for a server that never answers
    # (keepalives don't see it: the peer's kernel acknowledges). Then its socket is shut
    # down and the call fails as a broken connection.
    call_deadline_s: float


# The app: a page's read or an answer's write; a call longer than this is a hung database.
APP_BOUNDS = Bounds(connect_timeout_s=5, statement_timeout_ms=4_000, call_deadline_s=5.0)
# The CLI and scripts (migrations, rebuild, legacy import, export): long statements are
# normal there, a database that never answers is not. The client's deadline leaves the
# server's own timeout the first word.
BULK_BOUNDS = Bounds(
    connect_timeout_s=CONNECT_TIMEOUT_S,
    statement_timeout_ms=30 * 60_000,
    call_deadline_s=31 * 60.0,
)
# Neon's compute wakes from zero in well under a second, sometimes a few seconds:
# 0.5 + 1 + 2 + 4 s of waiting covers that without hiding a real outage for long.
FIRST_CONNECT_DELAYS_S = (0.5, 1.0, 2.0, 4.0)


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached; the message is one redacted sentence."""


def make_engine(settings: Settings, *, direct: bool = False, interactive: bool = False) -> Engine:
    """Build the engine for these settings: Postgres via psycopg 3, or the local SQLite file.

    `direct` is for migrations and dumps: Neon's non-pooled endpoint, no connection pool.
    `interactive` is the app's: APP_BOUNDS instead of BULK_BOUNDS (see `bound_calls`).
    """
    url = make_url(settings.migration_url if direct else settings.sqlalchemy_url)
    if url.get_backend_name() == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": CONNECT_TIMEOUT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    bounds = APP_BOUNDS if interactive else BULK_BOUNDS
    if direct:
        engine = create_engine(url, poolclass=NullPool, connect_args=postgres_connect_args(url))
    else:
        engine = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=3,
            max_overflow=2,
            # Neon closes idle connections after its compute scales to zero.
            pool_recycle=300,
            connect_args=postgres_connect_args(url),
        )
    bound_calls(engine, bounds)
    return engine


def one_off_engine(database_url: str) -> Engine:
    """An engine without a pool for a URL given on the command line, under BULK_BOUNDS."""
    url = make_url(database_url)
    engine = create_engine(url, poolclass=NullPool, connect_args=postgres_connect_args(url))
    bound_calls(engine, BULK_BOUNDS)
    return engine


def postgres_connect_args(url: URL) -> dict[str, object]:
    """psycopg options: timeouts, TCP keepalives, and no prepared statements behind a pooler."""
    connect_args: dict[str, object] = {"connect_timeout": CONNECT_TIMEOUT_S, **TCP_KEEPALIVES}
    if url.host and "-pooler" in url.host:
        # PgBouncer in transaction mode cannot keep server-side prepared statements.
        connect_args["prepare_threshold"] = None
    return connect_args


def bound_calls(engine: Engine, bounds: Bounds) -> None:
    """Bound every call `engine` makes: a server statement timeout and a client deadline.

    Each transaction starts with `set_config('statement_timeout', ..., true)`, which is
    SET LOCAL: nothing outlives the transaction, as a transaction pooler requires. It is
    sent when the transaction begins, after any isolation level was applied (a checkout
    ping would open the transaction too early for that). Each statement, COMMIT and
    ROLLBACK on the client runs under `bounds.call_deadline_s` (see `_BoundedConnection`).
    """

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        cparams["connect_timeout"] = bounds.connect_timeout_s
        connection = _BoundedConnection.connect(*cargs, **cparams, cursor_factory=_BoundedCursor)
        connection.call_deadline_s = bounds.call_deadline_s
        return connection

    @event.listens_for(engine, "begin")
    def _bound_statements(connection):
        with connection.connection.dbapi_connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                (f"{bounds.statement_timeout_ms}ms",),
            )


class _Watchdog:
    """One thread that shuts down the socket of a call still waiting at its deadline."""

    def __init__(self) -> None:
        self._armed: dict[int, tuple[float, int, float]] = {}  # id -> (deadline, fd, bound)
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    @contextmanager
    def bounding(self, connection: psycopg.Connection, seconds: float) -> Iterator[None]:
        """Run the block (one call on `connection`) under a deadline `seconds` away."""
        key = id(connection)
        with self._changed:
            self._armed[key] = (time.monotonic() + seconds, connection.fileno(), seconds)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
                self._thread.start()
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._armed.pop(key, None)

    def _run(self) -> None:
        while True:
            with self._changed:
                now = time.monotonic()
                for key in [key for key, (due, _, _) in self._armed.items() if due <= now]:
                    # Under the lock: the call cannot end and its fd be reused meanwhile.
                    _shut_down(*self._armed.pop(key)[1:])
                next_due = min((due for due, _, _ in self._armed.values()), default=None)
                self._changed.wait(None if next_due is None else next_due - now)


_WATCHDOG = _Watchdog()


class _BoundedConnection(psycopg.Connection):
    """psycopg's connection whose COMMIT and ROLLBACK wait at most `call_deadline_s`."""

    call_deadline_s: float = BULK_BOUNDS.call_deadline_s

    def commit(self) -> None:
        with _WATCHDOG.bounding(self, self.call_deadline_s):
            super().commit()

    def rollback(self) -> None:
        with _WATCHDOG.bounding(self, self.call_deadline_s):
            super().rollback()


class _BoundedCursor(psycopg.Cursor):
    """psycopg's cursor whose statements wait at most their connection's `call_deadline_s`."""

    def execute(self, *args, **kwargs):
        with _WATCHDOG.bounding(self.connection, self.connection.call_deadline_s):
            return super().execute(*args, **kwargs)

    def executemany(self, *args, **kwargs):
        with _WATCHDOG.bounding(self.connection, self.connection.call_deadline_s):
            return super().executemany(*args, **kwargs)


def _shut_down(fd: int, seconds: float) -> None:
    log.warning("a database call outlived %.0f s: cutting its connection", seconds)
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


def json_array_length(session: Session, document, key: str):
    """SQL for the length of the array at `key` of a JSON column, on either backend."""
    # JSONB on Postgres, JSON text in the SQLite dev file: each has its own function.
    if session.get_bind().dialect.name == "sqlite":
        return func.json_array_length(document, f"$.{key}")
    return func.jsonb_array_length(document[key])


@contextmanager
def scratch_database(server_url: str, *, prefix: str = "studygame_scratch") -> Iterator[str]:
    """A new empty database on the same server, dropped on the way out whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = one_off_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
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
