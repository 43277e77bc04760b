"""The learner's local day: midnight in their timezone, across offsets and summer time."""

from datetime import UTC, date, datetime

import pytest

from studygame.domain.days import UnknownTimezone, day_start, local_date, start_of_local_day

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "timezone", "start"),
    [
        (NOW, "UTC", utc(2026, 11, 25, 0, 0)),
        (NOW, "Europe/Paris", utc(2026, 11, 24, 23, 0)),
        (utc(2026, 11, 25, 23, 30), "Europe/Paris", utc(2026, 11, 25, 23, 0)),
        (NOW, "America/New_York", utc(2026, 11, 25, 5, 0)),
        (utc(2026, 11, 25, 3, 0), "America/New_York", utc(2026, 11, 24, 5, 0)),
        (NOW, "Asia/Kolkata", utc(2026, 11, 24, 18, 30)),
        # the day summer time ends in Paris still starts at local midnight (then UTC+2)
        (utc(2026, 10, 25, 12, 0), "Europe/Paris", utc(2026, 10, 24, 22, 0)),
    ],
)
def test_day_start_is_local_midnight_in_utc(now, timezone, start):
    assert day_start(now, timezone) == start


@pytest.mark.parametrize(
    ("moment", "timezone", "day"),
    [
        (utc(2026, 11, 25, 23, 30), "UTC", date(2026, 11, 25)),
        (utc(2026, 11, 25, 23, 30), "Europe/Paris", date(2026, 11, 26)),
        (utc(2026, 11, 25, 3, 0), "America/New_York", date(2026, 11, 24)),
    ],
)
def test_an_instant_falls_on_the_learners_calendar_day(moment, timezone, day):
    assert local_date(moment, timezone) == day
    assert start_of_local_day(day, timezone) <= moment


def test_a_naive_instant_or_an_unknown_zone_is_refused_with_one_sentence():
    with pytest.raises(ValueError, match="naive datetime"):
        local_date(datetime(2026, 1, 1), "UTC")
    with pytest.raises(UnknownTimezone, match="'Mars/Olympus' is not a time zone name"):
        day_start(NOW, "Mars/Olympus")
