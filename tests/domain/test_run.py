"""The study run's transitions, without Streamlit or a database: state + tap -> state + attempt."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from studygame.domain import run as model
from studygame.domain.celebration import DAILY_GOAL, PERSONAL_BEST, STREAK
from studygame.domain.modes import Mode
from studygame.domain.questions import Question
from studygame.domain.rating import Rating
from studygame.domain.run import ANSWERED_ELSEWHERE, PastAnswer, Plan

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def question(qid: str, kind: str = "mcq") -> Question:
    return Question(
        id=qid, deck="Geography", topic="Capitals", tags=(), type=kind,
        prompt=f"Capital {qid}?", choices=("Paris", "Rome") if kind != "typed" else (),
        answer="Paris", accepted=(), explanation=None, difficulty=None,
    )  # fmt: skip


Q1, Q2, Q3 = question("q1"), question("q2"), question("q3")
TYPED = question("t1", "typed")


def planned(mode=Mode.QUIZ, ids=("q1", "q2", "q3"), **kw) -> model.Run:
    plan = Plan(mode=mode, session_id=uuid.uuid4(), started_at=NOW, question_ids=ids, **kw)
    return model.show(model.start(plan), ids[0], now=NOW, position=0)


def tap(run, q=Q1, given="Paris", *, screen=None, at=NOW + 2 * SECOND) -> model.Step:
    return model.answer(
        run, q, given, screen=run.screen if screen is None else screen, now=at,
        attempt_id=uuid.uuid4(),
    )  # fmt: skip


def test_an_answer_is_tied_to_its_question_its_sitting_and_when_it_was_shown():
    run = planned()
    step = tap(run)
    attempt = step.attempt
    assert (attempt.question_id, attempt.session_id, attempt.mode) == (
        "q1",
        run.plan.session_id,
        Mode.QUIZ,
    )
    assert (attempt.shown_at, attempt.answered_at, attempt.response_ms) == (
        NOW,
        NOW + 2 * SECOND,
        2000,
    )
    assert (attempt.is_correct, attempt.rating, step.run.score) == (
        True,
        Rating.EASY,
        attempt.points,
    )
    assert step.run.on_feedback and step.run.screen == run.screen + 1


@pytest.mark.parametrize(
    ("why", "make_tap"),
    [
        ("a second tap on the same answer", lambda run: tap(tap(run).run, screen=run.screen)),
        ("a tap drawn on an older screen", lambda run: tap(run, screen=run.screen - 1)),
        ("a tap for another question", lambda run: tap(run, Q2)),
        ("a tap on the feedback screen", lambda run: tap(tap(run).run, Q1)),
    ],
)
def test_a_tap_for_a_screen_that_is_gone_changes_nothing(why, make_tap):
    run = planned()
    step = make_tap(run)
    if step.attempt is not None:  # the first of two taps counted; the second must not
        pytest.fail(why)


def test_a_double_tap_on_next_moves_on_once_and_never_answers_the_next_question():
    feedback = tap(planned()).run
    screen = feedback.screen
    once = model.next_question(feedback, screen=screen)
    twice = model.next_question(once, screen=screen)  # the second tap of the double tap
    assert twice == once and once.position == 1
    shown = model.show(once, "q2", now=NOW + 3 * SECOND, position=1)
    # The double tap's second half, drawn on the feedback screen, reaches the new question.
    assert tap(shown, Q2, screen=screen).attempt is None
    assert tap(shown, Q2).attempt is not None


def test_a_tap_after_the_speed_rounds_bell_is_not_an_answer():
    run = planned(Mode.SPEED, deadline=NOW + 60 * SECOND, seconds=60)
    assert tap(run, at=NOW + 61 * SECOND).attempt is None
    step = tap(run, at=NOW + 59 * SECOND)
    assert step.attempt is not None and step.run.current_id is None  # straight on, no feedback


def test_a_flashcard_is_graded_only_once_turned_and_moves_on():
    run = planned(Mode.FLASHCARDS)
    grade = {"rating": Rating.GOOD, "now": NOW + SECOND, "attempt_id": uuid.uuid4()}
    assert model.self_grade(run, Q1, screen=run.screen, **grade).attempt is None
    turned = model.reveal(run, screen=run.screen)
    assert model.reveal(turned, screen=run.screen) is turned  # a second tap on Show answer
    assert model.self_grade(turned, Q1, screen=run.screen, **grade).attempt is None  # stale
    step = model.self_grade(turned, Q1, screen=turned.screen, **grade)
    assert (step.attempt.rating, step.run.position, step.run.on_feedback) == (Rating.GOOD, 1, False)


@pytest.mark.parametrize(
    ("answers", "score", "streak", "best", "correct", "missed"),
    [
        ([], 0, 0, 0, 0, ()),
        ([True, True], 1000 + 1100, 2, 2, 2, ()),
        ([True, False, True], 1000 + 0 + 1000, 1, 1, 2, ("q2",)),
    ],
)
def test_score_streak_and_missed_follow_the_answers(answers, score, streak, best, correct, missed):
    run = planned()
    for n, right in enumerate(answers):
        q = (Q1, Q2, Q3)[n]
        run = model.show(run, q.id, now=NOW, position=n)
        run = tap(run, q, "Paris" if right else "Rome", at=NOW).run
    assert (run.score, run.streak, run.best_streak, run.correct, run.missed) == (
        score, streak, best, correct, missed,
    )  # fmt: skip


def test_undo_takes_the_answer_back_and_shows_its_question_again():
    run = planned()
    answered = model.saved(tap(run, given="Rome").run, is_saved=True)
    undone = model.undone(answered, now=NOW + 5 * SECOND)
    assert (undone.score, undone.answered, undone.missed, undone.last) == (0, 0, (), None)
    assert (undone.current_id, undone.position, undone.on_feedback) == ("q1", 0, False)
    assert undone.shown_at == NOW + 5 * SECOND and undone.screen > answered.screen


def test_undo_in_a_run_that_moved_on_steps_back_and_in_a_speed_round_goes_on():
    cards = planned(Mode.FLASHCARDS)
    turned = model.reveal(cards, screen=cards.screen)
    graded = model.self_grade(
        turned, Q1, Rating.AGAIN, screen=turned.screen, now=NOW, attempt_id=uuid.uuid4()
    ).run
    assert model.undone(graded, now=NOW).position == 0
    speed = tap(planned(Mode.SPEED, deadline=NOW + 60 * SECOND)).run
    assert model.undone(speed, now=NOW).current_id is None  # the round goes on


def test_i_was_right_rescores_a_wrong_typed_answer_once():
    run = planned(ids=("t1",))
    wrong = model.saved(tap(run, TYPED, "Lyon").run, is_saved=True)
    right = model.override_judgement(wrong)
    assert right is not None and right.is_correct
    fixed = model.overridden(wrong, right)
    assert (fixed.score, fixed.correct, fixed.missed, fixed.streak) == (right.points, 1, (), 1)
    assert model.override_judgement(fixed) is None  # once only
    assert model.override_judgement(tap(run, TYPED, "Lyon").run) is None  # not saved yet


def test_an_answer_another_tab_gave_first_moves_on_with_a_notice_and_counts_nothing():
    run = planned()
    moved = model.answered_elsewhere(run)
    assert (moved.answered, moved.score, moved.position, moved.current_id) == (0, 0, 1, None)
    cleared, _, notice = model.celebrated(moved)
    assert notice == ANSWERED_ELSEWHERE and cleared.notice is None


def test_celebrations_fire_once_on_the_answer_that_crosses_the_line():
    run = planned(daily_goal=2, answered_today_before=1, best_before=500)
    first = tap(run).run
    assert set(first.to_celebrate) == {DAILY_GOAL, PERSONAL_BEST}
    again = model.show(model.next_question(first, screen=first.screen), "q2", now=NOW, position=1)
    assert STREAK not in tap(again, Q2).run.to_celebrate  # two in a row is not yet a streak
    assert tap(again, Q2).run.to_celebrate == ()


def test_a_run_resumes_from_its_plan_and_answers_at_the_next_question():
    plan = planned(ids=("q1", "q2", "q3", "q4"), daily_goal=3, answered_today_before=1).plan
    answers = [PastAnswer("q1", True, 900), PastAnswer("q2", False, 0)]
    run = model.resume(plan, answers)
    assert (run.position, run.current_id, run.answered, run.score) == (2, None, 2, 900)
    assert (run.streak, run.best_streak, run.correct, run.missed) == (0, 1, 1, ("q2",))
    assert run.celebrated == {DAILY_GOAL}  # reached before the reload: not celebrated again
    assert run.planned_next({"q1", "q2", "q4"}) == (3, "q4")  # q3 left the bank: skipped


def test_a_plan_survives_its_trip_through_the_database_json():
    plan = planned(Mode.SPEED, deadline=NOW + 60 * SECOND, seconds=60, best_before=7).plan
    stored = plan.to_json()
    back = Plan.from_json(stored, mode="speed", session_id=plan.session_id, started_at=NOW)
    assert back == plan
    assert replace(back, seed="x") != plan
