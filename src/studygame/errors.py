"""StudyGame's error sentences: what went wrong and how to fix it, each written once.

`CONNECT_FAILURES` is the one table from a failed Postgres connection to its sentence: the
app, the CLI and the pages say `describe_connect_error`; doctor says the same login
refusals with the setting's name (`login_refused`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from studygame.redaction import redact, url_secrets

# libpq's connect timeout: the engine sets it, the timeout sentence names it.
CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class Problem:
    """One failure as `message: fix.`; `fix` is empty when there is nothing to suggest."""

    message: str
    fix: str = ""

    def __str__(self) -> str:
        return f"{self.message}: {self.fix}" if self.fix else self.message


@dataclass(frozen=True)
class ConnectFailure:
    """A kind of failed connection: libpq's words or SQLSTATE, and the advice for it."""

    signs: tuple[str, ...]
    advice: str
    # For a refused login: the part of the URL to check ("the password").
    login_part: str | None = None


def _login(signs: tuple[str, ...], part: str) -> ConnectFailure:
    return ConnectFailure(signs, f"the server refused the login; check {part} in the URL", part)


# What libpq says when a connection fails (it gives no SQLSTATE before the server answers:
# psycopg 3 reports sqlstate=None), and the sentence a person can act on; the driver's own
# text carries hosts and names.
CONNECT_FAILURES = (
    _login(("password authentication failed", "28P01"), "the password"),
    _login(("role", "28000"), "the user name"),
    _login(("database", "3D000"), "the database name"),
    ConnectFailure(
        ("failed to resolve host", "could not translate host name", "Name or service not known"),
        "the host name does not resolve (DNS); check it for a typo",
    ),
    ConnectFailure(
        ("Connection refused",), "nothing listens at that host and port; check the port in the URL"
    ),
    ConnectFailure(
        ("timeout expired", "timed out"),
        f"the server did not answer within {CONNECT_TIMEOUT_S} s; this host may block the "
        "port, or the database's IP allowlist keeps it out",
    ),
    ConnectFailure(
        ("SSL", "ssl"), "the server and this host could not agree on SSL; check sslmode in the URL"
    ),
    ConnectFailure(
        ("server closed the connection", "Connection reset"),
        "the server closed the connection; it may be restarting or waking up",
    ),
)


def connect_failure(exc: DBAPIError) -> ConnectFailure | None:
    """The row of CONNECT_FAILURES that `exc` is, or None for a failure nobody foresaw."""
    message = str(exc.orig).strip() if exc.orig is not None else ""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return next(
        (
            failure
            for failure in CONNECT_FAILURES
            if sqlstate in failure.signs or any(_says(message, sign) for sign in failure.signs)
        ),
        None,
    )


def _says(message: str, sign: str) -> bool:
    # "role" and "database" count only in libpq's "... does not exist" refusal.
    if sign in ("role", "database"):
        return f'FATAL:  {sign} "' in message and "does not exist" in message
    return sign in message


def describe_connect_error(exc: DBAPIError, engine: Engine | None = None) -> str:
    """One sentence for a failed connection: what went wrong and what to check; no secret.

    A failure libpq explains is told without its host, user or driver text; any other
    keeps the driver's first line, redacted.
    """
    failure = connect_failure(exc)
    if failure is not None:
        return f"Could not connect to the database: {failure.advice}"
    # Unforeseen: the driver's first line, with the URL's password in any spelling masked.
    message = str(exc.orig).strip() if exc.orig is not None else ""
    first_line = message.splitlines()[0] if message else type(exc).__name__
    secrets = url_secrets(engine.url.render_as_string(hide_password=False)) if engine else ()
    return f"Could not connect to the database: {redact(first_line, secrets)}"


def login_refused(exc: DBAPIError) -> Problem | None:
    """doctor's sentence for a refused login: which part of DATABASE_URL to check; else None."""
    failure = connect_failure(exc)
    if failure is None or failure.login_part is None:
        return None
    return Problem(
        "Postgres refused the login",
        f"check {failure.login_part} in DATABASE_URL (Neon: Dashboard → Connect, or reset the "
        "role's password).",
    )
