"""The one way an error reaches a page or a log line: one sentence, secrets redacted.

Before the PIN is entered a visitor learns only that the database is unreachable: no
host, user, port or driver text, which would tell a stranger where the data lives.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame.config import Settings
from studygame.db import DatabaseUnavailable
from studygame.errors import describe_connect_error

log = logging.getLogger(__name__)

UNREACHABLE_BEFORE_PIN = "The database is unreachable; the owner can run `studygame doctor`."


def database_sentence(exc: Exception, settings: Settings, *, unlocked: bool) -> str:
    """What a page may say about a database failure: nothing specific until unlocked."""
    if not unlocked:
        return UNREACHABLE_BEFORE_PIN
    if isinstance(exc, OperationalError):
        sentence = f"{describe_connect_error(exc)}."
    elif isinstance(exc, DatabaseUnavailable | TimeoutError):
        sentence = f"{exc}."
    else:
        sentence = f"The database refused the request ({type(exc).__name__}); the log has details."
    return settings.redact(sentence)


def report_error(exc: Exception, settings: Settings, *, unlocked: bool) -> str:
    """Log `exc` redacted and return one redacted sentence for the page.

    `unlocked` is whether this browser session has passed the PIN gate (or there is none).
    """
    if isinstance(exc, (DatabaseUnavailable, DBAPIError)):
        sentence = database_sentence(exc, settings, unlocked=unlocked)
    else:
        sentence = f"Something went wrong ({type(exc).__name__}); the server log has details."
    # The log is the owner's: it gets the traceback (redacted by the record factory).
    log.error(settings.redact(f"{sentence} ({exc})"), exc_info=exc)
    return sentence


@contextmanager
def errors_shown_redacted(settings: Settings, *, unlocked: bool) -> Iterator[None]:
    """Show an error raised in the block as one redacted sentence and stop the page."""
    try:
        yield
    except Exception as exc:
        st.error(f"{report_error(exc, settings, unlocked=unlocked)} Reload the page to try again.")
        st.stop()
