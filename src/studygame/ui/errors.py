"""The one way an error reaches a page or a log line: one sentence, secrets redacted."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.exc import DBAPIError

from studygame.config import ConfigError, Settings, get_settings
from studygame.db import DatabaseUnavailable

log = logging.getLogger(__name__)


class _RedactingRecordFactory:
    """Builds every log record of the process with its message and traceback redacted."""

    def __init__(self, make_record: Callable[..., logging.LogRecord]) -> None:
        self.make_record = make_record

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.make_record(*args, **kwargs)
        try:
            settings = get_settings()
        except ConfigError:
            return record  # no secret could be read, so none can be matched either
        if not settings.secret_values():
            return record
        redact = settings.redact
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            # Formatters print exc_text as is; with exc_info gone none can re-render the raw one.
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record


def install_log_redaction() -> None:
    """Redact the app's secrets from every log record of the process, Streamlit's included."""
    # A record factory, not a handler filter: Streamlit replaces its handlers and keeps its
    # loggers from propagating, but every logger builds its records through this factory.
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecordFactory):
        logging.setLogRecordFactory(_RedactingRecordFactory(factory))


def report_error(exc: Exception, settings: Settings) -> str:
    """Log `exc` redacted and return one redacted sentence for the page."""
    if isinstance(exc, DatabaseUnavailable):
        sentence = f"{exc}."
    elif isinstance(exc, DBAPIError):
        lines = str(exc.orig).strip().splitlines() if exc.orig else []
        sentence = f"The database did not answer: {lines[0] if lines else type(exc).__name__}."
    else:
        sentence = f"Something went wrong ({type(exc).__name__}); the server log has details."
    sentence = settings.redact(sentence)
    log.error(sentence, exc_info=exc)
    return sentence


@contextmanager
def errors_shown_redacted(settings: Settings) -> Iterator[None]:
    """Show an error raised in the block as one redacted sentence and stop the page."""
    try:
        yield
    except Exception as exc:
        st.error(f"{report_error(exc, settings)} Reload the page to try again.")
        st.stop()
