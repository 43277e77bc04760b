"""The write path: sittings, answers (with their card state), undo and the learner's override."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.attempt import NewAttempt
from studygame.domain.modes import SCHEDULING, UNSCHEDULED, values
from studygame.domain.scheduling import CardSnapshot, replay, review
from studygame.models import Attempt, CardState, StudySession
from studygame.services.schedule import (
    applied_parameters,
    card_values,
    current_parameters,
    load_card,
    parameters_or_default,
    rebuild_card_states,
    save_card,
    snapshot,
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


def record_attempts(
    session: Session,
    *,
    attempts: Sequence[NewAttempt],
    desired_retention: float,
    now: datetime | None = None,
) -> list[Recorded]:
    """Save a batch of answers as `record_attempt` would one by one in time order.

    For the outbox's backlog: a few statements for the whole batch instead of a few per
    answer. One refused answer refuses the batch (AnswerRefused, or the database's error):
    the caller then records them one by one. Returns what happened to each, in the order
    given.
    """
    _refuse_another_time(attempts, now=now or datetime.now(UTC))
    in_order = sorted(attempts, key=lambda a: a.answered_at)
    _open_sittings(session, [a for a in in_order if a.session_id is not None])
    scheduled = [a for a in in_order if a.mode in SCHEDULING]
    # Locked in one order, so two batches (or a batch and a tab) never wait on each other.
    cards = {
        row.question_id: snapshot(row)
        for row in session.scalars(
            select(CardState)
            .where(CardState.question_id.in_({a.question_id for a in scheduled}))
            .order_by(CardState.question_id)
            .with_for_update()
        )
    }
    outcome = {a.id: Recorded.SAVED for a in in_order}
    for attempt in _answered_elsewhere(session, scheduled):
        outcome[attempt.id] = Recorded.ANSWERED_ELSEWHERE
    rows = [
        {**a.model_dump(exclude={"shown_at"}), "source": "app"}
        for a in in_order
        if outcome[a.id] is Recorded.SAVED
    ]
    inserted = set()
    if rows:
        inserted = set(
            session.scalars(
                dialect_insert(session)(Attempt)
                .values(rows)
                .on_conflict_do_nothing(index_elements=[Attempt.id])
                .returning(Attempt.id)
            )
        )
    for row in rows:
        if row["id"] not in inserted:
            outcome[row["id"]] = Recorded.ALREADY_SAVED
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
        select(Attempt.question_id, Attempt.answered_at, Attempt.id).where(
            Attempt.question_id.in_({a.question_id for a in shown}),
            Attempt.mode.in_(values(SCHEDULING)),
            Attempt.answered_at > min(a.shown_at for a in shown),
        )
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
    moved = [
        card_values(
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
        upsert = dialect_insert(session)(CardState).values(moved)
        session.execute(
            upsert.on_conflict_do_update(
                index_elements=[CardState.question_id],
                set_={k: upsert.excluded[k] for k in moved[0] if k != "question_id"},
            )
        )


def _open_sittings(session: Session, attempts: list[NewAttempt]) -> None:
    # One row per sitting (an upsert may touch a row once), in one order (see the cards).
    first: dict[uuid.UUID, NewAttempt] = {}
    for attempt in attempts:
        first.setdefault(attempt.session_id, attempt)
    for session_id in sorted(first, key=str):
        _open_sitting(session, first[session_id])


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
