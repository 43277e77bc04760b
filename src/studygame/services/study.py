"""The write path: sittings, answers (with their card state), undo and the learner's override."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.attempt import NewAttempt
from studygame.domain.modes import SCHEDULING, UNSCHEDULED, values
from studygame.domain.scheduling import review
from studygame.models import Attempt, StudySession
from studygame.services.schedule import (
    applied_parameters,
    load_card,
    parameters_or_default,
    rebuild_card_states,
    save_card,
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
    problem = attempt.time_problem(now=now or datetime.now(UTC))
    if problem is not None:
        raise AnswerRefused(problem)
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
