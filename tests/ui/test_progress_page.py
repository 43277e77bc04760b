"""The Progress page through AppTest: empty, populated, the legacy toggle, Study these now."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import create_engine, delete
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.domain.markup import safe_markdown
from studygame.models import Attempt, CardState
from studygame.ui.engine import app_engine
from studygame.ui.progress_cache import _report

PAGE = Path(__file__).resolve().parents[2] / "pages" / "6_Progress.py"


@pytest.fixture(autouse=True)
def fresh_caches():
    app_engine.clear()
    _report.clear()
    yield
    app_engine.clear()
    _report.clear()


@pytest.fixture
def history(app_database):
    """A committed week of answers (two from the old app) and a leech; removed afterwards."""
    engine = create_engine(app_database)
    now = datetime.now(UTC)
    # A minute past midnight UTC (the default timezone), so each answer has its own day.
    today = datetime.combine(now.date(), time(0, 1), tzinfo=UTC)
    with Session(engine) as session, session.begin():
        for n in range(7):
            for question, correct in (("geo-001", n % 2 == 0), ("q-easy", True)):
                session.add(
                    Attempt(
                        id=uuid.uuid4(),
                        question_id=question,
                        deck="Deck A" if question == "q-easy" else "Deck B",
                        topic="Topic 1",
                        mode="review" if n else "quiz",
                        is_correct=correct,
                        response_ms=4000,
                        answered_at=today - timedelta(days=n),
                        source="legacy" if n == 6 else "app",
                    )
                )
        session.add(
            CardState(question_id="geo-001", deck="Deck B", state=3, due=now, lapses=9,
                      updated_at=now)
        )  # fmt: skip
    yield
    with Session(engine) as session, session.begin():
        session.execute(delete(Attempt).where(Attempt.question_id.in_(["geo-001", "q-easy"])))
        session.execute(delete(CardState).where(CardState.question_id == "geo-001"))
    engine.dispose()


def run_page() -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_an_empty_database_says_no_answers_yet(app_database):
    app = run_page()
    assert "No answers yet" in app.info[0].value
    assert not app.metric


def test_a_history_shows_every_section(history):
    app = run_page()
    assert metrics(app) == {
        "Day streak": "7",
        "Best streak": "7",
        "Answers": "14",
        "Average answer": "4.0 s",
        # The one card is relearning: none in review yet.
        "Expected reviews a day at 90% retention": "0.0",
    }
    assert [s.value for s in app.subheader] == [
        "Answers per day",
        "True retention",
        "Due in the next 30 days",
        "Your memory model",
        "Time studied",
        "Accuracy by deck",
        "Leeches (8+ lapses)",
        "Most often wrong",
        "Download your answers",
    ]
    leeches = app.table[1].value
    # A bundled sample question: its prompt, from the question bank, as literal Markdown.
    assert list(leeches["question"]) == [safe_markdown("What is the capital of Australia?")]
    most_wrong = app.table[2].value
    assert list(most_wrong["question"]) == [safe_markdown("What is the capital of Australia?")]
    assert "Outlined days include imported answers (the old app's, or Anki's)." in [
        c.value for c in app.caption
    ]


def test_hiding_the_legacy_history_changes_the_figures(history):
    app = run_page()
    app.toggle[0].set_value(False).run()
    assert metrics(app)["Answers"] == "12"
    # The legacy answers were the oldest day: the streak loses it.
    assert metrics(app)["Day streak"] == "6"


def test_study_these_now_opens_cram_on_the_leeches(history, monkeypatch):
    opened = []
    monkeypatch.setattr(st, "switch_page", opened.append)
    app = run_page()
    app.button(key="cram_leeches").click().run()
    assert opened == ["pages/5_Cram.py"]
    assert app.session_state["cram_question_ids"] == ["geo-001"]
