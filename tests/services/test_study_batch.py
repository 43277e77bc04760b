"""record_attempts: a batch of answers ends exactly as recording them one by one in time order."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from studygame.domain.attempt import NewAttempt
from studygame.models import Attempt, CardState, StudySession
from studygame.services.study import AnswerRefused, Recorded, record_attempt, record_attempts

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RETENTION = 0.9
SERVER_NOW = NOW + timedelta(hours=1)  # the server's clock when the batch arrives


def answer(question_id: str, *, minute: int, rating: int = 3, mode: str = "review", **more):
    return NewAttempt(
        id=more.pop("id", uuid.uuid4()),
        session_id=more.pop("session_id", None),
        question_id=question_id,
        deck=more.pop("deck", "Geography"),
        topic=None,
        mode=mode,
        given_answer="x",
        is_correct=rating > 1,
        rating=rating,
        response_ms=2000,
        points=0 if rating == 1 else 800,
        answered_at=NOW + timedelta(minutes=minute),
        **more,
    )


def what_the_database_holds(session, questions) -> tuple:
    """Attempts, cards and sittings of these questions, in a comparable form."""
    attempts = session.execute(
        select(Attempt.id, Attempt.session_id)
        .where(Attempt.question_id.in_(questions))
        .order_by(Attempt.id)
    ).all()
    cards = session.execute(
        select(
            CardState.question_id, CardState.deck, CardState.state, CardState.stability,
            CardState.difficulty, CardState.due, CardState.last_review, CardState.reps,
            CardState.lapses,
        )  # not updated_at: a card replayed from its history is stamped with the wall clock
        .where(CardState.question_id.in_(questions))
        .order_by(CardState.question_id)
    ).all()  # fmt: skip
    sittings = {row.session_id for row in attempts if row.session_id}
    started = session.execute(
        select(StudySession.id, StudySession.started_at, StudySession.mode)
        .where(StudySession.id.in_(sittings))
        .order_by(StudySession.id)
    ).all()
    return [tuple(r) for r in attempts], [tuple(r) for r in cards], [tuple(r) for r in started]


def test_a_batch_ends_as_one_by_one_in_time_order(session):
    q = [f"batch-{uuid.uuid4().hex[:6]}-{n}" for n in range(4)]
    sitting = uuid.uuid4()
    # Already in the database: a card reviewed at minute 20, an answer the batch replays.
    replayed = answer(q[0], minute=20)
    record_attempt(session, attempt=replayed, desired_retention=RETENTION)
    shown_early = answer(q[2], minute=5, rating=2, shown_at=NOW + timedelta(minutes=1))
    batch = [
        answer(q[1], minute=3, rating=1, session_id=sitting),
        answer(q[0], minute=10, rating=2, session_id=sitting),  # older than the card: replayed
        replayed,  # already saved
        answer(q[1], minute=1, session_id=sitting, deck=None),  # out of order within the batch
        answer(q[2], minute=4, rating=4),  # answered in another tab while ...
        shown_early,  # ... this one was on screen: answered elsewhere
        answer(q[3], minute=2, mode="cram"),  # practice: recorded, no card
        answer(q[1], minute=6, rating=3, shown_at=NOW + timedelta(minutes=5)),
    ]

    one_by_one = session.begin_nested()
    expected = [
        record_attempt(session, attempt=a, desired_retention=RETENTION, now=SERVER_NOW)
        for a in sorted(batch, key=lambda a: a.answered_at)
    ]
    expected = dict(zip(sorted(batch, key=lambda a: a.answered_at), expected, strict=True))
    held_one_by_one = what_the_database_holds(session, q)
    one_by_one.rollback()

    recorded = record_attempts(session, attempts=batch, desired_retention=RETENTION, now=SERVER_NOW)

    assert recorded == [expected[a] for a in batch]
    assert recorded[2] is Recorded.ALREADY_SAVED
    assert recorded[5] is Recorded.ANSWERED_ELSEWHERE
    assert what_the_database_holds(session, q) == held_one_by_one


def test_a_batch_with_an_answer_from_another_time_is_refused_whole(session):
    q = f"batch-{uuid.uuid4().hex[:6]}"
    batch = [answer(q, minute=0), answer(q, minute=1).model_copy(
        update={"answered_at": datetime(1999, 1, 1, tzinfo=UTC)}
    )]  # fmt: skip
    with pytest.raises(AnswerRefused, match="before 2000-01-01"):
        record_attempts(session, attempts=batch, desired_retention=RETENTION, now=SERVER_NOW)
    assert session.scalars(select(Attempt.id).where(Attempt.question_id == q)).all() == []


def statements_of_a_batch(session, *, answers: int, sittings: int) -> list[str]:
    """The statements one batch of answers (over a few cards and sittings) sends."""
    q = [f"batch-{uuid.uuid4().hex[:6]}-{n}" for n in range(max(answers // 3, 1))]
    held = [uuid.uuid4() for _ in range(sittings)]
    record_attempt(session, attempt=answer(q[0], minute=0), desired_retention=RETENTION)
    batch = [
        answer(
            q[n % len(q)], minute=1 + n / 10, session_id=held[n % sittings],
            shown_at=NOW + timedelta(minutes=n / 10),
        )
        for n in range(answers)
    ]  # fmt: skip
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(session.get_bind(), "before_cursor_execute", listener)
    try:
        record_attempts(session, attempts=batch, desired_retention=RETENTION, now=SERVER_NOW)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", listener)
    return statements


def test_a_batch_sends_the_same_few_statements_whatever_its_size_and_sittings(session):
    small = statements_of_a_batch(session, answers=3, sittings=1)
    large = statements_of_a_batch(session, answers=300, sittings=12)
    # Sittings, card locks, answered elsewhere, answers, parameters, cards.
    assert len(large) == len(small) == 6, large
    # The same text each time: compiled once, and short enough for the driver's own cache.
    assert large == small


def test_a_batch_on_the_sqlite_development_file_is_recorded_one_by_one(sqlite_session):
    replayed = answer("q-dev", minute=0, session_id=uuid.uuid4())
    record_attempt(sqlite_session, attempt=replayed, desired_retention=RETENTION, now=SERVER_NOW)
    later = answer("q-dev", minute=5, rating=1, session_id=replayed.session_id)

    recorded = record_attempts(
        sqlite_session, attempts=[later, replayed], desired_retention=RETENTION, now=SERVER_NOW
    )

    assert recorded == [Recorded.SAVED, Recorded.ALREADY_SAVED]
    card = sqlite_session.scalars(select(CardState).where(CardState.question_id == "q-dev")).one()
    assert (card.reps, card.lapses) == (2, 0)
