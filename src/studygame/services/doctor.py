"""`studygame doctor`: check every setting and every connection, say how to fix what fails."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo import MongoClient
from pymongo.errors import PyMongoError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from studygame.config import Settings, redact_url
from studygame.db import describe_connect_error, make_engine
from studygame.migrations import schema_status
from studygame.services.pg_client import client_major_version, find_client

MONGO_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in the order a person would fix them; secrets never in a detail."""
    checks = [
        Check("host", True, settings.host_name),
        *_secret_checks(settings),
        *_database_checks(settings),
        _mongo_check(settings),
        _pg_dump_check(),
    ]
    return [Check(c.name, c.ok, settings.redact(c.detail)) for c in checks]


def _secret_checks(settings: Settings) -> list[Check]:
    missing = set(settings.missing_secrets())
    database = (
        Check("DATABASE_URL", True, redact_url(settings.sqlalchemy_url))
        if settings.database_url
        else Check(
            "DATABASE_URL",
            "DATABASE_URL" not in missing,
            "not set: required on a hosted deployment"
            if "DATABASE_URL" in missing
            else f"not set: using the local development database {settings.sqlalchemy_url}",
        )
    )
    pin = Check(
        "APP_PIN",
        "APP_PIN" not in missing,
        "set (hidden)"
        if settings.app_pin
        else "not set: required on a hosted deployment"
        if "APP_PIN" in missing
        else "not set: the PIN gate is off (local development only)",
    )
    return [database, pin]


def _database_checks(settings: Settings) -> list[Check]:
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                version = connection.execute(text("SHOW server_version")).scalar_one()
                server = Check("database", True, f"PostgreSQL {version}")
            else:
                server = Check("database", True, f"SQLite {connection.dialect.server_version_info}")
        status = schema_status(engine)
    except DBAPIError as exc:
        return [Check("database", False, describe_connect_error(exc, engine))]
    finally:
        engine.dispose()
    schema = (
        Check("schema", True, f"at head ({status.head})")
        if status.at_head
        else Check(
            "schema",
            False,
            f"at {status.current or 'nothing (empty database)'}, head is {status.head}: "
            "run `studygame db upgrade`",
        )
    )
    return [server, schema]


def _mongo_check(settings: Settings) -> Check:
    if settings.mongodb_uri is None:
        return Check("question bank", True, "MONGODB_URI not set: using the bundled sample decks")
    uri = settings.mongodb_uri.get_secret_value()
    try:
        with MongoClient(uri, serverSelectionTimeoutMS=MONGO_TIMEOUT_MS) as client:
            client.admin.command("ping")
            collection = client[settings.mongodb_db][settings.mongodb_collection]
            count = collection.estimated_document_count()
    except PyMongoError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Check("question bank", False, f"MongoDB unreachable: {first_line}")
    where = f"{settings.mongodb_db}.{settings.mongodb_collection}"
    return Check("question bank", True, f"MongoDB {where}: {count} documents")


def _pg_dump_check() -> Check:
    path = find_client("pg_dump")
    if path is None:
        return Check("pg_dump", False, "not found: install postgresql-client, or set PG_DUMP")
    return Check("pg_dump", True, f"{path} (major {client_major_version(path)})")
