"""The app's one engine per process, and the session pages use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from studygame import db
from studygame.ui.settings import app_settings


@st.cache_resource(show_spinner="Waking the database…")
def app_engine() -> Engine:
    """Create the engine once per process and wait for a sleeping database to wake."""
    engine = db.make_engine(app_settings(), interactive=True)
    # A failed wake-up raises DatabaseUnavailable and is not cached: the next rerun retries.
    db.wait_for_database(engine)
    return engine


@contextmanager
def session() -> Iterator[Session]:
    """One transaction on the app's engine, for a page's single service call."""
    with db.session_scope(app_engine()) as s:
        yield s
