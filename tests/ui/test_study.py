"""The study pages through AppTest on the test database: each mode, one answer, one attempt.

These commit for real (AppTest runs the app against DATABASE_URL): each test deletes the
rows it wrote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.models import Attempt, CardState, LearnerSettings, StudySession
from studygame.services.content import load_bank
from studygame.services.learner import get_learner_settings
from studygame.ui.engine import app_engine
from studygame.ui.study import question_bank

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(app_database):
    """The test database, committed to for real; rows written during the test are deleted."""
    started = datetime.now(UTC)
    app_engine.clear()
    question_bank.clear()
    engine = create_engine(app_database)
    with Session(engine) as s:
        yield s
        s.rollback()
        s.execute(delete(Attempt).where(Attempt.answered_at >= started))
        s.execute(delete(CardState).where(CardState.updated_at >= started))
        s.execute(delete(StudySession).where(StudySession.started_at >= started))
        s.execute(delete(LearnerSettings).where(LearnerSettings.updated_at >= started))
        s.commit()
    engine.dispose()
    app_engine.clear()


def open_page(name: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / name), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def run_of(app: AppTest, mode: str):
    return app.session_state[f"study_run:{mode}"]


def click(app: AppTest, key: str) -> None:
    app.button(key=key).click().run()
    assert not app.exception, app.exception


def answer_current(app: AppTest, mode: str, *, right: bool = True) -> None:
    """Answer the question on screen, whatever its type, rightly or not."""
    run = run_of(app, mode)
    question = {q.id: q for q in load_bank_for_tests().questions}[run.current_id]
    key = f"{mode}-{run.answered}-{question.id}"
    if mode == "flashcards" or question.type == "flashcard":
        click(app, f"reveal-{key}")
        click(app, f"grade-{key}-{3 if right else 1}")
    elif question.type == "typed":
        app.text_input(key=f"given-{key}").input(question.answer if right else "zzz wrong")
        app.button(key=f"FormSubmitter:typed-{key}-Check").click().run()
    else:
        wanted = (
            question.answer if right else next(c for c in question.choices if c != question.answer)
        )
        button = next(
            b
            for b in app.button
            if b.key and b.key.startswith(f"choice-{key}") and b.label == wanted
        )
        button.click().run()
    assert not app.exception, app.exception


def load_bank_for_tests():
    from studygame.config import get_settings

    return load_bank(get_settings())


def attempts(db: Session, mode: str) -> list[Attempt]:
    db.rollback()
    return list(db.scalars(select(Attempt).where(Attempt.mode == mode)))


@pytest.mark.parametrize("mode, page", [
    ("quiz", "pages/2_Quiz.py"),
    ("flashcards", "pages/3_Flashcards.py"),
    ("speed", "pages/4_Speed_round.py"),
    ("cram", "pages/5_Cram.py"),
])  # fmt: skip
def test_one_answer_in_each_chosen_deck_mode_writes_one_attempt(db, mode, page):
    app = open_page(page)
    click(app, f"{mode}-start")
    answer_current(app, mode)
    saved = attempts(db, mode)
    assert len(saved) == 1
    assert saved[0].session_id == run_of(app, mode).session_id
    has_card = db.get(CardState, saved[0].question_id) is not None
    assert has_card is (mode != "cram")  # cram leaves the schedule alone
