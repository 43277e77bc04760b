"""The memory model in the app: the Settings button and Progress's section, through AppTest."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.domain.attempt import NewAttempt
from studygame.domain.memory_model import MIN_REVIEWS
from studygame.services.study import record_attempt
from studygame.ui.engine import app_engine
from studygame.ui.progress_cache import _report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_caches(app_database, written_since):
    app_engine.clear()
    _report.clear()
    yield
    app_engine.clear()
    _report.clear()


def open_page(name: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "pages" / name), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_settings_button_on_a_short_history_says_how_many_more_reviews():
    app = open_page("7_Settings.py")
    (button,) = [b for b in app.button if b.label == "Fit my memory model"]
    button.click().run()
    assert not app.exception, app.exception
    assert f"{MIN_REVIEWS} more reviews" in app.info[-1].value


def test_progress_shows_the_memory_model_with_the_defaults(app_database):
    engine = create_engine(app_database)
    with Session(engine) as session, session.begin():
        attempt = NewAttempt(
            id=uuid.uuid4(), session_id=None, question_id="mm-1", deck="d", topic=None,
            mode="review", given_answer="x", is_correct=True, rating=3, response_ms=900,
            points=0, answered_at=datetime.now(UTC),
        )  # fmt: skip
        record_attempt(session, attempt=attempt, desired_retention=0.9)
    engine.dispose()
    app = open_page("6_Progress.py")
    assert "Your memory model" in [h.value for h in app.subheader]
    assert "Expected reviews a day at 90% retention" in [m.label for m in app.metric]
    assert any("FSRS's default parameters" in c.value for c in app.caption)
