"""The app's one engine per process, and the session pages use.

A page's database reads are bounded like the answer path: one that fails or outlives its
deadline marks the database out of reach for the rest of this page's run (a deadline's
length at most), and until then every `session()` fails at once. A page whose first read
timed out renders its sentence and its defaults within that one deadline rather than
waiting again for each of its reads; the next page run tries the database afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from studygame import db
from studygame.db import DatabaseUnavailable
from studygame.ui.settings import app_settings

# What a page catches to go on without the database (a read that failed or timed out).
DATABASE_ERRORS = (OperationalError, DatabaseUnavailable, TimeoutError)
# database_sentence (ui/errors.py) ends it with its full stop.
OUT_OF_REACH = "The database did not answer a moment ago; the app tries again shortly"


# When this browser session last found the database out of reach (time.monotonic()).
FAILED_AT_KEY = "database_failed_at"


@st.cache_resource(show_spinner="Waking the database…")
def app_engine() -> Engine:
    """Create the engine once per process and wait for a sleeping database to wake."""
    engine = db.make_engine(app_settings(), interactive=True)
    # A failed wake-up raises DatabaseUnavailable and is not cached: the next rerun retries.
    db.wait_for_database(engine)
    return engine


def _connect_within(engine: Engine, seconds: float) -> Connection:
    """A connection from the pool within `seconds`, or TimeoutError.

    Checking out can take longer than one deadline when the pooled connection's ping hangs
    and the pool then dials again; the page does not wait for the second try. A connection
    that arrives after the page gave up goes straight back to the pool.
    """
    lock = threading.Lock()
    arrived: dict[str, object] = {}
    ready = threading.Event()

    def connect() -> None:
        try:
            value: object = engine.connect()
        except BaseException as exc:  # handed to the waiting page below
            value = exc
        with lock:
            if arrived.get("gave_up"):
                if isinstance(value, Connection):
                    value.close()
                return
            arrived["value"] = value
        ready.set()

    threading.Thread(target=connect, name="page-connect", daemon=True).start()
    ready.wait(seconds)
    with lock:
        if "value" not in arrived:
            arrived["gave_up"] = True
            raise TimeoutError(f"The database did not answer within {seconds:.0f} s")
    value = arrived["value"]
    if isinstance(value, BaseException):
        raise value
    return value


def forget_database_failure() -> None:
    """Let this page run try the database again (begin_page calls it first)."""
    st.session_state.pop(FAILED_AT_KEY, None)


@contextmanager
def session() -> Iterator[Session]:
    """One bounded transaction on the app's engine, for a page's single service call."""
    failed_at = st.session_state.get(FAILED_AT_KEY)
    if failed_at is not None and time.monotonic() - failed_at < db.APP_BOUNDS.call_deadline_s:
        raise DatabaseUnavailable(OUT_OF_REACH)
    try:
        connection = _connect_within(app_engine(), db.APP_BOUNDS.call_deadline_s)
        with connection, Session(connection, expire_on_commit=False) as s, s.begin():
            yield s
    except DATABASE_ERRORS:
        st.session_state[FAILED_AT_KEY] = time.monotonic()
        raise
    st.session_state.pop(FAILED_AT_KEY, None)
