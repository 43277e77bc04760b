"""Sittings on the real Postgres: a plan kept while the run lasts, found again, then closed."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from studygame.domain.attempt import NewAttempt
from studygame.domain.modes import Mode
from studygame.domain.rating import Rating
from studygame.domain.run import RESUMABLE_FOR, PastAnswer, Plan
from studygame.models import StudySession
from studygame.services.sittings import end_study_session, open_sitting, start_sitting
from studygame.services.study import record_attempt

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def plan(mode=Mode.QUIZ, *, started_at=NOW, **kw) -> Plan:
    return Plan(
        mode=mode,
        session_id=uuid.uuid4(),
        started_at=started_at,
        question_ids=("q1", "q2", "q3"),
        seed="seed",
        **kw,
    )


def answer(session, sitting: Plan, question_id: str, *, minute: int, right: bool = True) -> None:
    attempt = NewAttempt(
        id=uuid.uuid4(),
        session_id=sitting.session_id,
        question_id=question_id,
        deck="Geography",
        topic=None,
        mode=sitting.mode,
        given_answer="x",
        is_correct=right,
        rating=Rating.GOOD if right else Rating.AGAIN,
        response_ms=1000,
        points=900 if right else 0,
        answered_at=sitting.started_at + timedelta(minutes=minute),
    )
    record_attempt(session, attempt=attempt, desired_retention=0.9, now=NOW + RESUMABLE_FOR)


def test_an_open_sitting_comes_back_with_its_plan_and_answers_in_order(session):
    quiz = plan(deadline=NOW + timedelta(minutes=1), seconds=60, daily_goal=20, best_before=700)
    start_sitting(session, plan=quiz)
    answer(session, quiz, "q2", minute=2, right=False)
    answer(session, quiz, "q1", minute=1)

    found = open_sitting(session, mode=Mode.QUIZ, now=NOW + timedelta(minutes=5))

    assert found == (
        quiz,
        [PastAnswer("q1", True, 900), PastAnswer("q2", False, 0)],
    )


def test_a_retried_start_keeps_the_first_plan(session):
    quiz = plan()
    start_sitting(session, plan=quiz)
    start_sitting(session, plan=replace(quiz, question_ids=("other",)))
    assert open_sitting(session, mode=Mode.QUIZ, now=NOW)[0] == quiz


def test_no_sitting_to_resume_when_it_ended_is_too_old_or_another_mode(session):
    ended, speed = plan(), plan(Mode.SPEED)
    old = plan(started_at=NOW - RESUMABLE_FOR - timedelta(minutes=1))
    for sitting in (ended, old, speed):
        start_sitting(session, plan=sitting)
    end_study_session(session, session_id=ended.session_id, now=NOW)

    assert open_sitting(session, mode=Mode.QUIZ, now=NOW) is None
    assert open_sitting(session, mode=Mode.SPEED, now=NOW)[0] == speed


def test_the_newest_open_sitting_is_the_one_resumed(session):
    older, newer = plan(started_at=NOW - timedelta(hours=1)), plan()
    for sitting in (older, newer):
        start_sitting(session, plan=sitting)
    assert open_sitting(session, mode=Mode.QUIZ, now=NOW)[0] == newer


def test_review_resumes_from_its_answers_alone(session):
    review = Plan(mode=Mode.REVIEW, session_id=uuid.uuid4(), started_at=NOW, seed="s")
    answer(session, review, "q9", minute=0)  # Review's sitting is made by its first answer

    found_plan, answers = open_sitting(session, mode=Mode.REVIEW, now=NOW)

    assert (found_plan.session_id, found_plan.question_ids, answers) == (
        review.session_id,
        (),
        [PastAnswer("q9", True, 900)],
    )
    assert open_sitting(session, mode=Mode.QUIZ, now=NOW) is None  # a quiz needs its plan


def test_a_sitting_gets_its_totals_when_it_ends(session):
    quiz = plan()
    for minute, right in ((0, True), (1, False), (2, True)):
        answer(session, quiz, f"q{minute}", minute=minute, right=right)
    end_study_session(session, session_id=quiz.session_id, now=NOW + timedelta(minutes=3))
    session.expire_all()
    row = session.get(StudySession, quiz.session_id)
    assert (row.answered, row.correct, row.points) == (3, 2, 1800)
    assert row.ended_at == NOW + timedelta(minutes=3)
