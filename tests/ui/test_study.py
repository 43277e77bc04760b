"""The study pages through AppTest on the test database: each mode, one answer, one attempt.

These commit for real (AppTest runs the app against DATABASE_URL): each test deletes the
rows it wrote.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.domain.markup import safe_markdown
from studygame.models import Attempt, CardState, StudySession
from studygame.services.content import load_bank
from studygame.services.learner import LearnerPreferences, get_learner_settings
from studygame.services.study import NewAttempt
from studygame.ui.engine import app_engine
from studygame.ui.study import answer, save

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(app_database, written_since):
    """The test database, committed to for real; rows written during the test are deleted."""
    app_engine.clear()
    engine = create_engine(app_database)
    with Session(engine) as s:
        yield s
        s.rollback()
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
            if b.key and b.key.startswith(f"choice-{key}") and b.label == safe_markdown(wanted)
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


def typed_question_id() -> str:
    return next(q.id for q in load_bank_for_tests().questions if q.type == "typed")


def start_quiz_on(app: AppTest, question_ids: list[str]) -> None:
    """Replace the drawn quiz by these questions (the draw is random by design)."""
    run = run_of(app, "quiz")
    run.question_ids, run.position, run.current_id = question_ids, 0, None
    app.run()


def test_review_shows_the_counts_and_asks_the_due_card_first(db):
    bank = load_bank_for_tests()
    due_id = bank.questions[-1].id
    past = datetime(2026, 1, 1, tzinfo=UTC)
    db.add(
        CardState(question_id=due_id, deck="x", state=2, step=None, stability=1.0, difficulty=5.0,
                  due=past, last_review=past, reps=1, lapses=0, updated_at=datetime.now(UTC))
    )  # fmt: skip
    db.commit()
    app = open_page("pages/1_Review.py")
    assert run_of(app, "review").current_id == due_id
    assert any("1 due, 20 new today" in c.value for c in app.caption), [
        c.value for c in app.caption
    ]
    answer_current(app, "review")
    saved = attempts(db, "review")
    assert [a.question_id for a in saved] == [due_id]
    assert db.get(CardState, due_id).reps == 2


def test_wrong_typed_answer_feedback_override_and_undo(db):
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")
    start_quiz_on(app, [typed_question_id()])
    answer_current(app, "quiz", right=False)
    shown = "\n".join(str(e.value) for e in [*app.error, *app.markdown])
    assert "Not quite. You answered: zzz wrong" in shown
    assert "**Answer:**" in shown and "**+0 points**" in shown
    (wrong,) = attempts(db, "quiz")
    assert (wrong.is_correct, wrong.rating, wrong.points) == (False, 1, 0)

    click(app, "override")
    (right,) = attempts(db, "quiz")
    assert right.id == wrong.id
    assert right.is_correct and right.rating >= 2 and right.points >= 500
    assert run_of(app, "quiz").score == right.points
    assert "Counted as right." in [s.value for s in app.success]

    question_id = right.question_id
    click(app, "undo")
    assert attempts(db, "quiz") == []
    assert db.get(CardState, question_id) is None  # a new card again
    run = run_of(app, "quiz")
    assert (run.score, run.answered, run.on_feedback) == (0, 0, False)
    answer_current(app, "quiz")  # the same question is back on screen
    assert len(attempts(db, "quiz")) == 1


def test_a_retried_save_of_the_same_answer_writes_one_row(db):
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id=typed_question_id(), deck="d", topic=None,
        mode="quiz", given_answer="x", is_correct=True, rating=3, response_ms=1000, points=950,
        answered_at=datetime.now(UTC),
    )  # fmt: skip
    assert save(attempt, desired_retention=0.9)
    assert save(attempt, desired_retention=0.9)
    assert len(attempts(db, "quiz")) == 1
    assert db.get(CardState, attempt.question_id).reps == 1


def test_a_speed_round_ends_on_the_clock_with_a_personal_best(db):
    app = open_page("pages/4_Speed_round.py")
    click(app, "speed-start")
    answer_current(app, "speed")
    run = run_of(app, "speed")
    assert run.current_id is None or run.position == 1  # straight on to the next question
    run.deadline = datetime(2026, 1, 1, tzinfo=UTC)  # the bell rings
    app.run()
    assert f"{run.score:,} points" in [h.value for h in app.subheader]
    assert "Your first personal best!" in [s.value for s in app.success]
    db.rollback()
    sitting = db.get(StudySession, run.session_id)
    assert sitting.ended_at is not None and (sitting.answered, sitting.points) == (1, run.score)


def test_cram_takes_the_questions_the_progress_page_picked(db):
    ids = [q.id for q in load_bank_for_tests().questions[:3]]
    app = AppTest.from_file(str(ROOT / "pages/5_Cram.py"), default_timeout=30)
    app.session_state["cram_question_ids"] = ids
    app.run()
    assert run_of(app, "cram").question_ids == ids
    answer_current(app, "cram")
    assert [a.question_id for a in attempts(db, "cram")] == [ids[0]]


def test_home_shows_today_and_starts_review(db):
    app = open_page("Home.py")
    labels = {m.label: m.value for m in app.metric}
    assert labels["Due now"] == "0" and labels["New today"] == "20"
    assert "Daily goal: 0 of 50 answers" in app.get("progress")[0].proto.text
    app.button(key="start-review").click().run()
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == ["Review"]


def test_settings_are_saved_from_the_form(db):
    app = open_page("pages/7_Settings.py")
    app.number_input[0].set_value(30)
    app.selectbox[0].set_value("Europe/Paris")
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert "Saved." in [s.value for s in app.success]
    db.rollback()
    saved = get_learner_settings(db)
    assert (saved.daily_goal, saved.timezone) == (30, "Europe/Paris")


def test_a_double_tap_on_an_answer_saves_it_once(db):
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")
    run = run_of(app, "quiz")
    bank = {q.id: q for q in load_bank_for_tests().questions}
    question = bank[run.current_id]
    preferences = LearnerPreferences()
    # The second tap's callback carries the same question after the first was answered.
    answer(run, question, question.answer, preferences)
    answer(run, question, question.answer, preferences)
    assert len(attempts(db, "quiz")) == 1
    assert run.answered == 1


def test_a_tap_after_the_speed_round_bell_is_not_an_answer(db):
    app = open_page("pages/4_Speed_round.py")
    click(app, "speed-start")
    run = run_of(app, "speed")
    question = {q.id: q for q in load_bank_for_tests().questions}[run.current_id]
    run.deadline = datetime(2026, 1, 1, tzinfo=UTC)
    answer(run, question, question.answer, LearnerPreferences())
    assert attempts(db, "speed") == []
    assert run.answered == 0
