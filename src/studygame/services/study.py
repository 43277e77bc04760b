"""The write path: sittings, answers (with their card state), undo and the learner's override."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import String, any_, bindparam, delete, exists, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.attempt import NewAttempt
from studygame.domain.modes import SCHEDULING, UNSCHEDULED, values
from studygame.domain.scheduling import CardSnapshot, replay, review
from studygame.models import Attempt, StudySession
from studygame.services.schedule import (
    applied_parameters,
    as_arrays,
    card_row,
    current_parameters,
    load_card,
    lock_cards,
    parameters_or_default,
    rebuild_card_states,
    save_card,
    save_cards,
    unnest,
)


class Recorded(StrEnum):
    """What `record_attempt` did with an answer."""

    SAVED = "saved"
    ALREADY_SAVED = "already saved"  # a replay of an answer that had reached the database
    ANSWERED_ELSEWHERE = "answered elsewhere"  # the card was answered since it was shown


class AnswerRefused(ValueError):
    """An answer the database must never hold (its time is outside the believable window)."""


def record_attempt(
    session: Session, *, attempt: NewAttempt, desired_retention: float, now: datetime | None = None
) -> Recorded:
    """Save one answer with its sitting and move its card, in the caller's one transaction.

    The sitting's row is made by the first answer that names it (so an answer never
    arrives without it); the card is locked before the answer is written, so two tabs
    answering one card are taken one after the other, and the second is not recorded.
    A replayed id inserts nothing. `now` (the server's clock) bounds the answer's time.
    """
    _refuse_another_time([attempt], now=now or datetime.now(UTC))
    if attempt.session_id is not None:
        _open_sitting(session, attempt)
    card = None
    if attempt.mode in SCHEDULING:
        card = load_card(session, question_id=attempt.question_id)
        if _answered_since_shown(session, attempt, card):
            return Recorded.ANSWERED_ELSEWHERE
    inserted = session.execute(
        dialect_insert(session)(Attempt)
        .values(**attempt.model_dump(exclude={"shown_at"}), source="app")
        .on_conflict_do_nothing(index_elements=[Attempt.id])
        .returning(Attempt.id, applied_parameters())
    ).first()
    if inserted is None:
        return Recorded.ALREADY_SAVED
    if attempt.mode not in SCHEDULING:
        return Recorded.SAVED
    if card is not None and card.last_review and attempt.answered_at < card.last_review:
        # An answer older than the card's last review (an outbox flushed late): replay
        # the question's history in time order instead of appending out of order.
        rebuild_card_states(
            session, question_ids=[attempt.question_id], desired_retention=desired_retention
        )
        return Recorded.SAVED
    after = review(
        card,
        rating=attempt.rating,
        now=attempt.answered_at,
        desired_retention=desired_retention,
        parameters=parameters_or_default(inserted[1]),
    )
    save_card(
        session,
        question_id=attempt.question_id,
        deck=attempt.deck,
        card=after,
        now=attempt.answered_at,
    )
    return Recorded.SAVED


# The batch's answers and sittings, one array per column (see `unnest`): statements whose
# text is the same for any batch.
_ANSWER_COLUMNS = ("id", "session_id", "question_id", "deck", "topic", "mode", "given_answer",
                   "is_correct", "rating", "response_ms", "points", "answered_at")  # fmt: skip
_ANSWER_TYPES = ("uuid", "uuid", "varchar", "varchar", "varchar", "varchar", "text", "bool",
                 "int2", "int4", "int4", "timestamptz")  # fmt: skip
_INSERT_ANSWERS = text(
    f"INSERT INTO attempts ({', '.join(_ANSWER_COLUMNS)}, source) "
    f"SELECT *, CAST(:source AS varchar) FROM {unnest(_ANSWER_COLUMNS, _ANSWER_TYPES)} "
    "ON CONFLICT (id) DO NOTHING RETURNING id"
)
_SITTING_COLUMNS = ("id", "started_at", "mode")
_OPEN_SITTINGS = text(
    f"INSERT INTO study_sessions ({', '.join(_SITTING_COLUMNS)}) "
    f"SELECT * FROM {unnest(_SITTING_COLUMNS, ('uuid', 'timestamptz', 'varchar'))} "
    # The sitting started no later than its earliest answer, whichever arrives first.
    "ON CONFLICT (id) DO UPDATE SET started_at = "
    "least(study_sessions.started_at, excluded.started_at)"
)
_ANSWERED_SINCE = select(Attempt.question_id, Attempt.answered_at, Attempt.id).where(
    Attempt.question_id == any_(bindparam("question_ids", type_=ARRAY(String))),
    Attempt.mode.in_(values(SCHEDULING)),
    Attempt.answered_at > bindparam("since"),
)


def record_attempts(
    session: Session,
    *,
    attempts: Sequence[NewAttempt],
    desired_retention: float,
    now: datetime | None = None,
) -> list[Recorded]:
    """Save a batch of answers as `record_attempt` would one by one in time order.

    For the outbox's backlog: six statements for the whole batch, whatever its size,
    instead of a few per answer. One refused answer refuses the batch (AnswerRefused, or
    the database's error): the caller then records them one by one. Returns what happened
    to each, in the order given.
    """
    now = now or datetime.now(UTC)
    _refuse_another_time(attempts, now=now)
    in_order = sorted(attempts, key=lambda a: a.answered_at)
    if session.get_bind().dialect.name != "postgresql":
        # SQLite (local development) has no arrays: the batch is what it stands for.
        done = {
            a.id: record_attempt(session, attempt=a, desired_retention=desired_retention, now=now)
            for a in in_order
        }
        return [done[a.id] for a in attempts]
    _open_sittings(session, [a for a in in_order if a.session_id is not None])
    scheduled = [a for a in in_order if a.mode in SCHEDULING]
    cards = lock_cards(session, question_ids=sorted({a.question_id for a in scheduled}))
    outcome = {a.id: Recorded.SAVED for a in in_order}
    for attempt in _answered_elsewhere(session, scheduled):
        outcome[attempt.id] = Recorded.ANSWERED_ELSEWHERE
    to_insert = [a for a in in_order if outcome[a.id] is Recorded.SAVED]
    inserted = set()
    if to_insert:
        rows = (
            (a.id, a.session_id, a.question_id, a.deck, a.topic, a.mode, a.given_answer,
             a.is_correct, a.rating, a.response_ms, a.points, a.answered_at)
            for a in to_insert
        )  # fmt: skip
        inserted = set(
            session.scalars(_INSERT_ANSWERS, {**as_arrays(_ANSWER_COLUMNS, rows), "source": "app"})
        )
    for attempt in to_insert:
        if attempt.id not in inserted:
            outcome[attempt.id] = Recorded.ALREADY_SAVED
    new = [a for a in scheduled if a.id in inserted]
    _move_cards(session, new, cards, desired_retention)
    return [outcome[a.id] for a in attempts]


def _answered_elsewhere(session: Session, scheduled: list[NewAttempt]) -> list[NewAttempt]:
    """The answers `record_attempt` would find answered since shown, taken in time order.

    One by one, an answer is refused when another answer to its card, recorded before
    it, lies between its showing and its answer (that one moved the card past the
    showing): answers already in the database, and those of this batch taken earlier.
    """
    shown = [a for a in scheduled if a.shown_at is not None]
    if not shown:
        return []
    recorded: dict[str, list[tuple[datetime, uuid.UUID]]] = {}
    for question_id, answered_at, attempt_id in session.execute(
        _ANSWERED_SINCE,
        {
            "question_ids": sorted({a.question_id for a in shown}),
            "since": min(a.shown_at for a in shown),
        },
    ):
        recorded.setdefault(question_id, []).append((answered_at, attempt_id))
    refused = []
    for attempt in scheduled:
        earlier = recorded.setdefault(attempt.question_id, [])
        if attempt.shown_at is not None and any(
            attempt.shown_at < at <= attempt.answered_at and other != attempt.id
            for at, other in earlier
        ):
            refused.append(attempt)
            continue
        earlier.append((attempt.answered_at, attempt.id))
    return refused


def _move_cards(
    session: Session,
    attempts: list[NewAttempt],
    cards: dict[str, CardSnapshot],
    desired_retention: float,
) -> None:
    """Apply these new answers (in time order) to their cards, in one statement; replay a
    card's history instead when one of them is older than its last review."""
    by_question: dict[str, list[NewAttempt]] = {}
    for attempt in attempts:
        by_question.setdefault(attempt.question_id, []).append(attempt)
    late = {
        question_id
        for question_id, answers in by_question.items()
        if question_id in cards
        and cards[question_id].last_review
        and answers[0].answered_at < cards[question_id].last_review
    }
    if late:
        rebuild_card_states(session, question_ids=late, desired_retention=desired_retention)
    parameters = current_parameters(session)
    # One replay per card: the engine takes all of a card's answers in one loop.
    moved = [
        card_row(
            question_id,
            answers[-1].deck,
            replay(
                cards.get(question_id),
                [(a.rating, a.answered_at) for a in answers],
                desired_retention=desired_retention,
                parameters=parameters,
            ),
            answers[-1].answered_at,
        )
        for question_id, answers in by_question.items()
        if question_id not in late
    ]
    if moved:
        save_cards(session, cards=moved)


def _open_sittings(session: Session, attempts: list[NewAttempt]) -> None:
    # One row per sitting (an upsert may touch a row once), in one order (see the cards).
    first: dict[uuid.UUID, NewAttempt] = {}
    for attempt in attempts:
        first.setdefault(attempt.session_id, attempt)
    if first:
        sittings = (
            (session_id, first[session_id].answered_at, first[session_id].mode)
            for session_id in sorted(first, key=str)
        )
        session.execute(_OPEN_SITTINGS, as_arrays(_SITTING_COLUMNS, sittings))


def _refuse_another_time(attempts: Sequence[NewAttempt], *, now: datetime) -> None:
    # The one check of the answer window on the write path, live or replayed.
    for attempt in attempts:
        problem = attempt.time_problem(now=now)
        if problem is not None:
            raise AnswerRefused(problem)


def _open_sitting(session: Session, attempt: NewAttempt) -> None:
    # The sitting started no later than its earliest answer, whichever arrives first.
    insert = dialect_insert(session)(StudySession).values(
        id=attempt.session_id, started_at=attempt.answered_at, mode=attempt.mode
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[StudySession.id],
            set_={"started_at": func.least(StudySession.started_at, insert.excluded.started_at)}
            if session.get_bind().dialect.name == "postgresql"
            else {"started_at": func.min(StudySession.started_at, insert.excluded.started_at)},
        )
    )


def _answered_since_shown(session: Session, attempt: NewAttempt, card) -> bool:
    """True when another answer to this card came in between its showing and this answer."""
    if attempt.shown_at is None or card is None or card.last_review is None:
        return False
    if card.last_review <= attempt.shown_at:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    Attempt.question_id == attempt.question_id,
                    Attempt.mode.not_in(values(UNSCHEDULED)),
                    Attempt.answered_at > attempt.shown_at,
                    Attempt.answered_at <= attempt.answered_at,
                    Attempt.id != attempt.id,
                )
            )
        )
    )


def undo_attempt(session: Session, *, attempt_id: uuid.UUID, desired_retention: float) -> bool:
    """Remove an answer and put its card back as it was before; False if it did not exist."""
    removed = session.execute(
        delete(Attempt).where(Attempt.id == attempt_id).returning(Attempt.question_id, Attempt.mode)
    ).first()
    if removed is None:
        return False
    _reschedule(session, removed, desired_retention)
    return True


def override_verdict(
    session: Session,
    *,
    attempt_id: uuid.UUID,
    is_correct: bool,
    rating: int,
    points: int,
    desired_retention: float,
) -> bool:
    """Rewrite an answer's verdict ("I was right") and reschedule its card to match."""
    changed = session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(is_correct=is_correct, rating=rating, points=points)
        .returning(Attempt.question_id, Attempt.mode)
    ).first()
    if changed is None:
        return False
    _reschedule(session, changed, desired_retention)
    return True


def _reschedule(session: Session, answer, desired_retention: float) -> None:
    # After a change to a question's history, replay it: the card is exactly as if the
    # answers had always been what they are now.
    if answer.mode not in values(UNSCHEDULED):
        rebuild_card_states(
            session, question_ids=[answer.question_id], desired_retention=desired_retention
        )
