"""What to study next, and today at a glance: SQL aggregates over card states and attempts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy import distinct, exists, func, select
from sqlalchemy.orm import Session, aliased

from studygame.db import json_array_length
from studygame.domain.celebration import BestScope
from studygame.domain.days import day_start
from studygame.domain.modes import UNSCHEDULED, values
from studygame.models import Attempt, CardState, StudySession, TopicTotal
from studygame.services.learner import LearnerPreferences
from studygame.services.progress import day_streaks

# Cards of questions removed from the bank are skipped; this many is plenty to find one.
NEXT_DUE_LOOKAHEAD = 100


@dataclass(frozen=True)
class ReviewNext:
    """The next card to review (None when done for now) and the counts shown above it."""

    question_id: str | None
    is_new: bool
    due: int  # cards of the bank due now
    new_left: int  # new cards still to meet today: the daily limit minus those met, if unseen
    next_due_at: datetime | None  # when nothing is due now: when the next card comes due


@dataclass(frozen=True)
class TodaySummary:
    """Home's numbers: due, new, goal progress, day streaks, XP."""

    due: int
    new_left: int
    answered_today: int
    daily_goal: int
    current_streak: int
    best_streak: int
    xp: int


def new_card_candidates(session: Session, *, question_ids: Sequence[str], limit: int) -> list[str]:
    """Up to `limit` questions of the bank (in bank order) that have no card state yet."""
    if limit <= 0:
        return []
    # One read of every card's id (20k ids: ~15 ms) beats sending the bank to SQL as an IN
    # list; a Review sitting does this once and then rechecks only the few it picked.
    seen = set(session.scalars(select(CardState.question_id)))
    return list(islice((qid for qid in question_ids if qid not in seen), limit))


def next_review_card(
    session: Session,
    *,
    question_ids: Sequence[str],
    now: datetime,
    timezone: str,
    new_cards_per_day: int,
    candidates: Sequence[str] | None = None,
) -> ReviewNext:
    """The most overdue card of the bank, else the next new one within today's limit.

    `candidates` are new_card_candidates() from the start of the sitting, so that each
    next card rechecks a few ids instead of scanning the whole bank; None scans now.
    """
    bank = set(question_ids)
    due_ids = _due_in_bank(session, bank, now)
    allowance = max(new_cards_per_day - new_cards_met_today(session, now=now, timezone=timezone), 0)
    if candidates is None:
        new_ids = new_card_candidates(session, question_ids=question_ids, limit=allowance)
    else:
        new_ids = _still_new(session, [qid for qid in candidates if qid in bank])[:allowance]
    if due_ids:
        return ReviewNext(due_ids[0], False, len(due_ids), len(new_ids), None)
    if new_ids:
        return ReviewNext(new_ids[0], True, 0, len(new_ids), None)
    return ReviewNext(None, False, 0, 0, _next_due_at(session, bank, now))


def today_summary(
    session: Session,
    *,
    question_ids: Sequence[str],
    now: datetime,
    preferences: LearnerPreferences,
) -> TodaySummary:
    """Today at a glance, in the learner's timezone."""
    timezone = preferences.timezone
    answered_today = answers_today(session, now=now, timezone=timezone)
    xp = session.scalar(select(func.coalesce(func.sum(TopicTotal.points), 0)))
    met = new_cards_met_today(session, now=now, timezone=timezone)
    allowance = max(preferences.new_cards_per_day - met, 0)
    streaks = day_streaks(session, timezone=timezone, now=now)
    return TodaySummary(
        due=len(_due_in_bank(session, set(question_ids), now)),
        new_left=len(new_card_candidates(session, question_ids=question_ids, limit=allowance)),
        answered_today=answered_today,
        daily_goal=preferences.daily_goal,
        current_streak=streaks.current,
        best_streak=streaks.best,
        xp=int(xp),
    )


def answers_today(session: Session, *, now: datetime, timezone: str) -> int:
    """How many answers were given today (the learner's local day), every mode counted."""
    start = day_start(now, timezone)
    return session.scalar(
        select(func.count()).select_from(Attempt).where(Attempt.answered_at >= start)
    )


def personal_best(session: Session, *, scope: BestScope, exclude_session_id=None) -> int:
    """The best sitting's points in this scope (0 before any), leaving out the one being played.

    The scope's length is read from each sitting's stored plan (`Plan.to_json`).
    """
    best = select(func.max(StudySession.points)).where(StudySession.mode == scope.mode)
    if scope.questions is not None:
        count = json_array_length(session, StudySession.plan, "question_ids")
        best = best.where(count == scope.questions)
    if scope.seconds is not None:
        best = best.where(StudySession.plan["seconds"].as_integer() == scope.seconds)
    if exclude_session_id is not None:
        best = best.where(StudySession.id != exclude_session_id)
    return session.scalar(best) or 0


def new_cards_met_today(session: Session, *, now: datetime, timezone: str) -> int:
    """How many questions had their first scheduled answer ever today (local day)."""
    start = day_start(now, timezone)
    earlier = aliased(Attempt)
    answered_before = exists().where(
        earlier.question_id == Attempt.question_id,
        earlier.answered_at < start,
        earlier.mode.not_in(values(UNSCHEDULED)),
    )
    return session.scalar(
        select(func.count(distinct(Attempt.question_id))).where(
            Attempt.answered_at >= start,
            Attempt.mode.not_in(values(UNSCHEDULED)),
            ~answered_before,
        )
    )


def _due_in_bank(session: Session, bank: set[str], now: datetime) -> list[str]:
    # Due cards are few; filtering them in Python spares sending the whole bank to SQL.
    due = session.scalars(
        select(CardState.question_id)
        .where(CardState.due <= now)
        .order_by(CardState.due, CardState.question_id)
    )
    return [qid for qid in due if qid in bank]


def _still_new(session: Session, question_ids: list[str]) -> list[str]:
    seen = set(
        session.scalars(
            select(CardState.question_id).where(CardState.question_id.in_(question_ids))
        )
    )
    return [qid for qid in question_ids if qid not in seen]


def _next_due_at(session: Session, bank: set[str], now: datetime) -> datetime | None:
    upcoming = session.execute(
        select(CardState.question_id, CardState.due)
        .where(CardState.due > now)
        .order_by(CardState.due)
        .limit(NEXT_DUE_LOOKAHEAD)
    )
    return next((due for qid, due in upcoming if qid in bank), None)
