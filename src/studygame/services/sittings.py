"""Sittings: one per run, holding its plan while it lasts, closed with its totals.

A sitting's row is made when a run starts with a plan (or by its first answer, for Review,
which follows the queue); while it is open, a page that lost its run (a reload, a server
restart) picks it up again from the plan and the answers it holds.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Integer, cast, func, select, update
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.modes import Mode
from studygame.domain.run import RESUMABLE_FOR, PastAnswer, Plan
from studygame.models import Attempt, StudySession


def start_sitting(session: Session, *, plan: Plan) -> None:
    """Open the sitting of a run that starts now, with its plan (a retry changes nothing)."""
    session.execute(
        dialect_insert(session)(StudySession)
        .values(id=plan.session_id, started_at=plan.started_at, mode=plan.mode, plan=plan.to_json())
        .on_conflict_do_nothing(index_elements=[StudySession.id])
    )


def open_sitting(
    session: Session, *, mode: Mode, now: datetime
) -> tuple[Plan, list[PastAnswer]] | None:
    """The newest sitting of this mode still open and recent enough to resume, with its answers.

    A planned run needs its stored plan; Review needs only the sitting. None when there is none.
    """
    since = now - RESUMABLE_FOR
    row = session.execute(
        select(StudySession.id, StudySession.started_at, StudySession.plan)
        .where(
            StudySession.mode == mode,
            StudySession.ended_at.is_(None),
            StudySession.started_at >= since,
            StudySession.source == "app",
        )
        .order_by(StudySession.started_at.desc())
        .limit(1)
    ).first()
    if row is None or (row.plan is None and not mode.follows_queue):
        return None
    plan = Plan.from_json(row.plan or {}, mode=mode, session_id=row.id, started_at=row.started_at)
    answers = [
        PastAnswer(question_id=a.question_id, is_correct=a.is_correct, points=a.points)
        for a in session.execute(
            select(Attempt.question_id, Attempt.is_correct, Attempt.points)
            .where(Attempt.session_id == row.id)
            .order_by(Attempt.answered_at, Attempt.id)
        )
    ]
    return plan, answers


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
