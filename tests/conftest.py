"""Test fixtures: a throwaway Postgres database per run, a rolled-back session per test.

The database is made by the real `alembic upgrade head` (never create_all), so every
run also tests the migrations. A test that cannot reach Postgres fails; it never skips.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from studygame import migrations
from studygame.config import Settings, get_settings, normalize_database_url
from studygame.db import get_engine

from .tcp_proxy import TcpProxy

ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
# Variables that would change what the app does; each test starts without them.
APP_ENV = (
    "DATABASE_URL",
    "DATABASE_URL_DIRECT",
    "APP_PIN",
    "APP_IDLE_LOCK_MINUTES",
    "MONGODB_URI",
    "MONGODB_DB",
    "MONGODB_COLLECTION",
    "LEGACY_SQLITE_PATH",
    "STUDYGAME_ENV",
    "SPACE_ID",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> Iterator[None]:
    """Each test sees only the environment it sets: no developer .env, no stray secrets."""
    for name in APP_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("STUDYGAME_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    get_settings.cache_clear()
    get_engine.cache_clear()


def _admin_engine() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


@contextlib.contextmanager
def _throwaway_database(prefix: str, *, template: str | None = None) -> Iterator[str]:
    """A new database (empty, or a copy of `template`), dropped on the way out: its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except OperationalError as exc:
        pytest.fail(
            f"Postgres is needed for the tests and could not be reached at "
            f"{make_url(ADMIN_URL).render_as_string(hide_password=True)}: {exc.orig}. "
            "Start it (see docs/development.md) or set TEST_DATABASE_URL.",
            pytrace=False,
        )
    try:
        yield make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _upgraded(url: str) -> str:
    """The database at `url` after the real `alembic upgrade head` (never create_all)."""
    engine = create_engine(url, poolclass=NullPool)
    migrations.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A fresh database at head for this test run, dropped at the end."""
    with _throwaway_database("studygame_test") as url:
        yield _upgraded(url)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work, commits included, is rolled back after the test."""
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            yield session
        transaction.rollback()


@pytest.fixture
def app_database(
    request: pytest.FixtureRequest, own_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the app's own settings at a database of the test's own, for CLI and page tests.

    Parametrized "pooled" (see pytest_generate_tests), the app goes through PgBouncer.
    """
    url = own_database_url
    if _param(request) == "pooled":
        own = make_url(own_database_url).database
        pooled = make_url(request.getfixturevalue("pooler_url")).set(database=own)
        url = pooled.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url


def _param(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "direct")


# The app paths production runs through Neon's PgBouncer: answer write, Review's next card,
# the outbox flush, Progress, the PIN throttle. Their app_database tests run twice.
POOLED_MODULES = {
    "test_study.py",
    "test_progress_page.py",
    "test_auth.py",
    "test_outbox.py",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the app-path tests both direct and through the pooler."""
    if "app_database" in metafunc.fixturenames and metafunc.definition.path.name in POOLED_MODULES:
        metafunc.parametrize("app_database", ["direct", "pooled"], indirect=True)


@pytest.fixture(scope="session")
def pooler_url(database_url: str) -> Iterator[str]:
    """PgBouncer in transaction mode (as Neon's) in front of the test database.

    The host name holds "-pooler", as Neon's does, so the app applies its production
    settings (no prepared statements); hostaddr sends the connection to this PgBouncer.
    """
    folder = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    port = _free_port()
    direct = make_url(database_url)
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={direct.host} port={direct.port or 5432}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\n"
        # Each committing test has a database of its own, and the engines the app caches
        # stay connected until collected: room for all of them, as a busy Neon has.
        "max_client_conn = 1000\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    (folder / "users.txt").write_text(f'"{direct.username}" ""\n')
    command = ["pgbouncer", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # PgBouncer refuses to run as root
        shutil.chown(folder, "postgres")
        folder.chmod(0o755)
        command[1:1] = ["-u", "postgres"]
    executable = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    command[0] = executable
    try:
        # Its log goes to a file: a pipe nobody reads fills up, and PgBouncer then blocks
        # on writing a log line and answers no one (seen after a few hundred logins).
        log = (folder / "pgbouncer.log").open("wb")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    except FileNotFoundError:
        pytest.fail("pgbouncer is needed: run scripts/ensure_test_services.sh", pytrace=False)
    _wait_for_port(port, process, folder / "pgbouncer.log")
    yield (
        direct.set(host="ep-test-pooler.invalid", port=port, query={"hostaddr": "127.0.0.1"})
    ).render_as_string(hide_password=False)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        # A PgBouncer that waits for its clients to leave on SIGTERM: they are the tests'.
        process.kill()
        process.wait(timeout=10)
    log.close()
    shutil.rmtree(folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    for _ in range(100):
        if process.poll() is not None:
            pytest.fail(f"pgbouncer exited: {log.read_text()}", pytrace=False)
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    pytest.fail("pgbouncer did not start listening", pytrace=False)


@pytest.fixture(scope="session")
def template_database() -> Iterator[str]:
    """A database at head that nothing stays connected to: what `own_database_url` copies."""
    with _throwaway_database("studygame_template") as url:
        yield make_url(_upgraded(url)).database


@pytest.fixture
def own_database_url(template_database: str) -> Iterator[str]:
    """A database of this test's own, at head, dropped after it.

    For tests that commit through the app itself (AppTest, a served app, the outbox): what
    they write cannot meet another test's rows, and nothing has to be cleaned up by time.
    Copying the template takes a fraction of a second; migrating anew would take seconds.
    """
    with _throwaway_database("studygame_own", template=template_database) as url:
        yield url


# The old app's schema (DESIGN.md, "The old app's SQLite file"); tests pass variants of it.
LEGACY_SCHEMA = """
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


@pytest.fixture
def legacy_db(tmp_path):
    """Build an old-app SQLite file: `legacy_db(tables={"answers": [row, ...]}, schema=...)`."""

    def build(
        *, tables: dict[str, list[dict]], schema: str = LEGACY_SCHEMA, name: str = "study.db"
    ):
        path = tmp_path / name
        db = sqlite3.connect(path)
        db.executescript(schema)
        for table, rows in tables.items():
            for row in rows:
                columns = ", ".join(f'"{column}"' for column in row)
                marks = ", ".join("?" for _ in row)
                db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))
        db.commit()
        db.close()
        return path

    return build


@pytest.fixture
def proxied_url(database_url: str) -> str:
    """What the relay stands in front of: the test database (a module may override it)."""
    return database_url


@pytest.fixture
def tcp_proxy(proxied_url: str) -> Iterator[TcpProxy]:
    """A cuttable relay between the app and the test database; `tcp_proxy.url(...)`."""
    proxy = TcpProxy(make_url(proxied_url).port or 5432)
    yield proxy
    proxy.close()


@dataclass(frozen=True)
class Dockerfile:
    """The Space's Dockerfile as (INSTRUCTION, arguments) pairs, for tests that replay it."""

    instructions: list[tuple[str, str]]

    @classmethod
    def read(cls, path: Path) -> Dockerfile:
        """Parse `path`: comments dropped, continuation lines joined."""
        instructions: list[tuple[str, str]] = []
        pending = ""
        for line in path.read_text().splitlines():
            if line.lstrip().startswith("#") or not line.strip():
                continue
            pending += line.rstrip()
            if pending.endswith("\\"):
                pending = pending[:-1] + " "
                continue
            keyword, _, arguments = pending.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
            pending = ""
        return cls(instructions)

    def arguments_of(self, keyword: str) -> list[str]:
        return [arguments for name, arguments in self.instructions if name == keyword]

    def env(self) -> dict[str, str]:
        """Every ENV variable it sets (values as written, $VARS not expanded)."""
        pairs = [pair for arguments in self.arguments_of("ENV") for pair in shlex.split(arguments)]
        return dict(pair.partition("=")[::2] for pair in pairs)


@pytest.fixture(scope="session")
def dockerfile() -> Dockerfile:
    return Dockerfile.read(Path(__file__).resolve().parents[1] / "Dockerfile")


@pytest.fixture(scope="session")
def synthetic_learner():
    """bench/synthetic_learner.py (a learner with known FSRS parameters), for small histories."""
    path = Path(__file__).resolve().parents[1] / "bench" / "synthetic_learner.py"
    spec = importlib.util.spec_from_file_location("synthetic_learner", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
