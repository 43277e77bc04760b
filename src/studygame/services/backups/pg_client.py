"""The local PostgreSQL client programs (pg_dump, psql): where they are and which version."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.engine import URL, make_url


class ClientProblem(RuntimeError):
    """A client program is missing or too old; the message says how to get the right one."""


def find_client(program: str) -> Path | None:
    """Find `program` via PG_DUMP (for pg_dump), PG_BIN, or PATH, in that order."""
    explicit = os.environ.get(program.upper().replace("-", "_"))
    if explicit and Path(explicit).is_file():
        return Path(explicit)
    pg_bin = os.environ.get("PG_BIN")
    if pg_bin and (Path(pg_bin) / program).is_file():
        return Path(pg_bin) / program
    found = shutil.which(program)
    return Path(found) if found else None


def client_version(path: Path) -> str:
    """What a client program says about itself, e.g. 'pg_dump (PostgreSQL) 15.20 (Debian ...)'."""
    return subprocess.run(
        [str(path), "--version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def major_of(version: str) -> int:
    """The major version in a client's --version line: 15 for 'pg_dump (PostgreSQL) 15.20'."""
    match = re.search(r"\)\s*(\d+)", version)
    if match is None:
        raise ValueError(f"cannot read a version from {version!r}")
    return int(match.group(1))


def client_major_version(path: Path) -> int:
    """The major version a client program reports, e.g. 15 for 'pg_dump (PostgreSQL) 15.20'."""
    return major_of(client_version(path))


def server_major_version(connection: Connection) -> int:
    """The server's major version, from server_version_num (180001 -> 18)."""
    return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def install_hint(major: int) -> str:
    """How to get the PostgreSQL `major` client programs on Debian/Ubuntu and on macOS."""
    return (
        f"on Debian/Ubuntu add the PostgreSQL apt repository (https://wiki.postgresql.org/wiki/Apt)"
        f" and run `sudo apt-get install postgresql-client-{major}`, then set "
        f"PG_BIN=/usr/lib/postgresql/{major}/bin; on macOS run `brew install postgresql@{major}` "
        f"(or `brew install libpq` when its version is {major}) and set PG_BIN to its bin folder"
    )


def locate_client(program: str, *, major: int) -> Path:
    """The client `program`, or ClientProblem saying how to install the `major` client."""
    path = find_client(program)
    if path is None:
        raise ClientProblem(
            f"{program} was not found (PATH, PG_BIN, {program.upper()}): to get the "
            f"PostgreSQL {major} client, {install_hint(major)}."
        )
    return path


def require_client(program: str, *, server_major: int) -> Path:
    """The client `program`, refusing one older than the server (pg_dump cannot read newer ones)."""
    path = locate_client(program, major=server_major)
    client_major = client_major_version(path)
    check_client_version(program, client_major=client_major, server_major=server_major)
    return path


def check_client_version(program: str, *, client_major: int, server_major: int) -> None:
    """Raise ClientProblem when a client's major is older than the server's."""
    if client_major < server_major:
        raise ClientProblem(
            f"{program} {client_major} cannot work with this PostgreSQL {server_major} server: "
            f"it needs the PostgreSQL {server_major} client; {install_hint(server_major)}."
        )


def libpq_target(sqlalchemy_url: str) -> tuple[str, dict[str, str]]:
    """A URL for pg_dump/psql without the password, and the environment that carries it.

    The password travels in PGPASSWORD so it never shows on a command line (`ps`) or in output.
    It is read with SQLAlchemy's own parser (percent-escapes, `@` and `/` in it), from the
    userinfo or from a `?password=` query parameter, which wins as it does for the driver.
    """
    url = make_url(sqlalchemy_url)
    query = dict(url.query)
    password = query.pop("password", None)
    if isinstance(password, tuple):  # ?password=a&password=b: the driver takes the last
        password = password[-1]
    if password is None and url.password is not None:
        password = str(url.password)
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    # URL.set(password=None) would keep the password: build the URL without it instead.
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=query,
    )
    return plain.render_as_string(hide_password=False), env
