"""The Progress page's figures, each one SQL aggregate: no query loads every attempt.

Answers per day, time studied and accuracy per deck and topic read the rollups that
triggers keep beside `attempts` (`activity_buckets`, `topic_totals`: revision 0003), so
they cost the same at a million attempts as at a thousand; true retention adds the few
first answers found through `question_firsts`. The most-wrong list reads a partial index
of wrong answers; leeches and the forecast read `card_states`.

Day boundaries are the learner's (`learner_settings.timezone`): on Postgres each answer's
local day is `timezone(tz, answered_at)::date`, exact across daylight-saving changes. The
SQLite development file has no time zone database, so there the offset in force at `now` is
applied to every answer: a day near a DST change can be off by an hour on SQLite only.

Small results (one row per day, per deck and topic) are rolled up in Python: weeks from
days, decks from (deck, topic) pairs. That keeps each query one scan, on both databases.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.orm import Session

from studygame.domain.days import local_date, start_of_local_day, zone
from studygame.domain.modes import Mode
from studygame.domain.streaks import Streaks, compute_streaks
from studygame.models import UTCDateTime

HEATMAP_DAYS = 365
RETENTION_WEEKS = 26
FORECAST_DAYS = 30
LEECH_LAPSES = 8
LIST_LIMIT = 20
# Like Anki, an answer counts at most a minute of study (the rollup triggers apply it).
MAX_COUNTED_RESPONSE_MS = 60_000
NO_DECK = "(no deck)"


@dataclass(frozen=True)
class DayActivity:
    """One local day: answers, right answers, time studied, answers from the old app."""

    day: date
    answers: int
    correct: int
    studied_ms: int
    legacy: int


@dataclass(frozen=True)
class Accuracy:
    """Answers and right answers for one deck, or one topic of a deck."""

    deck: str
    topic: str | None
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of right answers, 0..1."""
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class WeekRetention:
    """True retention for the week starting on `week` (a Monday): right reviews / reviews."""

    week: date
    reviews: int
    correct: int

    @property
    def retention(self) -> float:
        """Share of reviews answered right, 0..1."""
        return self.correct / self.reviews if self.reviews else 0.0


@dataclass(frozen=True)
class DueDay:
    """Cards due on one local day (overdue cards count on today)."""

    day: date
    cards: int


@dataclass(frozen=True)
class QuestionTrouble:
    """A question that keeps going wrong: a leech (lapses) or a most-wrong question."""

    question_id: str
    deck: str | None
    topic: str | None
    lapses: int
    wrong: int
    answers: int


@dataclass(frozen=True)
class ProgressReport:
    """Everything the Progress page shows, computed in one transaction."""

    today: date
    total_answers: int
    legacy_answers: int  # imported from the old app, whatever the legacy choice
    days: list[DayActivity]
    streaks: Streaks
    average_response_ms: int | None
    by_deck: list[Accuracy]
    by_topic: list[Accuracy]
    retention: list[WeekRetention]
    desired_retention: float
    forecast: list[DueDay]
    leeches: list[QuestionTrouble]
    most_wrong: list[QuestionTrouble]


@dataclass(frozen=True)
class Frame:
    """What every query needs: the learner's zone, today there, and the legacy choice."""

    timezone: str
    now: datetime
    include_legacy: bool
    dialect: str

    @property
    def today(self) -> date:
        """Today in the learner's timezone."""
        return local_date(self.now, self.timezone)

    def local_day(self, column: str) -> str:
        """SQL for the local calendar day of a timestamptz column."""
        if self.dialect == "postgresql":
            return f"timezone(:tz, {column})::date"
        return f"date({column}, :sqlite_offset)"

    def start_of_local_day(self, day: date) -> datetime:
        """The UTC instant at which a local day begins."""
        return start_of_local_day(day, self.timezone)

    def params(self, **more: object) -> dict[str, object]:
        """Bind values for `local_day`: the zone (Postgres) or today's offset (SQLite)."""
        offset = self.now.astimezone(zone(self.timezone)).utcoffset() or timedelta()
        minutes = int(offset.total_seconds() // 60)
        return {"tz": self.timezone, "sqlite_offset": f"{minutes:+d} minutes", **more}

    @property
    def source_filter(self) -> str:
        """SQL that leaves out the old app's answers when the learner hides them."""
        return "" if self.include_legacy else "AND source = 'app'"


def make_frame(session: Session, *, timezone: str, now: datetime, include_legacy: bool) -> Frame:
    """Check the timezone and bundle what the queries share."""
    zone(timezone)
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime in UTC")
    return Frame(timezone, now, include_legacy, session.get_bind().dialect.name)


def _sql(query: str, *times: str) -> TextClause:
    """SQL text whose named time parameters bind as UTC timestamps (text on SQLite)."""
    return text(query).bindparams(*(bindparam(name, type_=UTCDateTime()) for name in times))


def _as_date(value: date | str) -> date:
    # SQLite's date() returns text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def activity_key(session: Session) -> tuple[object, ...]:
    """A cache key that changes whenever an answer, a card state or the settings change.

    Answers and right answers come from the rollups (a verdict override changes only the
    second), the latest answer from the index on answered_at; card states and settings by
    their latest update (a few thousand rows, one row).
    """
    query = text("""
        SELECT coalesce(sum(answers), 0) AS answers,
               coalesce(sum(correct), 0) AS correct,
               (SELECT max(answered_at) FROM attempts) AS latest,
               (SELECT max(updated_at) FROM card_states) AS cards,
               (SELECT max(updated_at) FROM learner_settings) AS settings
        FROM activity_buckets
    """).columns(latest=UTCDateTime(), cards=UTCDateTime(), settings=UTCDateTime())
    answers, correct, *times = session.execute(query).one()
    return (int(answers), int(correct), *times)


def learner_timezone(session: Session) -> str:
    """The learner's timezone (learner_settings), UTC when never set."""
    value = session.execute(text("SELECT timezone FROM learner_settings")).scalar()
    return value or "UTC"


def answers_per_day(session: Session, *, frame: Frame) -> list[DayActivity]:
    """Answers, right answers and time studied per local day, over the whole history."""
    rows = session.execute(
        text(f"""
            SELECT {frame.local_day("bucket_start")} AS day,
                   sum(answers), sum(correct), sum(studied_ms),
                   sum(CASE WHEN source = 'legacy' THEN answers ELSE 0 END)
            FROM activity_buckets
            WHERE true {frame.source_filter}
            GROUP BY 1
            HAVING sum(answers) > 0
            ORDER BY 1
        """),
        frame.params(),
    )
    return [DayActivity(_as_date(d), int(n), int(c), int(ms), int(lg)) for d, n, c, ms, lg in rows]


def average_response_ms(session: Session, *, frame: Frame, since: date) -> int | None:
    """Mean response time since a local day, each answer capped like time studied."""
    studied, timed = session.execute(
        _sql(
            f"""
            SELECT sum(studied_ms), sum(timed)
            FROM activity_buckets
            WHERE bucket_start >= :since {frame.source_filter}
            """,
            "since",
        ),
        {"since": frame.start_of_local_day(since)},
    ).one()
    return round(studied / timed) if timed else None


def accuracy_by_topic(session: Session, *, frame: Frame) -> list[Accuracy]:
    """Answers and right answers per (deck, topic), weakest first."""
    rows = session.execute(
        text(f"""
            SELECT deck, topic, sum(answers), sum(correct)
            FROM topic_totals
            WHERE true {frame.source_filter}
            GROUP BY 1, 2
            HAVING sum(answers) > 0
        """)
    )
    return _weakest_first(
        Accuracy(deck or NO_DECK, topic or None, int(n), int(c)) for deck, topic, n, c in rows
    )


def roll_up_decks(topics: list[Accuracy]) -> list[Accuracy]:
    """Per-deck totals from per-topic rows, weakest first."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in topics:
        totals[row.deck][0] += row.answers
        totals[row.deck][1] += row.correct
    return _weakest_first(Accuracy(deck, None, n, c) for deck, (n, c) in totals.items())


def day_streaks(
    session: Session, *, timezone: str, now: datetime, include_legacy: bool = True
) -> Streaks:
    """The current and best day streaks in the learner's timezone (for Home)."""
    frame = make_frame(session, timezone=timezone, now=now, include_legacy=include_legacy)
    days = answers_per_day(session, frame=frame)
    return compute_streaks([d.day for d in days], today=frame.today)


def _weakest_first(rows) -> list[Accuracy]:
    return sorted(rows, key=lambda r: (r.accuracy, -r.answers, r.deck, r.topic or ""))


def retention_by_week(session: Session, *, frame: Frame, weeks: int) -> list[WeekRetention]:
    """True retention per week: app review answers, not a card's first answer, not cram.

    Legacy answers are never reviews (the old app had no scheduler) but they are history:
    an app review of a question first met in the old app is a true review.
    """
    first_monday = frame.today - timedelta(days=frame.today.weekday(), weeks=weeks - 1)
    # The rollups count every app answer in Review mode (revision 0003's triggers, which
    # spell the mode as a revision must); the answers among them that were a card's first
    # answer (question_firsts: a few per day at most) are taken off again.
    rows = session.execute(
        _sql(
            f"""
            SELECT day, sum(reviews), sum(correct)
            FROM (
                SELECT {frame.local_day("bucket_start")} AS day,
                       reviews, reviews_correct AS correct
                FROM activity_buckets
                WHERE source = 'app' AND bucket_start >= :since
                UNION ALL
                SELECT {frame.local_day("a.answered_at")}, -1,
                       CASE WHEN a.is_correct THEN -1 ELSE 0 END
                FROM question_firsts f
                JOIN attempts a
                  ON a.question_id = f.question_id AND a.answered_at = f.first_answered_at
                WHERE f.first_answered_at >= :since AND a.mode = :review AND a.source = 'app'
            ) AS answers
            GROUP BY day
            HAVING sum(reviews) > 0
            """,
            "since",
        ),
        frame.params(since=frame.start_of_local_day(first_monday), review=Mode.REVIEW.value),
    )
    by_week: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for day, reviews, correct in rows:
        local = _as_date(day)
        week = by_week[local - timedelta(days=local.weekday())]
        week[0] += int(reviews)
        week[1] += int(correct)
    return [WeekRetention(w, n, c) for w, (n, c) in sorted(by_week.items())]


def due_forecast(session: Session, *, frame: Frame, days: int) -> list[DueDay]:
    """Cards due per local day from today for `days` days; overdue cards count on today."""
    end = frame.start_of_local_day(frame.today + timedelta(days=days))
    rows = session.execute(
        _sql(
            f"""
            SELECT {frame.local_day("due")} AS day, count(*)
            FROM card_states
            WHERE due < :end
            GROUP BY 1
            """,
            "end",
        ),
        frame.params(end=end),
    )
    per_day = dict.fromkeys((frame.today + timedelta(days=n) for n in range(days)), 0)
    for day, cards in rows:
        per_day[max(_as_date(day), frame.today)] += int(cards)
    return [DueDay(d, n) for d, n in per_day.items()]


def leeches(session: Session, *, limit: int = LIST_LIMIT) -> list[QuestionTrouble]:
    """Cards with at least LEECH_LAPSES lapses, most lapses first, with their latest topic."""
    rows = session.execute(
        text("""
            SELECT c.question_id, c.deck,
                   (SELECT a.topic FROM attempts a WHERE a.question_id = c.question_id
                    ORDER BY a.answered_at DESC LIMIT 1) AS topic,
                   c.lapses,
                   (SELECT count(*) FROM attempts a
                    WHERE a.question_id = c.question_id AND NOT a.is_correct) AS wrong,
                   (SELECT count(*) FROM attempts a
                    WHERE a.question_id = c.question_id) AS answers
            FROM card_states c
            WHERE c.lapses >= :lapses
            ORDER BY c.lapses DESC, c.question_id
            LIMIT :limit
        """),
        {"lapses": LEECH_LAPSES, "limit": limit},
    )
    return [QuestionTrouble(q, d, t, int(lp), int(w), int(n)) for q, d, t, lp, w, n in rows]


def most_wrong(session: Session, *, frame: Frame, limit: int = LIST_LIMIT) -> list[QuestionTrouble]:
    """The questions answered wrong most often, with their deck, topic and answer count."""
    rows = session.execute(
        text(f"""
            SELECT w.question_id,
                   (SELECT a.deck FROM attempts a WHERE a.question_id = w.question_id
                    ORDER BY a.answered_at DESC LIMIT 1) AS deck,
                   (SELECT a.topic FROM attempts a WHERE a.question_id = w.question_id
                    ORDER BY a.answered_at DESC LIMIT 1) AS topic,
                   coalesce((SELECT c.lapses FROM card_states c
                             WHERE c.question_id = w.question_id), 0) AS lapses,
                   w.wrong,
                   (SELECT count(*) FROM attempts a
                    WHERE a.question_id = w.question_id {frame.source_filter}) AS answers
            FROM (SELECT question_id, count(*) AS wrong
                  FROM attempts
                  WHERE NOT is_correct {frame.source_filter}
                  GROUP BY question_id
                  ORDER BY wrong DESC, question_id
                  LIMIT :limit) w
            ORDER BY w.wrong DESC, w.question_id
        """),
        {"limit": limit},
    )
    return [QuestionTrouble(q, d, t, int(lp), int(w), int(n)) for q, d, t, lp, w, n in rows]


def desired_retention(session: Session) -> float:
    """The learner's retention target (learner_settings), 0.9 when never set."""
    value = session.execute(text("SELECT desired_retention FROM learner_settings")).scalar()
    return 0.9 if value is None else float(value)


def progress_report(
    session: Session, *, timezone: str, now: datetime, include_legacy: bool = True
) -> ProgressReport:
    """Every figure of the Progress page, for the learner's timezone and legacy choice."""
    frame = make_frame(session, timezone=timezone, now=now, include_legacy=include_legacy)
    all_days = answers_per_day(session, frame=frame)
    first_shown = frame.today - timedelta(days=HEATMAP_DAYS - 1)
    topics = accuracy_by_topic(session, frame=frame)
    return ProgressReport(
        today=frame.today,
        total_answers=sum(d.answers for d in all_days),
        legacy_answers=sum(d.legacy for d in all_days),
        days=[d for d in all_days if d.day >= first_shown],
        # No rest days: past due dates are not stored (see domain/streaks.py).
        streaks=compute_streaks([d.day for d in all_days], today=frame.today),
        average_response_ms=average_response_ms(session, frame=frame, since=first_shown),
        by_deck=roll_up_decks(topics),
        by_topic=topics,
        retention=retention_by_week(session, frame=frame, weeks=RETENTION_WEEKS),
        desired_retention=desired_retention(session),
        forecast=due_forecast(session, frame=frame, days=FORECAST_DAYS),
        leeches=leeches(session),
        most_wrong=most_wrong(session, frame=frame),
    )


CSV_COLUMNS = (
    "answered_at",
    "question_id",
    "deck",
    "topic",
    "mode",
    "given_answer",
    "is_correct",
    "rating",
    "response_ms",
    "points",
    "source",
)


def attempts_csv(
    session: Session,
    *,
    timezone: str,
    start: date,
    end: date,
    deck: str | None = None,
    include_legacy: bool = True,
) -> Iterator[str]:
    """The attempts of local days start..end (one deck or all) as CSV text, chunk by chunk.

    Rows stream from a server-side cursor, so a large export never sits in memory twice.
    """
    deck_filter = "AND deck = :deck" if deck is not None else ""
    source_filter = "" if include_legacy else "AND source = 'app'"
    query = _sql(
        f"""
        SELECT {", ".join(CSV_COLUMNS)}
        FROM attempts
        WHERE answered_at >= :start AND answered_at < :end {deck_filter} {source_filter}
        ORDER BY answered_at
        """,
        "start",
        "end",
    ).columns(answered_at=UTCDateTime())
    result = session.execute(
        query,
        {
            "start": start_of_local_day(start, timezone),
            "end": start_of_local_day(end + timedelta(days=1), timezone),
            "deck": deck,
        },
        execution_options={"yield_per": 2000},
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    local = zone(timezone)
    for chunk in result.partitions():
        for answered_at, *rest in chunk:
            writer.writerow((answered_at.astimezone(local).isoformat(), *map(_safe_cell, rest)))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in "=+-@":
        # Spreadsheets would run a cell starting like a formula.
        return "'" + value
    return value
