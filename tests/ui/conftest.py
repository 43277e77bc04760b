"""Fixtures for page tests: the app pointed at the test database, which they commit to."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from studygame.ui.engine import app_engine


@pytest.fixture
def committed_db(app_database, written_since):
    """The test database, committed to for real; rows written during the test are deleted."""
    app_engine.clear()
    engine = create_engine(app_database)
    with Session(engine) as s:
        yield s
        s.rollback()
    engine.dispose()
    app_engine.clear()
