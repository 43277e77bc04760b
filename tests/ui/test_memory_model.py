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
from studygame.domain.scheduling import DEFAULT_PARAMETERS
from studygame.models import SchedulerParameters
from studygame.services.study import record_attempt
from studygame.ui.engine import app_engine
from studygame.ui.progress_cache import _report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_caches(app_database):
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


def answer_one(session: Session) -> None:
    """One committed answer: Progress shows its sections only once there are answers."""
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id="mm-1", deck="d", topic=None,
        mode="review", given_answer="x", is_correct=True, rating=3, response_ms=900,
        points=0, answered_at=datetime.now(UTC),
    )  # fmt: skip
    record_attempt(session, attempt=attempt, desired_retention=0.9)


def test_progress_shows_the_memory_model_with_the_defaults(app_database):
    engine = create_engine(app_database)
    with Session(engine) as session, session.begin():
        answer_one(session)
    engine.dispose()
    app = open_page("6_Progress.py")
    assert "Your memory model" in [h.value for h in app.subheader]
    assert "Expected reviews a day at 90% retention" in [m.label for m in app.metric]
    assert any("FSRS's default parameters" in c.value for c in app.caption)


NOT_BETTER = (
    "Not better beyond noise: on 412 held-out reviews over 31 days, the fitted parameters' log "
    "loss differs from that of the defaults by -0.0021 a review (95% interval -0.0090 to "
    "+0.0044); the whole interval must lie below zero. Kept the current parameters."
)


@pytest.mark.parametrize("page", ["6_Progress.py", "7_Settings.py"])
def test_the_last_fit_shows_its_held_out_figures_and_why_it_was_not_applied(app_database, page):
    engine = create_engine(app_database)
    with Session(engine) as session, session.begin():
        answer_one(session)
        session.add(
            SchedulerParameters(
                fitted_at=datetime.now(UTC), parameters=list(DEFAULT_PARAMETERS),
                reviews_used=2100, train_reviews=1688, test_reviews=412, default_log_loss=0.3512,
                default_rmse=0.0412, fitted_log_loss=0.3491, fitted_rmse=0.0388, applied=False,
                reason=NOT_BETTER,
            )
        )  # fmt: skip
    engine.dispose()
    app = open_page(page)
    captions = " ".join(c.value for c in app.caption)
    assert "Your schedule uses FSRS's default parameters." in captions
    assert "not applied. Measured on its 412 held-out reviews" in captions
    assert [i.value for i in app.info] == [NOT_BETTER]
    (table,) = [d.value for d in app.dataframe if "log loss" in d.value.columns]
    assert table.to_dict("records") == [
        {"parameters": "FSRS defaults", "log loss": 0.3512, "RMSE": 0.0412},
        {"parameters": "fitted", "log loss": 0.3491, "RMSE": 0.0388},
    ]
