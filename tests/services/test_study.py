"""The write path on the real Postgres: one answer = one attempt + its card state."""

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from studygame.domain.attempt import NewAttempt
from studygame.domain.rating import Rating
from studygame.models import Attempt, CardState, StudySession
from studygame.services.schedule import rebuild_card_states
from studygame.services.study import (
    AnswerRefused,
    Recorded,
    override_verdict,
    record_attempt,
    undo_attempt,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RETENTION = 0.9


def answer(
    question_id="geo-001", *, rating=Rating.GOOD, at=NOW, mode="quiz", session_id=None, **kw
):
    values = {
        "id": uuid.uuid4(),
        "session_id": session_id,
        "question_id": question_id,
        "deck": "Geography",
        "topic": "Capitals",
        "mode": mode,
        "given_answer": "Paris",
        "is_correct": rating > Rating.AGAIN,
        "rating": rating,
        "response_ms": 4200,
        "points": 790 if rating > Rating.AGAIN else 0,
        "answered_at": at,
    }
    return NewAttempt(**{**values, **kw})


def card_of(session, question_id="geo-001") -> CardState | None:
    session.expire_all()
    return session.get(CardState, question_id)


def count_attempts(session) -> int:
    return session.scalar(select(func.count()).select_from(Attempt))


def test_an_answer_writes_one_attempt_and_its_card_state(session):
    assert record_attempt(session, attempt=answer(), desired_retention=RETENTION) is Recorded.SAVED
    assert count_attempts(session) == 1
    card = card_of(session)
    assert card.reps == 1 and card.last_review == NOW and card.deck == "Geography"
    stored = session.scalar(select(Attempt))
    assert stored.source == "app" and stored.answered_at == NOW


def test_a_retried_write_of_the_same_id_is_a_no_op(session):
    first = answer()
    assert record_attempt(session, attempt=first, desired_retention=RETENTION) is Recorded.SAVED
    card_after_first = card_of(session).reps
    assert (
        record_attempt(session, attempt=first, desired_retention=RETENTION)
        is Recorded.ALREADY_SAVED
    )
    assert count_attempts(session) == 1
    assert card_of(session).reps == card_after_first


def test_cram_is_recorded_but_leaves_the_schedule_alone(session):
    record_attempt(session, attempt=answer(mode="cram"), desired_retention=RETENTION)
    assert count_attempts(session) == 1
    assert card_of(session) is None


def test_undo_removes_the_attempt_and_restores_the_previous_card_state(session):
    record_attempt(session, attempt=answer(rating=Rating.EASY), desired_retention=RETENTION)
    before = card_of(session)
    snapshot = (before.state, before.due, before.stability, before.reps)
    last = answer(rating=Rating.AGAIN, at=before.due + timedelta(hours=1))
    record_attempt(session, attempt=last, desired_retention=RETENTION)
    assert card_of(session).lapses == 1
    assert undo_attempt(session, attempt_id=last.id, desired_retention=RETENTION)
    after = card_of(session)
    assert (after.state, after.due, after.stability, after.reps) == snapshot
    assert after.lapses == 0
    assert count_attempts(session) == 1


def test_undoing_the_only_answer_forgets_the_card(session):
    only = answer()
    record_attempt(session, attempt=only, desired_retention=RETENTION)
    undo_attempt(session, attempt_id=only.id, desired_retention=RETENTION)
    assert card_of(session) is None and count_attempts(session) == 0
    assert not undo_attempt(session, attempt_id=only.id, desired_retention=RETENTION)


def test_i_was_right_rewrites_the_attempt_and_its_schedule(session):
    wrong = answer(rating=Rating.AGAIN, given_answer="Pariss")
    record_attempt(session, attempt=wrong, desired_retention=RETENTION)
    due_when_wrong = card_of(session).due
    assert override_verdict(
        session, attempt_id=wrong.id, is_correct=True, rating=Rating.GOOD, points=790,
        desired_retention=RETENTION,
    )  # fmt: skip
    stored = session.get(Attempt, wrong.id)
    assert stored.is_correct and stored.rating == Rating.GOOD and stored.points == 790
    assert card_of(session).due > due_when_wrong


def test_a_late_answer_older_than_the_last_review_is_replayed_in_order(session):
    early, late = answer(at=NOW), answer(at=NOW + timedelta(days=3), rating=Rating.HARD)
    record_attempt(session, attempt=late, desired_retention=RETENTION)
    record_attempt(session, attempt=early, desired_retention=RETENTION)
    live = card_of(session)
    rebuild_card_states(session, question_ids=["geo-001"], desired_retention=RETENTION)
    rebuilt = card_of(session)
    assert live.last_review == late.answered_at
    assert (live.due, live.stability, live.reps) == (rebuilt.due, rebuilt.stability, rebuilt.reps)


def test_rebuilding_every_card_gives_the_same_states_as_the_live_path(session):
    rng = random.Random(7)
    # Up to 375 days of answers: started a year before NOW, so they stay behind the
    # database's clock (its CHECK refuses answers ahead of it).
    clock = NOW - timedelta(days=400)
    for _ in range(300):
        clock += timedelta(minutes=rng.randint(1, 60 * 30))
        question = f"q-{rng.randint(1, 25):03d}"
        mode = rng.choice(["review", "quiz", "flashcards", "speed", "cram"])
        rating = rng.choice([Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD, Rating.EASY])
        record_attempt(
            session,
            attempt=answer(question, rating=rating, at=clock, mode=mode),
            desired_retention=RETENTION,
            now=clock,
        )
    columns = ("question_id", "state", "step", "stability", "difficulty", "due",
               "last_review", "reps", "lapses")  # fmt: skip

    def states():
        session.expire_all()
        cards = session.scalars(select(CardState).order_by(CardState.question_id))
        return [tuple(getattr(card, column) for column in columns) for card in cards]

    live = states()
    assert len(live) == 25
    assert rebuild_card_states(session, desired_retention=RETENTION) == 25
    assert states() == live


def test_an_answer_costs_three_statements_in_one_transaction(session):
    record_attempt(session, attempt=answer(), desired_retention=RETENTION)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        record_attempt(
            session, attempt=answer(at=NOW + timedelta(days=2)), desired_retention=RETENTION
        )
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    assert len(statements) == 3, statements


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"mode": "party"}, "Input should be 'review'"),
        ({"rating": 5}, "Input should be 1, 2, 3 or 4"),
        ({"answered_at": datetime(2026, 1, 1)}, "timezone info"),
        ({"question_id": "q" * 65}, "at most 64 characters"),
        ({"response_ms": -1}, "greater than or equal to 0"),
    ],
)
def test_a_malformed_attempt_is_refused_before_any_write(change, problem):
    with pytest.raises(ValueError, match=problem):
        NewAttempt(**{**answer().model_dump(), **change})


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), "dated 0001-01-01, before 2000-01-01"),
        (datetime(1999, 12, 31, 23, 59, tzinfo=UTC), "before 2000-01-01"),
        (NOW + timedelta(minutes=11), "more than 10 minutes ahead of the server's clock"),
        (NOW + timedelta(days=60), "more than 10 minutes ahead"),
    ],
)
def test_an_answer_from_another_time_is_refused_and_nothing_is_written(session, at, problem):
    with pytest.raises(AnswerRefused, match=problem):
        record_attempt(session, attempt=answer(at=at), desired_retention=RETENTION, now=NOW)
    assert session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert session.scalar(select(func.count()).select_from(CardState)) == 0


def test_a_device_clock_a_few_minutes_ahead_is_still_believed(session):
    at = NOW + timedelta(minutes=9)
    saved = record_attempt(session, attempt=answer(at=at), desired_retention=RETENTION, now=NOW)
    assert saved is Recorded.SAVED


def test_a_card_answered_in_another_tab_since_it_was_shown_is_not_answered_twice(session):
    shown = NOW - timedelta(seconds=30)  # both tabs showed the card then
    first = answer(rating=Rating.GOOD, at=NOW, shown_at=shown, mode="review")
    second = answer(rating=Rating.AGAIN, at=NOW + timedelta(seconds=5), shown_at=shown)

    assert record_attempt(session, attempt=first, desired_retention=RETENTION) is Recorded.SAVED
    outcome = record_attempt(session, attempt=second, desired_retention=RETENTION)

    assert outcome is Recorded.ANSWERED_ELSEWHERE
    assert session.scalars(select(Attempt.id)).all() == [first.id]
    assert card_of(session).reps == 1


def test_a_card_shown_again_after_its_answer_is_answered_again(session):
    first = answer(at=NOW, shown_at=NOW - timedelta(seconds=3))
    again = answer(at=NOW + timedelta(minutes=2), shown_at=NOW + timedelta(minutes=1))
    for attempt in (first, again):
        saved = record_attempt(session, attempt=attempt, desired_retention=RETENTION)
        assert saved is Recorded.SAVED
    assert card_of(session).reps == 2


def test_an_answer_makes_its_sitting_which_started_at_its_earliest_answer(session):
    sitting = uuid.uuid4()
    for minute in (5, 1, 3):  # arriving out of order, as a late outbox replays them
        record_attempt(
            session,
            attempt=answer(f"q{minute}", at=NOW + timedelta(minutes=minute), session_id=sitting),
            desired_retention=RETENTION,
        )
    session.expire_all()
    row = session.get(StudySession, sitting)
    assert (row.mode, row.started_at, row.ended_at) == ("quiz", NOW + timedelta(minutes=1), None)
