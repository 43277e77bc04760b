"""The write path: sittings, answers (with their card state), undo and the learner's override."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Integer, cast, delete, func, select, update
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.scheduling import review
from studygame.models import Attempt, StudySession
from studygame.services.schedule import (
    UNSCHEDULED_MODES,
    applied_parameters,
    load_card,
    parameters_or_default,
    rebuild_card_states,
    save_card,
)

MODES = ("review", "quiz", "flashcards", "speed", "cram")


@dataclass(frozen=True)
class NewAttempt:
    """An answer as the app made it: the id exists before the write, so a retry is a no-op."""

    id: uuid.UUID
    session_id: uuid.UUID | None
    question_id: str
    deck: str | None
    topic: str | None
    mode: str
    given_answer: str | None
    is_correct: bool
    rating: int
    response_ms: int | None
    points: int
    answered_at: datetime

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; expected one of {', '.join(MODES)}")
        if not 1 <= self.rating <= 4:
            raise ValueError(f"rating must be 1 to 4, not {self.rating}")
        if self.answered_at.tzinfo is None:
            raise ValueError("answered_at must be timezone-aware")


def start_study_session(session: Session, *, mode: str, now: datetime) -> uuid.UUID:
    """Open a sitting in one mode; its counts are filled in when it ends."""
    sitting = StudySession(id=uuid.uuid4(), started_at=now, mode=mode)
    session.add(sitting)
    session.flush()
    return sitting.id


def end_study_session(session: Session, *, session_id: uuid.UUID, now: datetime) -> None:
    """Close a sitting and store its answered / correct / points totals."""
    answered, correct, points = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(cast(Attempt.is_correct, Integer)), 0),
            func.coalesce(func.sum(Attempt.points), 0),
        ).where(Attempt.session_id == session_id)
    ).one()
    session.execute(
        update(StudySession)
        .where(StudySession.id == session_id)
        .values(ended_at=now, answered=answered, correct=correct, points=points)
    )


def record_attempt(session: Session, *, attempt: NewAttempt, desired_retention: float) -> bool:
    """Save one answer and move its card; False when this attempt id was already saved.

    Three statements: insert the attempt (a replayed id inserts nothing), lock the card
    state, upsert it. The caller's transaction makes the pair all-or-nothing.
    """
    inserted = session.execute(
        dialect_insert(session)(Attempt)
        .values(**asdict(attempt), source="app")
        .on_conflict_do_nothing(index_elements=[Attempt.id])
        .returning(Attempt.id, applied_parameters())
    ).first()
    if inserted is None:
        return False
    if attempt.mode in UNSCHEDULED_MODES:
        return True
    card = load_card(session, question_id=attempt.question_id)
    if card is not None and card.last_review and attempt.answered_at < card.last_review:
        # An answer older than the card's last review (an outbox flushed late): replay
        # the question's history in time order instead of appending out of order.
        rebuild_card_states(
            session, question_ids=[attempt.question_id], desired_retention=desired_retention
        )
        return True
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
    return True


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
    if answer.mode not in UNSCHEDULED_MODES:
        rebuild_card_states(
            session, question_ids=[answer.question_id], desired_retention=desired_retention
        )
