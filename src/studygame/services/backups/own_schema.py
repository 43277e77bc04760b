"""The objects StudyGame's migrations create in `public`: all a forced restore may remove."""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from studygame.models import Base

# Created by raw SQL in alembic/versions/0003 (the Progress rollups), so not in the models;
# tests/services/test_own_schema.py checks this against a freshly migrated database.
OWN_FUNCTIONS = ("attempts_roll_up",)


class ForeignDependency(RuntimeError):
    """An object StudyGame does not own depends on one it does; the message names it."""


def own_tables() -> frozenset[str]:
    """Our tables: every model's table plus Alembic's version table."""
    return frozenset(Base.metadata.tables) | {"alembic_version"}


def drop_statements(tables: frozenset[str] | set[str]) -> str:
    """SQL that drops these tables of ours, then our functions, never CASCADE.

    Their indexes, constraints, sequences and triggers go with them; anything else that
    depends on them makes the statement fail instead of being dropped along.
    """
    statements = []
    if tables:
        names = ", ".join(f'public."{name}"' for name in sorted(tables))
        statements.append(f"DROP TABLE IF EXISTS {names} RESTRICT;\n")
    statements += [f"DROP FUNCTION IF EXISTS public.{f}() RESTRICT;\n" for f in OWN_FUNCTIONS]
    return "".join(statements)


def existing_functions(connection: Connection) -> list[str]:
    """Our functions present in the target, as `name()`."""
    found = connection.execute(
        text(
            "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
            "AND proname = ANY(:names) ORDER BY proname"
        ),
        {"names": list(OWN_FUNCTIONS)},
    ).scalars()
    return [f"{name}()" for name in found]


def check_droppable(connection: Connection, tables: frozenset[str] | set[str]) -> None:
    """Try the drops in a savepoint rolled back at once; a foreign dependency refuses."""
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql(drop_statements(tables))
    except DBAPIError as exc:
        diag = getattr(exc.orig, "diag", None)
        detail = (getattr(diag, "message_detail", None) or str(exc.orig)).splitlines()[0]
        raise ForeignDependency(detail) from None
    finally:
        savepoint.rollback()
