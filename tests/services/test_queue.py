"""What to study next and today's numbers, on the real Postgres."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from studygame.domain.attempt import NewAttempt
from studygame.domain.celebration import BestScope
from studygame.domain.modes import Mode
from studygame.models import StudySession
from studygame.services.learner import LearnerPreferences
from studygame.services.queue import (
    new_card_candidates,
    new_cards_met_today,
    next_review_card,
    personal_best,
    today_summary,
)
from studygame.services.study import (
    Recorded,
    override_verdict,
    record_attempt,
    undo_attempt,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
BANK = [f"q{i}" for i in range(6)]


def answer(session, question_id, at, *, rating=3, mode="quiz", points=700, session_id=None):
    attempt = NewAttempt(
        id=uuid.uuid4(),
        session_id=session_id,
        question_id=question_id,
        deck="Deck",
        topic=None,
        mode=mode,
        given_answer="x",
        is_correct=rating > 1,
        rating=rating,
        response_ms=3000,
        points=points,
        answered_at=at,
    )
    assert record_attempt(session, attempt=attempt, desired_retention=0.9) is Recorded.SAVED


def next_card(session, *, now=NOW, timezone="UTC", limit=20, bank=BANK):
    return next_review_card(
        session, question_ids=bank, now=now, timezone=timezone, new_cards_per_day=limit
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_review_takes_the_most_overdue_card_first(session):
    # Answered Again long ago, each becomes due minutes later: q2 earliest.
    answer(session, "q1", NOW - timedelta(days=3), rating=1)
    answer(session, "q2", NOW - timedelta(days=5), rating=1)
    answer(session, "q3", NOW - timedelta(days=1), rating=1)
    first = next_card(session)
    assert (first.question_id, first.is_new, first.due) == ("q2", False, 3)


def test_review_offers_new_cards_in_bank_order_once_nothing_is_due(session):
    answer(session, "q0", NOW - timedelta(days=1), rating=4)  # Easy: due in days
    result = next_card(session)
    assert (result.question_id, result.is_new, result.due) == ("q1", True, 0)


def test_cards_outside_the_bank_are_neither_due_nor_new(session):
    answer(session, "gone", NOW - timedelta(days=5), rating=1)
    result = next_card(session, bank=["q1"])
    assert (result.question_id, result.is_new, result.due, result.new_left) == ("q1", True, 0, 1)


def test_the_daily_new_card_limit_counts_first_answers_today(session):
    answer(session, "q0", NOW - timedelta(days=1), rating=4)  # met yesterday: not today's
    answer(session, "q1", NOW - timedelta(hours=2), rating=4)
    answer(session, "q1", NOW - timedelta(hours=1), rating=4)  # the second answer is not new
    answer(session, "q2", NOW - timedelta(hours=1), rating=4)
    assert new_cards_met_today(session, now=NOW, timezone="UTC") == 2
    assert next_card(session, limit=3).new_left == 1
    done = next_card(session, limit=2)
    assert (done.question_id, done.new_left) == (None, 0)
    assert done.next_due_at is not None and done.next_due_at > NOW


def test_cram_neither_uses_the_new_card_limit_nor_makes_a_card_seen(session):
    answer(session, "q0", NOW - timedelta(hours=1), mode="cram")
    assert new_cards_met_today(session, now=NOW, timezone="UTC") == 0
    result = next_card(session, limit=1)
    assert (result.question_id, result.is_new, result.new_left) == ("q0", True, 1)


def test_new_today_follows_the_learner_timezone_across_midnight(session):
    # 23:30 UTC on the 24th is already the 25th in Paris, still the 24th in New York.
    answer(session, "q0", datetime(2026, 11, 24, 23, 30, tzinfo=UTC), rating=4)
    assert new_cards_met_today(session, now=NOW, timezone="Europe/Paris") == 1
    assert new_cards_met_today(session, now=NOW, timezone="UTC") == 0
    assert new_cards_met_today(session, now=NOW, timezone="America/New_York") == 0


def test_nothing_left_reports_when_the_next_card_comes_due(session):
    answer(session, "q0", NOW - timedelta(minutes=1), rating=4)
    result = next_card(session, bank=["q0"])
    assert result.question_id is None
    assert result.next_due_at > NOW


def test_today_summary(session):
    for days_ago in (3, 2, 1):
        answer(session, f"q{days_ago}", NOW - timedelta(days=days_ago), rating=1, points=0)
    answer(session, "q0", NOW - timedelta(hours=1), rating=4, points=900)
    answer(session, "q0", NOW - timedelta(minutes=5), mode="cram", points=800)
    preferences = LearnerPreferences(daily_goal=10, new_cards_per_day=3)
    summary = today_summary(session, question_ids=BANK, now=NOW, preferences=preferences)
    assert summary.due == 3  # the three cards answered Again on earlier days
    assert summary.new_left == 2  # q0 was met today; q4, q5 remain
    assert (summary.answered_today, summary.daily_goal) == (2, 10)
    assert (summary.current_streak, summary.best_streak) == (4, 4)  # three days ago to today
    assert summary.xp == 1700


def test_today_summary_before_any_answer(session):
    summary = today_summary(session, question_ids=BANK, now=NOW, preferences=LearnerPreferences())
    assert summary.due == 0
    assert summary.new_left == 6
    assert (summary.answered_today, summary.current_streak, summary.best_streak, summary.xp) == (
        0,
        0,
        0,
        0,
    )


def sitting(session, mode: Mode, points: int, *, questions: int = 0, seconds=None) -> uuid.UUID:
    """An ended sitting of this size with these points; its id."""
    plan = {"question_ids": [f"q{n}" for n in range(questions)], "seconds": seconds}
    row = StudySession(
        id=uuid.uuid4(), started_at=NOW, ended_at=NOW, mode=mode, points=points, plan=plan
    )
    session.add(row)
    session.flush()
    return row.id


def test_personal_best_compares_like_with_like_but_the_current_sitting(session):
    assert personal_best(session, scope=BestScope(Mode.SPEED, seconds=60)) == 0
    sitting(session, Mode.SPEED, 1200, questions=40, seconds=60)
    latest = sitting(session, Mode.SPEED, 3400, questions=90, seconds=60)
    sitting(session, Mode.SPEED, 8000, questions=40, seconds=120)
    sitting(session, Mode.QUIZ, 1500, questions=10)
    sitting(session, Mode.QUIZ, 9000, questions=50)
    sitting(session, Mode.REVIEW, 700)
    assert personal_best(session, scope=BestScope(Mode.SPEED, seconds=60)) == 3400
    assert personal_best(session, scope=BestScope(Mode.SPEED, seconds=120)) == 8000
    assert (
        personal_best(session, scope=BestScope(Mode.SPEED, seconds=60), exclude_session_id=latest)
        == 1200
    )
    assert personal_best(session, scope=BestScope(Mode.QUIZ, questions=10)) == 1500
    assert personal_best(session, scope=BestScope(Mode.QUIZ, questions=50)) == 9000
    assert personal_best(session, scope=BestScope(Mode.QUIZ, questions=20)) == 0
    assert personal_best(session, scope=BestScope(Mode.REVIEW)) == 700


def test_new_card_candidates_are_unseen_questions_in_bank_order(session):
    for qid in ("q0", "q1", "q3"):
        answer(session, qid, NOW - timedelta(days=1), rating=4)
    assert new_card_candidates(session, question_ids=BANK, limit=2) == ["q2", "q4"]
    assert new_card_candidates(session, question_ids=BANK, limit=10) == ["q2", "q4", "q5"]
    assert new_card_candidates(session, question_ids=BANK, limit=0) == []


def test_a_sitting_rechecks_only_its_candidates(session):
    candidates = new_card_candidates(session, question_ids=BANK, limit=3)
    assert candidates == ["q0", "q1", "q2"]
    answer(session, "q0", NOW - timedelta(minutes=5), rating=4)  # met in this sitting
    answer(session, "q5", NOW - timedelta(minutes=4), rating=4)  # met in a quiz meanwhile
    result = next_review_card(
        session,
        question_ids=BANK,
        now=NOW,
        timezone="UTC",
        new_cards_per_day=3,
        candidates=candidates,
    )
    # Two new cards met today of three allowed: one left, the first unseen candidate.
    assert (result.question_id, result.is_new, result.new_left) == ("q1", True, 1)


@pytest.mark.parametrize(
    ("timezone", "streak"), [("UTC", 2), ("Europe/Paris", 1), ("Asia/Tokyo", 1)]
)
def test_today_summary_counts_day_streaks_in_the_learner_timezone(session, timezone, streak):
    # 23:30 UTC on the 24th is the 25th in Paris and Tokyo: one local day there, two in UTC.
    answer(session, "q0", datetime(2026, 11, 24, 23, 30, tzinfo=UTC))
    answer(session, "q1", datetime(2026, 11, 25, 8, 0, tzinfo=UTC))
    preferences = LearnerPreferences(timezone=timezone)
    summary = today_summary(session, question_ids=BANK, now=NOW, preferences=preferences)
    assert (summary.current_streak, summary.answered_today) == (streak, 2 if streak == 1 else 1)


def test_xp_follows_undo_and_i_was_right(session):
    preferences = LearnerPreferences()

    def xp() -> int:
        return today_summary(session, question_ids=BANK, now=NOW, preferences=preferences).xp

    wrong = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id="q1", deck="Deck", topic="T", mode="quiz",
        given_answer="pariss", is_correct=False, rating=1, response_ms=3000, points=0,
        answered_at=NOW - timedelta(minutes=2),
    )  # fmt: skip
    record_attempt(session, attempt=wrong, desired_retention=0.9)
    answer(session, "q2", NOW - timedelta(minutes=1), points=650)
    assert xp() == 650
    override_verdict(
        session, attempt_id=wrong.id, is_correct=True, rating=3, points=800,
        desired_retention=0.9,
    )  # fmt: skip
    assert xp() == 1450
    undo_attempt(session, attempt_id=wrong.id, desired_retention=0.9)
    assert xp() == 650
