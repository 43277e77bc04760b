"""The study pages through AppTest on the test database: each mode, one answer, one attempt.

These commit for real (AppTest runs the app against DATABASE_URL): each test deletes the
rows it wrote.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.domain.attempt import NewAttempt
from studygame.domain.markup import safe_markdown
from studygame.models import Attempt, CardState, StudySession
from studygame.services.content import load_bank
from studygame.services.learner import (
    LearnerPreferences,
    get_learner_settings,
    update_learner_settings,
)
from studygame.ui.outbox import save_answer

from .conftest import everything_shown

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(committed_db):
    """The test database, committed to for real; rows written during the test are deleted."""
    return committed_db


def open_page(name: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / name), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def run_of(app: AppTest, mode: str):
    return app.session_state[f"study_run:{mode}"]


def set_run(app: AppTest, run) -> None:
    """Put the run in the page's state as a test wants it, and draw the page again."""
    app.session_state[f"study_run:{run.mode}"] = run
    app.run()
    assert not app.exception, app.exception


def with_plan(run, **changes):
    return replace(run, plan=replace(run.plan, **changes))


def click(app: AppTest, key: str) -> None:
    app.button(key=key).click().run()
    assert not app.exception, app.exception


def answer_current(app: AppTest, mode: str, *, right: bool = True) -> None:
    """Answer the question on screen, whatever its type, rightly or not."""
    run = run_of(app, mode)
    question = {q.id: q for q in load_bank_for_tests().questions}[run.current_id]
    key = f"{mode}-{run.screen}-{question.id}"
    if mode == "flashcards" or question.type == "flashcard":
        click(app, f"reveal-{key}")
        turned = f"{mode}-{run_of(app, mode).screen}-{question.id}"
        click(app, f"grade-{'good' if right else 'again'}-{turned}")
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


def attempts(db: Session, app: AppTest, mode: str) -> list[Attempt]:
    """The answers this page's run of `mode` recorded, oldest first."""
    db.rollback()
    sitting = run_of(app, mode).plan.session_id
    query = select(Attempt).where(Attempt.session_id == sitting).order_by(Attempt.answered_at)
    return list(db.scalars(query))


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
    saved = attempts(db, app, mode)
    assert len(saved) == 1
    assert saved[0].mode == mode
    has_card = db.get(CardState, saved[0].question_id) is not None
    assert has_card is (mode != "cram")  # cram leaves the schedule alone


def typed_question_id() -> str:
    return next(q.id for q in load_bank_for_tests().questions if q.type == "typed")


def start_quiz_on(app: AppTest, question_ids: list[str]) -> None:
    """Replace the drawn quiz by these questions (the draw is random by design)."""
    run = run_of(app, "quiz")
    set_run(app, replace(with_plan(run, question_ids=tuple(question_ids)), current_id=None))


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
    assert "1 due, 20 new today" in app.get("progress")[0].proto.text
    answer_current(app, "review")
    saved = attempts(db, app, "review")
    assert [a.question_id for a in saved] == [due_id]
    assert db.get(CardState, due_id).reps == 2


def test_wrong_typed_answer_feedback_override_and_undo(db):
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")
    start_quiz_on(app, [typed_question_id()])
    answer_current(app, "quiz", right=False)
    shown = "\n".join(str(e.value) for e in [*app.error, *app.markdown])
    assert "Not quite. You answered: zzz wrong" in shown
    assert "**Answer:**" in shown and "+0 points" in shown
    (wrong,) = attempts(db, app, "quiz")
    assert (wrong.is_correct, wrong.rating, wrong.points) == (False, 1, 0)

    click(app, "override")
    (right,) = attempts(db, app, "quiz")
    assert right.id == wrong.id
    assert right.is_correct and right.rating >= 2 and right.points >= 500
    assert run_of(app, "quiz").score == right.points
    assert [s.value for s in app.success] == [f"Counted as right. +{right.points:,} points"]

    question_id = right.question_id
    click(app, "undo")
    assert attempts(db, app, "quiz") == []
    assert db.get(CardState, question_id) is None  # a new card again
    run = run_of(app, "quiz")
    assert (run.score, run.answered, run.on_feedback) == (0, 0, False)
    answer_current(app, "quiz")  # the same question is back on screen
    assert len(attempts(db, app, "quiz")) == 1


def test_a_retried_save_of_the_same_answer_writes_one_row(db):
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id=typed_question_id(), deck="d", topic=None,
        mode="quiz", given_answer="x", is_correct=True, rating=3, response_ms=1000, points=950,
        answered_at=datetime.now(UTC),
    )  # fmt: skip
    assert save_answer(attempt, desired_retention=0.9).saved
    assert save_answer(attempt, desired_retention=0.9).saved
    db.rollback()
    assert len(db.scalars(select(Attempt).where(Attempt.id == attempt.id)).all()) == 1
    assert db.get(CardState, attempt.question_id).reps == 1


def test_a_speed_round_ends_on_the_clock_with_a_personal_best(db):
    app = open_page("pages/4_Speed_round.py")
    click(app, "speed-start")
    answer_current(app, "speed")
    run = run_of(app, "speed")
    assert run.position == 1  # straight on to the next question
    set_run(app, with_plan(run, deadline=datetime(2026, 1, 1, tzinfo=UTC)))  # the bell rings
    assert f"{run.score:,} points" in [h.value for h in app.subheader]
    assert "Your first personal best for a 60-second speed round!" in [s.value for s in app.success]
    db.rollback()
    sitting = db.get(StudySession, run.plan.session_id)
    assert sitting.ended_at is not None and (sitting.answered, sitting.points) == (1, run.score)


def test_cram_takes_the_questions_the_progress_page_picked(db):
    ids = [q.id for q in load_bank_for_tests().questions[:3]]
    app = AppTest.from_file(str(ROOT / "pages/5_Cram.py"), default_timeout=30)
    app.session_state["cram_question_ids"] = ids
    app.run()
    assert run_of(app, "cram").plan.question_ids == tuple(ids)
    answer_current(app, "cram")
    assert [a.question_id for a in attempts(db, app, "cram")] == [ids[0]]


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


def questions_of(kind: str, count: int) -> list[str]:
    return [q.id for q in load_bank_for_tests().questions if q.type == kind][:count]


def progress_text(app: AppTest) -> str:
    return app.get("progress")[0].proto.text


def toasts(app: AppTest) -> list[str]:
    return [t.value for t in app.toast]


def play_quiz(app: AppTest, question_ids: list[str], rights: list[bool]) -> None:
    click(app, "quiz-start")
    start_quiz_on(app, question_ids)
    for right in rights:
        answer_current(app, "quiz", right=right)
        click(app, "next")


def test_the_summary_shows_the_round_and_the_questions_missed(db):
    ids = questions_of("mcq", 3)
    bank = {q.id: q for q in load_bank_for_tests().questions}
    app = open_page("pages/2_Quiz.py")
    play_quiz(app, ids, [True, False, True])
    run = run_of(app, "quiz")
    figures = {m.label: m.value for m in app.metric}
    assert figures["Points"] == f"{run.score:,}" and run.score > 0
    assert (figures["Accuracy"], figures["Best streak"]) == ("67 %", "1")
    assert figures["Time"].count(":") == 1
    shown = "\n".join(str(m.value) for m in app.markdown)
    assert f"+{run.score:,} XP added" in shown
    assert "**Missed (1)**" in shown
    assert safe_markdown(bank[ids[1]].prompt) in shown and bank[ids[1]].answer in shown
    assert bank[ids[0]].prompt not in shown  # only the missed one is listed
    assert progress_text(app) == "Daily goal: 3 of 50 answers"
    assert "Your first personal best for a 3-question quiz!" in [s.value for s in app.success]


def test_practice_these_crams_exactly_the_questions_missed(db):
    ids = questions_of("mcq", 4)
    app = open_page("Home.py")  # the app's entry page, so that switching pages works
    app.switch_page("pages/2_Quiz.py").run()
    play_quiz(app, ids, [False, True, False, True])
    app.button(key="practice-missed").click().run()
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == ["Cram"]
    assert run_of(app, "cram").plan.question_ids == (ids[0], ids[2])
    answer_current(app, "cram")
    assert [a.question_id for a in attempts(db, app, "cram")] == [ids[0]]


def test_the_answer_streak_shows_and_is_celebrated(db):
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")
    start_quiz_on(app, questions_of("mcq", 4))
    answer_current(app, "quiz")
    assert "in a row" not in progress_text(app) and toasts(app) == []
    click(app, "next")
    answer_current(app, "quiz")
    assert "🔥 2 in a row" in progress_text(app) and toasts(app) == []
    click(app, "next")
    answer_current(app, "quiz")
    assert "🔥 3 in a row" in progress_text(app)
    assert toasts(app) == ["3 in a row!"]
    click(app, "next")
    answer_current(app, "quiz", right=False)
    assert "in a row" not in progress_text(app) and toasts(app) == []


def test_the_daily_goal_is_celebrated_once(db):
    update_learner_settings(db, preferences=LearnerPreferences(daily_goal=2), now=datetime.now(UTC))
    db.commit()
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")
    start_quiz_on(app, questions_of("mcq", 3))
    goal = "Daily goal reached: 2 answers today."
    seen = []
    for _ in range(3):
        answer_current(app, "quiz", right=False)
        seen.append((goal in toasts(app), bool(app.get("balloons"))))
        if len(seen) == 2:
            click(app, "undo")  # undone and answered again: still celebrated once
            answer_current(app, "quiz", right=False)
            seen.append((goal in toasts(app), bool(app.get("balloons"))))
        click(app, "next")
    assert seen == [(False, False), (True, True), (False, False), (False, False)]
    click(app, "again")  # a new round the same day: the goal is behind it
    click(app, "quiz-start")
    answer_current(app, "quiz")
    assert goal not in toasts(app)


def ended_quiz(db: Session, *, questions: int, points: int) -> None:
    """An earlier quiz of this many questions that scored these points."""
    plan = {"question_ids": questions_of("mcq", questions), "seconds": None}
    db.add(StudySession(id=uuid.uuid4(), started_at=datetime.now(UTC), ended_at=datetime.now(UTC),
                        mode="quiz", points=points, plan=plan))  # fmt: skip
    db.commit()


def test_a_personal_best_is_celebrated_on_the_answer_that_beats_its_lengths_best(db):
    ended_quiz(db, questions=5, points=1500)
    ended_quiz(db, questions=50, points=1_000_000)  # a longer quiz scores more: no fair best
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")  # 5 questions, the first length offered
    start_quiz_on(app, questions_of("mcq", 5))
    assert run_of(app, "quiz").plan.best_before == 1500
    found = []
    for _ in range(5):
        answer_current(app, "quiz")
        found.append(any("New personal best for a 5-question quiz" in t for t in toasts(app)))
        click(app, "next")
    assert run_of(app, "quiz").score > 1500
    assert found.count(True) == 1
    assert "New personal best for a 5-question quiz!" in [s.value for s in app.success]


def test_feedback_keeps_the_question_and_colours_the_choices(db):
    (mcq,) = questions_of("mcq", 1)
    question = {q.id: q for q in load_bank_for_tests().questions}[mcq]
    app = open_page("pages/2_Quiz.py")
    click(app, "quiz-start")
    start_quiz_on(app, [mcq])
    answer_current(app, "quiz", right=False)
    assert f"#### {safe_markdown(question.prompt)}" in [m.value for m in app.markdown]
    states = {b.key.split("-")[1]: b.label for b in app.button if b.key.startswith("fb-")}
    assert states["right"] == f"✓ {safe_markdown(question.answer)}"
    assert states["wrong"].startswith("✗ ") and states["wrong"] != states["right"]
    assert all(b.disabled for b in app.button if b.key.startswith("fb-"))


def test_a_flashcard_grade_moves_on_at_once_and_can_be_undone(db):
    app = open_page("pages/3_Flashcards.py")
    click(app, "flashcards-start")
    run = run_of(app, "flashcards")
    first = run.current_id
    click(app, f"reveal-flashcards-{run.screen}-{first}")
    labels = [b.label for b in app.button if b.key.startswith("grade-")]
    # A new card: each grade shows when it would come back, Again soonest.
    assert [label.split(" · ")[0] for label in labels] == ["Again", "Hard", "Good", "Easy"]
    assert all(" · " in label for label in labels)
    click(app, f"grade-good-flashcards-{run.screen + 1}-{first}")
    run = run_of(app, "flashcards")
    assert run.current_id != first and not run.on_feedback and run.position == 1
    prompt = {q.id: q for q in load_bank_for_tests().questions}[first].prompt
    assert f"Last card “{safe_markdown(prompt)}”: Good, +500" in [s.value for s in app.success]
    click(app, "undo")
    run = run_of(app, "flashcards")
    assert (run.current_id, run.position, run.answered) == (first, 0, 0)
    assert attempts(db, app, "flashcards") == []


def test_the_speed_round_names_the_question_its_verdict_judged(db):
    app = open_page("pages/4_Speed_round.py")
    click(app, "speed-start")
    run = run_of(app, "speed")
    bank = {q.id: q for q in load_bank_for_tests().questions}
    first = bank[run.current_id]
    answer_current(app, "speed", right=False)
    (verdict,) = [e.value for e in app.error]
    asked, right = safe_markdown(first.prompt), safe_markdown(first.answer)
    assert verdict == f"Last question “{asked}”: wrong, the answer is {right}"
    assert bank[run_of(app, "speed").current_id].prompt != first.prompt


def test_a_goal_reached_on_the_last_card_is_celebrated_on_the_summary(db):
    update_learner_settings(db, preferences=LearnerPreferences(daily_goal=1), now=datetime.now(UTC))
    db.commit()
    app = open_page("pages/3_Flashcards.py")
    click(app, "flashcards-start")
    run = run_of(app, "flashcards")
    set_run(app, with_plan(run, question_ids=run.plan.question_ids[:1]))
    answer_current(app, "flashcards")
    assert "Done!" in [h.value for h in app.subheader]
    assert "Daily goal reached: 1 answer today." in toasts(app)
    app.run()  # and only once
    assert toasts(app) == []


def test_review_meets_new_cards_one_deck_after_another(db):
    bank = {q.id: q for q in load_bank_for_tests().questions}
    app = open_page("pages/1_Review.py")
    run = run_of(app, "review")
    decks = [bank[qid].deck for qid in run.new_candidates[:6]]
    assert len(set(decks[:3])) == 3, decks  # the bundled bank's three decks take turns
    assert decks[:3] == decks[3:6]


def test_an_empty_review_says_when_the_next_card_is_due_and_offers_cram(db):
    update_learner_settings(
        db, preferences=LearnerPreferences(new_cards_per_day=0), now=datetime.now(UTC)
    )
    later = datetime.now(UTC) + timedelta(hours=5, minutes=10)
    db.add(
        CardState(question_id=load_bank_for_tests().questions[0].id, deck="x", state=2, step=None,
                  stability=1.0, difficulty=5.0, due=later, last_review=datetime.now(UTC), reps=1,
                  lapses=0, updated_at=datetime.now(UTC))
    )  # fmt: skip
    db.commit()
    app = open_page("Home.py")  # the app's entry page, so that switching pages works
    app.switch_page("pages/1_Review.py").run()
    assert not app.exception, app.exception
    assert "All caught up!" in [h.value for h in app.subheader]
    assert "Nothing to study here right now." not in everything_shown(app)
    assert "The next card comes due in 5 h." in [c.value for c in app.caption]
    assert [b.key for b in app.button if b.key == "again"] == []  # "Study again" would be empty
    click(app, "cram-instead")
    assert [t.value for t in app.title] == ["Cram"]


def test_the_summary_does_not_toast_the_streak_of_the_last_answer(db):
    app = open_page("pages/3_Flashcards.py")
    click(app, "flashcards-start")
    run = run_of(app, "flashcards")
    set_run(app, with_plan(run, question_ids=run.plan.question_ids[:3]))
    for _ in range(3):
        answer_current(app, "flashcards")  # a card graded Good goes straight on
    assert "Done!" in [h.value for h in app.subheader]
    assert "3 in a row!" not in toasts(app)  # it would cover the round's figures on a phone
