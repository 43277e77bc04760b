"""Neon's URL shape over real TLS: `sslmode=require&channel_binding=require` reach the driver.

A second throwaway Postgres cluster, started here with a self-signed certificate and
SCRAM passwords (channel binding needs them), accepts only TLS connections.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from studygame import migrations
from studygame.config import Settings
from studygame.db import make_engine, session_scope
from studygame.domain.attempt import NewAttempt
from studygame.services import doctor
from studygame.services.queue import next_review_card
from studygame.services.study import Recorded, record_attempt

PG_BIN = Path("/usr/lib/postgresql") / sorted(os.listdir("/usr/lib/postgresql"))[-1] / "bin"
PASSWORD = "s3cret@/#?x"  # every character a URL needs encoded


def _as_postgres(*command: str, cwd: Path) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tls_server() -> Iterator[tuple[int, Path]]:
    """A Postgres cluster that speaks only TLS on a free port; stopped and removed after."""
    folder = Path(tempfile.mkdtemp(prefix="studygame-tls-"))
    data = folder / "data"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    (folder / "pw").write_text(PASSWORD)
    _as_postgres(
        str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
        f"--pwfile={folder / 'pw'}", cwd=folder,
    )  # fmt: skip
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(data / "server.key"),
         "-out", str(data / "server.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    (data / "server.key").chmod(0o600)
    if os.geteuid() == 0:
        for name in ("server.key", "server.crt"):
            shutil.chown(data / name, "postgres", "postgres")
    # Only TLS, only passwords: a plain connection is refused outright.
    (data / "pg_hba.conf").write_text(
        "local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n"
    )
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c ssl=on"
    # -l: the server's output goes to a file, not to the pipes this test waits on.
    _as_postgres(
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options,
        "-w", "start", cwd=folder,
    )  # fmt: skip
    try:
        yield port, folder
    finally:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop", cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def neon_url(port: int, *, password: str = PASSWORD, database: str = "postgres") -> str:
    """The URL as Neon shows it: `postgres://`, TLS and channel binding required."""
    return (
        f"postgres://postgres:{quote(password, safe='')}@127.0.0.1:{port}/{database}"
        "?sslmode=require&channel_binding=require"
    )


def test_the_app_engine_speaks_tls_with_channel_binding(tls_server):
    port, _ = tls_server
    engine = make_engine(Settings(database_url=neon_url(port)), interactive=True)
    with session_scope(engine) as s:
        ssl = s.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"))
        assert ssl.scalar() is True
    engine.dispose()


def test_migrations_and_an_answer_over_tls(tls_server):
    port, _ = tls_server
    admin = make_engine(Settings(database_url=neon_url(port)), direct=True)
    name = f"studygame_tls_{uuid.uuid4().hex[:8]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    settings = Settings(database_url=neon_url(port, database=name))
    migrations.upgrade(make_engine(settings, direct=True))
    engine = make_engine(settings, interactive=True)
    now = datetime.now(UTC)
    with session_scope(engine) as s:
        attempt = NewAttempt(
            id=uuid.uuid4(), session_id=None, question_id="tls-1", deck="TLS", topic=None,
            mode="review", given_answer="x", is_correct=True, rating=3, response_ms=2000,
            points=900, answered_at=now,
        )  # fmt: skip
        assert record_attempt(s, attempt=attempt, desired_retention=0.9) is Recorded.SAVED
    with session_scope(engine) as s:
        upcoming = next_review_card(
            s, question_ids=["tls-1", "tls-2"], now=now, timezone="UTC", new_cards_per_day=5
        )
        assert upcoming.question_id == "tls-2" and upcoming.is_new
    engine.dispose()
    admin.dispose()


def test_doctor_names_the_password_when_the_server_refuses_it(tls_server):
    port, _ = tls_server
    settings = Settings(database_url=neon_url(port, password="wrong@one"))
    checks = doctor.run_checks(settings)
    database = next(c for c in checks if c.name == "database")
    assert not database.ok
    assert "password" in database.detail and "wrong" not in database.detail
