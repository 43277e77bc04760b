"""Helpers for page tests: what a page showed, and the test database they commit to."""

from __future__ import annotations

import pytest
from google.protobuf import text_format
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.ui.engine import app_engine


def everything_shown(app: AppTest) -> str:
    """All a page sent to the browser: every element's protobuf, text unescaped, in order."""

    def walk(block):
        for child in block.children.values():
            yield child
            if hasattr(child, "children"):
                yield from walk(child)

    return "\n".join(
        text_format.MessageToString(element.proto, as_utf8=True)
        if hasattr(element, "proto")
        else repr(element)
        for root in (app.main, app.sidebar)
        for element in walk(root)
    )


@pytest.fixture
def committed_db(app_database):
    """The test's own database, committed to for real (it is dropped after the test)."""
    app_engine.clear()
    engine = create_engine(app_database)
    with Session(engine) as s:
        yield s
        s.rollback()
    engine.dispose()
    app_engine.clear()
