"""Progress figures from hand-made histories whose right answers are known."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.orm import Session

from studygame.domain.days import UnknownTimezone
from studygame.domain.streaks import Streaks
from studygame.models import Attempt, CardState, LearnerSettings
from studygame.services import progress

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def at(day: str, time: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}+00:00")


def answer(
    session: Session,
    question: str,
    answered_at: datetime,
    *,
    correct: bool = True,
    mode: str = "quiz",
    source: str = "app",
    deck: str | None = "Deck A",
    topic: str | None = "Topic 1",
    response_ms: int | None = 5000,
    given: str | None = "x",
) -> Attempt:
    attempt = Attempt(
        id=uuid.uuid4(),
        question_id=question,
        deck=deck,
        topic=topic,
        mode=mode,
        given_answer=given,
        is_correct=correct,
        response_ms=response_ms,
        answered_at=answered_at,
        source=source,
    )
    session.add(attempt)
    session.flush()
    return attempt


def card(session: Session, question: str, due: datetime, *, lapses: int = 0, deck="Deck A"):
    session.add(
        CardState(question_id=question, deck=deck, state=2, due=due, lapses=lapses, updated_at=NOW)
    )
    session.flush()


def frame(session: Session, timezone: str = "UTC", include_legacy: bool = True):
    return progress.make_frame(session, timezone=timezone, now=NOW, include_legacy=include_legacy)


def test_an_empty_history_reports_nothing(session):
    report = progress.progress_report(session, timezone="UTC", now=NOW)
    assert report.total_answers == 0
    assert report.days == []
    assert report.streaks == Streaks(0, 0)
    assert report.average_response_ms is None
    assert (report.by_deck, report.by_topic, report.retention) == ([], [], [])
    assert [d.cards for d in report.forecast] == [0] * progress.FORECAST_DAYS
    assert report.forecast[0].day == date(2026, 3, 10)
    assert (report.leeches, report.most_wrong) == ([], [])
    assert report.desired_retention == 0.9


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("UTC", {date(2026, 3, 1): 1, date(2026, 3, 2): 1}),
        # 23:30 and 00:30 UTC are the same evening in New York, the same morning in Tokyo.
        ("America/New_York", {date(2026, 3, 1): 2}),
        ("Asia/Tokyo", {date(2026, 3, 2): 2}),
    ],
)
def test_answers_per_day_follow_the_learner_timezone(session, timezone, expected):
    answer(session, "q1", at("2026-03-01", "23:30"))
    answer(session, "q2", at("2026-03-02", "00:30"))
    days = progress.answers_per_day(session, frame=frame(session, timezone))
    assert {d.day: d.answers for d in days} == expected


def test_a_day_across_a_daylight_saving_change_is_exact_on_postgres(session):
    # Paris moves to UTC+2 on 2026-03-29: 22:30 UTC is 00:30 local the next day after it.
    answer(session, "q1", at("2026-03-28", "22:30"))
    answer(session, "q2", at("2026-03-29", "22:30"))
    days = progress.answers_per_day(session, frame=frame(session, "Europe/Paris"))
    assert [d.day for d in days] == [date(2026, 3, 28), date(2026, 3, 30)]


def test_streaks_run_across_a_month_end(session):
    for day in ("2026-02-10", "2026-02-11", "2026-02-27", "2026-02-28", "2026-03-01"):
        answer(session, "q1", at(day))
    # 2026-03-02 missed and frozen; 03-03 to 03-09 answered; today (03-10) still open.
    for n in range(3, 10):
        answer(session, "q1", at(f"2026-03-{n:02d}"))
    report = progress.progress_report(session, timezone="UTC", now=NOW)
    assert report.streaks == Streaks(current=10, best=10)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        # 03-06, 03-07, then 03-08 missed and frozen, then 03-09.
        ("UTC", Streaks(current=3, best=3)),
        # 03-06 evening twice, then 03-07 and 03-08 missed: two in a row break it.
        ("America/New_York", Streaks(current=1, best=1)),
    ],
)
def test_day_streaks_for_home_follow_the_timezone(session, timezone, expected):
    for moment in ("2026-03-06T23:30", "2026-03-07T00:30", "2026-03-09T12:00"):
        answer(session, "q1", datetime.fromisoformat(moment + "+00:00"))
    assert progress.day_streaks(session, timezone=timezone, now=NOW) == expected


def test_time_studied_caps_each_answer_at_a_minute(session):
    answer(session, "q1", at("2026-03-09", "08:00"), response_ms=1000)
    answer(session, "q2", at("2026-03-09", "08:01"), response_ms=3000)
    answer(session, "q3", at("2026-03-09", "08:02"), response_ms=600_000)
    answer(session, "q4", at("2026-03-09", "08:03"), response_ms=None)
    f = frame(session)
    (day,) = progress.answers_per_day(session, frame=f)
    assert (day.answers, day.studied_ms) == (4, 64_000)
    # The answer without a time is left out of the mean.
    assert progress.average_response_ms(session, frame=f, since=date(2026, 3, 1)) == 21_333


def test_accuracy_per_deck_and_topic_is_weakest_first(session):
    history = {
        ("Deck A", "Topic 1"): [True, True, True, False],
        ("Deck B", "Topic 1"): [True, False],
        ("Deck B", "Topic 2"): [False, False],
        ("Deck C", None): [True, True, True, True],
    }
    for (deck, topic), verdicts in history.items():
        for n, correct in enumerate(verdicts):
            answer(session, f"{deck}{topic}{n}", NOW, correct=correct, deck=deck, topic=topic)
    report = progress.progress_report(session, timezone="UTC", now=NOW)
    assert [(d.deck, d.answers, d.correct) for d in report.by_deck] == [
        ("Deck B", 4, 1),
        ("Deck A", 4, 3),
        ("Deck C", 4, 4),
    ]
    assert [(t.deck, t.topic, t.accuracy) for t in report.by_topic] == [
        ("Deck B", "Topic 2", 0.0),
        ("Deck B", "Topic 1", 0.5),
        ("Deck A", "Topic 1", 0.75),
        ("Deck C", None, 1.0),
    ]


def test_true_retention_counts_app_reviews_after_the_first_answer(session):
    # Week of Monday 2026-03-02.
    answer(session, "q1", at("2026-02-20"), mode="quiz")  # first answer: history only
    answer(session, "q1", at("2026-03-02"), mode="review", correct=True)  # counted
    answer(session, "q1", at("2026-03-04"), mode="review", correct=False)  # counted
    answer(session, "q2", at("2026-03-03"), mode="review", correct=False)  # first ever: not
    answer(session, "q3", at("2026-02-01"), mode="quiz")
    answer(session, "q3", at("2026-03-05"), mode="cram")  # cram: not
    answer(session, "q4", at("2025-06-01"), source="legacy")  # legacy is history...
    answer(session, "q4", at("2026-03-06"), mode="review", correct=True)  # ...so counted
    answer(session, "q5", at("2026-03-01"), source="legacy")
    answer(session, "q5", at("2026-03-06"), mode="review", source="legacy")  # legacy: not
    # Week of Monday 2026-03-09.
    answer(session, "q2", at("2026-03-09"), mode="review", correct=True)  # counted
    weeks = progress.retention_by_week(session, frame=frame(session), weeks=4)
    assert [(w.week, w.reviews, w.correct) for w in weeks] == [
        (date(2026, 3, 2), 3, 2),
        (date(2026, 3, 9), 1, 1),
    ]
    assert weeks[0].retention == pytest.approx(2 / 3)


def test_retention_leaves_out_weeks_before_the_window(session):
    answer(session, "q1", at("2026-01-01"), mode="quiz")
    answer(session, "q1", at("2026-02-02"), mode="review")
    answer(session, "q1", at("2026-03-09"), mode="review")
    weeks = progress.retention_by_week(session, frame=frame(session), weeks=2)
    assert [w.week for w in weeks] == [date(2026, 3, 9)]


def test_deleting_a_first_answer_makes_the_next_one_first(session):
    first = answer(session, "q1", at("2026-03-02"), mode="quiz")
    answer(session, "q1", at("2026-03-03"), mode="review")
    assert progress.retention_by_week(session, frame=frame(session), weeks=2)[0].reviews == 1
    session.execute(delete(Attempt).where(Attempt.id == first.id))
    assert progress.retention_by_week(session, frame=frame(session), weeks=2) == []


@pytest.mark.parametrize("database", ["session", "sqlite_session"])
def test_a_verdict_override_and_a_delete_keep_the_totals_exact(database, request):
    session = request.getfixturevalue(database)
    kept = answer(session, "q1", at("2026-03-09"), correct=False, response_ms=2000)
    gone = answer(session, "q2", at("2026-03-09"), response_ms=4000)
    session.execute(update(Attempt).where(Attempt.id == kept.id).values(is_correct=True))
    session.execute(delete(Attempt).where(Attempt.id == gone.id))
    f = frame(session)
    (day,) = progress.answers_per_day(session, frame=f)
    assert (day.answers, day.correct, day.studied_ms) == (1, 1, 2000)
    (topic,) = progress.accuracy_by_topic(session, frame=f)
    assert (topic.answers, topic.correct) == (1, 1)


@pytest.mark.parametrize("database", ["session", "sqlite_session"])
def test_the_rollups_empty_when_their_answers_are_deleted(database, request):
    session = request.getfixturevalue(database)
    answer(session, "q1", at("2026-03-09"), deck=None, topic=None)
    answer(session, "q2", at("2026-03-09"), source="legacy")
    session.execute(update(Attempt).values(is_correct=False))
    session.execute(delete(Attempt))
    for table in ("activity_buckets", "topic_totals", "question_firsts"):
        assert session.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


def test_the_activity_key_changes_on_every_write(session):
    keys = [progress.activity_key(session)]
    written = answer(session, "q1", at("2026-03-09"), correct=False)
    keys.append(progress.activity_key(session))
    # An older legacy row leaves max(answered_at) alone but changes the count.
    answer(session, "q2", at("2025-01-01"), source="legacy")
    keys.append(progress.activity_key(session))
    session.execute(update(Attempt).where(Attempt.id == written.id).values(is_correct=True))
    keys.append(progress.activity_key(session))
    card(session, "q1", NOW)
    keys.append(progress.activity_key(session))
    session.add(LearnerSettings(timezone="Europe/Paris", updated_at=NOW))
    session.flush()
    keys.append(progress.activity_key(session))
    assert len(set(keys)) == 6
    assert keys[0] == (0, 0, None, None, None)


def test_the_timezone_comes_from_the_settings(session):
    assert progress.learner_timezone(session) == "UTC"
    session.add(LearnerSettings(timezone="Europe/Paris", updated_at=NOW))
    session.flush()
    assert progress.learner_timezone(session) == "Europe/Paris"


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        # Overdue and later-today cards on today; two tomorrow; the one at 23:30 UTC is
        # tomorrow in Paris; 2026-04-20 is beyond the 30 days.
        ("UTC", {0: 3, 1: 2}),
        ("Europe/Paris", {0: 2, 1: 3}),
    ],
)
def test_due_forecast_from_known_due_dates(session, timezone, expected):
    card(session, "q1", at("2026-03-01"))
    card(session, "q2", at("2026-03-10", "18:00"))
    card(session, "q3", at("2026-03-10", "23:30"))
    card(session, "q4", at("2026-03-11", "09:00"))
    card(session, "q5", at("2026-03-11", "10:00"))
    card(session, "q6", at("2026-04-20"))
    forecast = progress.due_forecast(session, frame=frame(session, timezone), days=30)
    assert len(forecast) == 30
    assert forecast[0].day == date(2026, 3, 10)
    assert forecast[-1].day == date(2026, 4, 8)
    assert {n: d.cards for n, d in enumerate(forecast) if d.cards} == expected


def test_leeches_have_eight_lapses_or_more_most_first(session):
    for question, lapses in (("q7", 7), ("q8", 8), ("q12", 12)):
        card(session, question, NOW, lapses=lapses)
        answer(session, question, at("2026-03-01"), correct=False, topic="Old topic")
        answer(session, question, at("2026-03-02"), correct=True, topic="New topic")
    leeches = progress.leeches(session)
    assert [(q.question_id, q.lapses, q.topic, q.wrong, q.answers) for q in leeches] == [
        ("q12", 12, "New topic", 1, 2),
        ("q8", 8, "New topic", 1, 2),
    ]


@pytest.mark.parametrize(
    ("include_legacy", "expected"),
    [(True, [("q1", 3, 4), ("q2", 2, 2)]), (False, [("q2", 2, 2), ("q1", 1, 2)])],
)
def test_most_wrong_and_the_legacy_toggle(session, include_legacy, expected):
    answer(session, "q1", at("2026-03-01"), correct=False)
    answer(session, "q1", at("2026-03-02"), correct=True)
    answer(session, "q1", at("2025-01-01"), correct=False, source="legacy")
    answer(session, "q1", at("2025-01-02"), correct=False, source="legacy")
    answer(session, "q2", at("2026-03-01"), correct=False)
    answer(session, "q2", at("2026-03-02"), correct=False)
    answer(session, "q3", at("2026-03-02"), correct=True)
    f = frame(session, include_legacy=include_legacy)
    wrong = progress.most_wrong(session, frame=f)
    assert [(q.question_id, q.wrong, q.answers) for q in wrong] == expected
    report = progress.progress_report(
        session, timezone="UTC", now=NOW, include_legacy=include_legacy
    )
    assert report.total_answers == (7 if include_legacy else 5)
    assert sum(d.answers for d in report.by_deck) == report.total_answers


def test_the_report_shows_the_last_twelve_months_of_days_and_marks_legacy(session):
    answer(session, "q1", at("2025-03-10"))  # 365 days before today: left out
    answer(session, "q1", at("2025-03-11"))  # the first day shown
    answer(session, "q2", at("2025-03-11"), source="legacy")
    report = progress.progress_report(session, timezone="UTC", now=NOW)
    assert [(d.day, d.answers, d.legacy) for d in report.days] == [(date(2025, 3, 11), 2, 1)]
    assert report.total_answers == 3


def test_the_desired_retention_comes_from_the_settings(session):
    session.add(LearnerSettings(desired_retention=0.85, updated_at=NOW))
    session.flush()
    assert progress.desired_retention(session) == 0.85


def test_an_unknown_timezone_is_one_clear_sentence(session):
    with pytest.raises(UnknownTimezone, match="not a time zone name"):
        progress.progress_report(session, timezone="Mars/Olympus", now=NOW)


def test_the_csv_export_filters_by_local_days_and_deck(session):
    answer(session, "q1", at("2026-03-01", "22:30"), deck="Deck A")  # 03-01 23:30 in Paris
    answer(session, "q2", at("2026-03-01", "23:30"), deck="Deck A")  # 03-02 00:30 in Paris
    answer(session, "q3", at("2026-03-02", "10:00"), deck="Deck B")
    answer(session, "q4", at("2026-03-02", "11:00"), deck="Deck A", given="=HYPERLINK(1)")
    answer(session, "q5", at("2026-03-02", "12:00"), deck="Deck A", source="legacy")
    text = "".join(
        progress.attempts_csv(
            session,
            timezone="Europe/Paris",
            start=date(2026, 3, 2),
            end=date(2026, 3, 2),
            deck="Deck A",
            include_legacy=False,
        )
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["question_id"] for r in rows] == ["q2", "q4"]
    assert rows[0]["answered_at"] == "2026-03-02T00:30:00+01:00"
    assert rows[1]["given_answer"] == "'=HYPERLINK(1)"
    assert list(rows[0]) == list(progress.CSV_COLUMNS)


def test_the_report_works_on_the_sqlite_development_file(sqlite_session):
    session = sqlite_session
    answer(session, "q1", at("2026-03-08", "23:30"), mode="quiz", correct=False)
    answer(session, "q1", at("2026-03-09", "08:00"), mode="review", deck="Deck B")
    card(session, "q1", at("2026-03-11"), lapses=9)
    report = progress.progress_report(session, timezone="Europe/Paris", now=NOW)
    rows = "".join(
        progress.attempts_csv(session, timezone="UTC", start=date(2026, 3, 9), end=date(2026, 3, 9))
    )
    # 23:30 UTC is 00:30 in Paris (UTC+1 in March, before the change).
    assert [(d.day, d.answers) for d in report.days] == [(date(2026, 3, 9), 2)]
    assert report.streaks == Streaks(1, 1)
    assert [(w.week, w.reviews, w.correct) for w in report.retention] == [(date(2026, 3, 9), 1, 1)]
    assert [(d.day, d.cards) for d in report.forecast if d.cards] == [(date(2026, 3, 11), 1)]
    assert [q.question_id for q in report.leeches] == ["q1"]
    assert [q.question_id for q in report.most_wrong] == ["q1"]
    assert [d.deck for d in report.by_deck] == ["Deck A", "Deck B"]
    assert rows.count("\n") == 2
