"""`studygame doctor`: check every setting and every connection, say how to fix what fails."""

from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import ConfigurationError, InvalidURI, OperationFailure, PyMongoError
from pymongo.uri_parser import parse_uri
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import studygame
from studygame.config import Settings, redact_url
from studygame.db import make_engine
from studygame.errors import Problem, describe_connect_error, login_refused
from studygame.migrations import schema_status
from studygame.services.backups.pg_client import (
    ClientProblem,
    check_client_version,
    client_major_version,
    find_client,
    install_hint,
    server_major_version,
)

MONGO_TIMEOUT_MS = 5000
TCP_TIMEOUT_S = 5.0
# Hugging Face documents outbound traffic from Spaces on these ports only.
SPACE_OPEN_PORTS = "80, 443 and 8080"
MONGO_AUTH_CODES = {18, 8000}  # AuthenticationFailed; Atlas's "bad auth"


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, whether it passed, and the fix if not."""

    name: str
    ok: bool
    message: str
    fix: str = ""

    @property
    def detail(self) -> str:
        """The message and its fix as the one sentence the terminal and Status page show."""
        return str(Problem(self.message, self.fix))

    def as_dict(self) -> dict[str, object]:
        """The check for `studygame doctor --json`."""
        return {"name": self.name, "ok": self.ok, "message": self.message, "fix": self.fix}


def failed(name: str, problem: Problem) -> Check:
    """A failed check that says what went wrong and how to fix it."""
    return Check(name, False, problem.message, problem.fix)


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order a person would fix them; secrets never in a detail."""
    database, server_major = _database_checks(settings)
    checks = [
        Check("host", True, settings.host_name),
        Check("code", True, code_version()),
        *_secret_checks(settings),
        *url_checks(settings),
        *database,
        _mongo_check(settings),
        pg_dump_check(
            server_major,
            needed=not settings.hosted,
            server_unknown=settings.database_url is not None and server_major is None,
        ),
    ]
    return [Check(c.name, c.ok, settings.redact(c.message), settings.redact(c.fix)) for c in checks]


def code_version() -> str:
    """The running code: the package version, and the git commit when run from a checkout."""
    package = f"studygame {studygame.__version__}"
    checkout = Path(studygame.__file__).resolve().parents[2]
    # Only a checkout with Home.py beside src/: an installed copy must not report the commit
    # of whatever repository its virtualenv happens to sit in.
    if not (checkout / "Home.py").is_file():
        return package
    try:
        commit = subprocess.run(
            ["git", "-C", str(checkout), "log", "-1", "--format=%h (%cs)"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return package
    return f"{package}, commit {commit}" if commit else package


def _secret_checks(settings: Settings) -> list[Check]:
    missing = set(settings.missing_secrets())
    database = (
        Check("DATABASE_URL", True, redact_url(settings.sqlalchemy_url))
        if settings.database_url
        else Check("DATABASE_URL", False, "not set", "required on a hosted deployment")
        if "DATABASE_URL" in missing
        else Check(
            "DATABASE_URL",
            True,
            f"not set: using the local development database {settings.sqlalchemy_url}",
        )
    )
    pin = (
        Check("APP_PIN", True, "set (hidden)")
        if settings.app_pin
        else Check("APP_PIN", False, "not set", "required on a hosted deployment")
        if "APP_PIN" in missing
        else Check("APP_PIN", True, "not set: the PIN gate is off (local development only)")
    )
    mongo = Check(
        "MONGODB_URI",
        True,
        redact_url(settings.mongodb_uri.get_secret_value())
        if settings.mongodb_uri
        else "not set: the bundled sample decks are used",
    )
    return [database, pin, mongo]


def url_checks(settings: Settings) -> list[Check]:
    """Which Neon endpoint the app uses (pooled) and which migrations and pg_dump use (direct)."""
    if settings.database_url is None:
        return []
    app_host = make_url(settings.sqlalchemy_url).host or ""
    direct_host = make_url(settings.migration_url).host or ""
    if "-pooler" in app_host:
        pooling = Check("connection", True, "pooled (Neon's PgBouncer): prepared statements off")
    elif "neon.tech" in app_host:
        pooling = Check(
            "connection",
            True,
            "direct endpoint: it works, but the pooled URL (host ending in -pooler) "
            "copes better with many short connections",
        )
    else:
        pooling = Check("connection", True, f"direct to {app_host}")
    source = (
        "DATABASE_URL_DIRECT"
        if settings.database_url_direct
        else "DATABASE_URL without -pooler"
        if "-pooler" in app_host
        else "DATABASE_URL"
    )
    if "-pooler" in direct_host:
        direct = Check(
            "direct URL",
            False,
            "DATABASE_URL_DIRECT points at Neon's pooler",
            "migrations and pg_dump need the direct host, the same name without -pooler.",
        )
    else:
        direct = Check("direct URL", True, f"{redact_url(settings.migration_url)} ({source})")
    return [pooling, direct]


def explain_unreachable(
    host: str, port: int, *, service: str, on_space: bool = False
) -> Problem | None:
    """None when a TCP connection to host:port opens; else why not, and the fix."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return Problem(
            f"the host name {host} does not resolve (DNS)",
            f"check it for a typo, or copy the URL again from {service}.",
        )
    try:
        with socket.create_connection((host, port), timeout=TCP_TIMEOUT_S):
            return None
    except ConnectionRefusedError:
        return Problem(
            f"{host} refused the connection on port {port}",
            "nothing listens there; check the port in the URL.",
        )
    except TimeoutError:
        if on_space:
            return Problem(
                f"port {port} unreachable from this Space ({host} did not answer in "
                f"{TCP_TIMEOUT_S:g} s)",
                "the Space's network policy is the likely cause (Hugging Face allows outgoing "
                f"ports {SPACE_OPEN_PORTS} only); use Streamlit Community Cloud (docs/deploy.md).",
            )
        return Problem(
            f"port {port} unreachable from this host ({host} did not answer in "
            f"{TCP_TIMEOUT_S:g} s)",
            f"this host may block outgoing port {port} (Hugging Face documents only "
            f"{SPACE_OPEN_PORTS}), or {service}'s IP allowlist keeps it out.",
        )
    except OSError as exc:
        return Problem(f"port {port} on {host} unreachable from this host: {exc.strerror or exc}.")


def explain_connect_error(exc: DBAPIError, engine: Engine) -> Problem:
    """A failed Postgres login or connection, with the fix; no password."""
    return login_refused(exc) or Problem(describe_connect_error(exc, engine) + ".")


def _database_checks(settings: Settings) -> tuple[list[Check], int | None]:
    if settings.database_url is None and settings.hosted:
        # Never the SQLite fallback on a deployment: it would create a dev file that vanishes.
        return [Check("database", False, "not checked: DATABASE_URL is not set")], None
    url = settings.sqlalchemy_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.host:
        # libpq connects to hostaddr when the URL gives one and never looks the name up.
        hostaddr = parsed.query.get("hostaddr")
        problem = explain_unreachable(
            hostaddr if isinstance(hostaddr, str) else parsed.host,
            parsed.port or 5432,
            service="Neon",
            on_space=settings.space_id is not None,
        )
        if problem is not None:
            return [failed("database", problem)], None
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                version = connection.execute(text("SHOW server_version")).scalar_one()
                server = Check("database", True, f"PostgreSQL {version}")
                server_major: int | None = server_major_version(connection)
            else:
                server = Check("database", True, f"SQLite {connection.dialect.server_version_info}")
                server_major = None
        status = schema_status(engine)
    except DBAPIError as exc:
        return [failed("database", explain_connect_error(exc, engine))], None
    finally:
        engine.dispose()
    schema = (
        Check("schema", True, f"at head ({status.head})")
        if status.at_head
        else Check(
            "schema",
            False,
            f"at {status.current or 'nothing (empty database)'}, head is {status.head}",
            "run `studygame db upgrade` (it uses the direct URL)",
        )
    )
    return [server, schema], server_major


def _mongo_check(settings: Settings) -> Check:
    if settings.mongodb_uri is None:
        return Check("question bank", True, "MONGODB_URI not set: using the bundled sample decks")
    uri = settings.mongodb_uri.get_secret_value()
    try:
        # mongodb+srv: this resolves the SRV record to the cluster's hosts.
        host, port = parse_uri(uri)["nodelist"][0]
    except (PyMongoError, ValueError) as exc:
        return failed("question bank", explain_mongo_error(exc))
    problem = explain_unreachable(
        host, port, service="Atlas", on_space=settings.space_id is not None
    )
    if problem is not None:
        return failed("question bank", problem)
    try:
        with MongoClient(uri, serverSelectionTimeoutMS=MONGO_TIMEOUT_MS) as client:
            client.admin.command("ping")
            collection = client[settings.mongodb_db][settings.mongodb_collection]
            count = collection.estimated_document_count()
    except PyMongoError as exc:
        return failed("question bank", explain_mongo_error(exc, port=port))
    where = f"{settings.mongodb_db}.{settings.mongodb_collection}"
    if count == 0:
        return Check(
            "question bank",
            False,
            f"MongoDB {where} holds no documents",
            "check MONGODB_DB and MONGODB_COLLECTION.",
        )
    return Check("question bank", True, f"MongoDB {where}: {count} documents")


def explain_mongo_error(exc: PyMongoError | ValueError, *, port: int = 27017) -> Problem:
    """A failed MongoDB connection: DNS, refused, timeout or login, and the fix.

    `port` is the one in MONGODB_URI (27017 when it names none).
    """
    message = str(exc)
    if isinstance(exc, OperationFailure) and exc.code in MONGO_AUTH_CODES:
        return Problem(
            "MongoDB refused the login",
            "check the user and password in MONGODB_URI (Atlas: Database Access).",
        )
    if isinstance(exc, (InvalidURI, ValueError)):
        first_line = message.splitlines()[0] if message else type(exc).__name__
        return Problem(
            f"MONGODB_URI is not a valid MongoDB URI ({first_line})",
            "copy it again from Atlas (Connect → Drivers).",
        )
    if isinstance(exc, ConfigurationError) or "Name or service not known" in message:
        return Problem(
            "MongoDB's host name does not resolve (DNS)",
            "check the cluster name in MONGODB_URI, or copy it again from Atlas "
            "(Connect → Drivers).",
        )
    if "refused" in message:
        return Problem("MongoDB refused the connection", "check the host and port in MONGODB_URI.")
    if "timed out" in message or "Timeout" in type(exc).__name__:
        return Problem(
            f"port {port} unreachable from this host",
            "add its IP to Atlas's Network Access list (0.0.0.0/0 when the host's IP changes, "
            f"as on Spaces and Community Cloud), or this host blocks port {port} (Hugging Face "
            f"documents only {SPACE_OPEN_PORTS}).",
        )
    first_line = message.splitlines()[0] if message else type(exc).__name__
    return Problem(f"MongoDB unreachable: {first_line}")


def pg_dump_check(
    server_major: int | None, *, needed: bool = True, server_unknown: bool = False
) -> Check:
    """Is there a pg_dump, and is it new enough for the server (pg_dump refuses newer ones)?

    `needed` is False on a hosted deployment: the app never runs pg_dump, backups run
    from a laptop or CI, so its absence there is no failure. `server_unknown` is True when
    a Postgres server was configured but could not be asked its version.
    """
    path = find_client("pg_dump")
    if path is None:
        if not needed:
            return Check("pg_dump", True, "not installed on this host (the app does not need it)")
        how = (
            f"to get it, {install_hint(server_major)}"
            if server_major
            else "install postgresql-client, or set PG_DUMP"
        )
        return Check("pg_dump", False, "not found (backups need it)", f"{how}.")
    client_major = client_major_version(path)
    if server_major is not None:
        try:
            check_client_version("pg_dump", client_major=client_major, server_major=server_major)
        except ClientProblem as exc:
            return Check("pg_dump", False, str(exc))
    if server_unknown:
        return Check(
            "pg_dump",
            needed is False,
            f"{path} (major {client_major}): its version could not be checked against the "
            "server, which could not be reached",
        )
    return Check("pg_dump", True, f"{path} (major {client_major})")
