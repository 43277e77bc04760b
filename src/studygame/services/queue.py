"""What to study next, and today at a glance: SQL aggregates over card states and attempts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Date, cast, distinct, exists, func, select
from sqlalchemy.orm import Session, aliased

from studygame.domain.streaks import compute_streaks, local_date
from studygame.models import Attempt, CardState, StudySession
from studygame.services.learner import LearnerPreferences
from studygame.services.schedule import UNSCHEDULED_MODES


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


def day_start(now: datetime, timezone: str) -> datetime:
    """The UTC instant at which the learner's local day containing `now` began."""
    zone = ZoneInfo(timezone)
    return datetime.combine(local_date(now, timezone), time(0), tzinfo=zone).astimezone(UTC)


def next_review_card(
    session: Session,
    *,
    question_ids: Sequence[str],
    now: datetime,
    timezone: str,
    new_cards_per_day: int,
) -> ReviewNext:
    """The most overdue card of the bank, else the next new one within today's limit."""
    due = _count_due(session, question_ids, now)
    new_left, first_new = _new_cards(session, question_ids, now, timezone, new_cards_per_day)
    most_overdue = session.scalar(
        select(CardState.question_id)
        .where(CardState.due <= now, CardState.question_id.in_(question_ids))
        .order_by(CardState.due, CardState.question_id)
        .limit(1)
    )
    if most_overdue is not None:
        return ReviewNext(most_overdue, False, due, new_left, None)
    if first_new is not None:
        return ReviewNext(first_new, True, due, new_left, None)
    next_due_at = session.scalar(
        select(func.min(CardState.due)).where(CardState.question_id.in_(question_ids))
    )
    return ReviewNext(None, False, due, new_left, next_due_at)


def today_summary(
    session: Session,
    *,
    question_ids: Sequence[str],
    now: datetime,
    preferences: LearnerPreferences,
) -> TodaySummary:
    """Today at a glance, in the learner's timezone."""
    timezone = preferences.timezone
    start = day_start(now, timezone)
    answered_today, xp = session.execute(
        select(
            func.count().filter(Attempt.answered_at >= start),
            func.coalesce(func.sum(Attempt.points), 0),
        )
    ).one()
    new_left, _ = _new_cards(session, question_ids, now, timezone, preferences.new_cards_per_day)
    streaks = compute_streaks(
        active_local_days(session, timezone=timezone), today=local_date(now, timezone)
    )
    return TodaySummary(
        due=_count_due(session, question_ids, now),
        new_left=new_left,
        answered_today=answered_today,
        daily_goal=preferences.daily_goal,
        current_streak=streaks.current,
        best_streak=streaks.best,
        xp=int(xp),
    )


def active_local_days(session: Session, *, timezone: str) -> set[date]:
    """The learner's local calendar days with at least one answer."""
    if session.get_bind().dialect.name == "postgresql":
        local_day = cast(func.timezone(timezone, Attempt.answered_at), Date)
        return set(session.scalars(select(local_day).distinct()))
    # SQLite (local development) has no timezones: group by UTC hour, convert in Python.
    hours = session.scalars(
        select(func.strftime("%Y-%m-%d %H:00:00", Attempt.answered_at)).distinct()
    )
    return {
        local_date(datetime.fromisoformat(hour).replace(tzinfo=UTC), timezone) for hour in hours
    }


def speed_personal_best(session: Session, *, exclude_session_id=None) -> int:
    """The best speed-round score so far (0 before any), leaving out the round being played."""
    best = select(func.max(StudySession.points)).where(StudySession.mode == "speed")
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
        earlier.mode.not_in(UNSCHEDULED_MODES),
    )
    return session.scalar(
        select(func.count(distinct(Attempt.question_id))).where(
            Attempt.answered_at >= start,
            Attempt.mode.not_in(UNSCHEDULED_MODES),
            ~answered_before,
        )
    )


def _count_due(session: Session, question_ids: Sequence[str], now: datetime) -> int:
    return session.scalar(
        select(func.count()).where(CardState.due <= now, CardState.question_id.in_(question_ids))
    )


def _new_cards(
    session: Session,
    question_ids: Sequence[str],
    now: datetime,
    timezone: str,
    new_cards_per_day: int,
) -> tuple[int, str | None]:
    # New = in the bank with no card state; the daily limit counts first answers today.
    seen = set(
        session.scalars(
            select(CardState.question_id).where(CardState.question_id.in_(question_ids))
        )
    )
    unseen = [qid for qid in question_ids if qid not in seen]
    allowance = max(new_cards_per_day - new_cards_met_today(session, now=now, timezone=timezone), 0)
    new_left = min(allowance, len(unseen))
    return new_left, (unseen[0] if new_left else None)
