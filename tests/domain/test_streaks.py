"""The day streak: month and year ends, freezes, rest days, an open today, timezones."""

from datetime import UTC, date, datetime, timedelta

import pytest

from studygame.domain.days import local_date
from studygame.domain.streaks import Streaks, compute_streaks

D = date(2026, 3, 1)


def days(*offsets: int) -> set[date]:
    """Days counted from D (day 1 is D)."""
    return {D + timedelta(days=n - 1) for n in offsets}


def day(n: int) -> date:
    return D + timedelta(days=n - 1)


@pytest.mark.parametrize(
    ("active", "today", "rest", "expected"),
    [
        pytest.param(set(), day(5), set(), Streaks(0, 0), id="no answers"),
        pytest.param(days(1, 2, 3), day(3), set(), Streaks(3, 3), id="three days to today"),
        pytest.param(
            days(1, 2, 3), day(4), set(), Streaks(3, 3), id="today not yet answered keeps it"
        ),
        pytest.param(days(1, 2, 4, 5), day(5), set(), Streaks(4, 4), id="one missed day frozen"),
        pytest.param(days(1, 2, 3), day(5), set(), Streaks(3, 3), id="missed yesterday frozen"),
        pytest.param(days(1, 2, 3), day(6), set(), Streaks(0, 3), id="two missed days break it"),
        pytest.param(days(1, 2, 5, 6), day(6), set(), Streaks(2, 2), id="two in a row break"),
        pytest.param(
            days(1, 2, 4, 5, 7),
            day(7),
            set(),
            Streaks(1, 4),
            id="second miss within 7 days breaks",
        ),
        pytest.param(
            days(1, 2, *range(4, 10), 11),
            day(11),
            set(),
            Streaks(9, 9),
            id="second miss 7 days later frozen too",
        ),
        pytest.param(
            days(1, 2, 5), day(5), days(3, 4), Streaks(3, 3), id="rest days neither break nor count"
        ),
        pytest.param(
            days(1, 2, 5), day(5), days(3), Streaks(3, 3), id="rest day plus one frozen miss"
        ),
        pytest.param(days(1, 2), day(3), days(3), Streaks(2, 2), id="today a rest day"),
        pytest.param(
            days(1, 2, 3, 9), day(3), set(), Streaks(3, 3), id="days after today are ignored"
        ),
        pytest.param(
            days(1, 2, 3, 6, 7, 8, 9, 10),
            day(10),
            set(),
            Streaks(5, 5),
            id="best and current differ after a break",
        ),
    ],
)
def test_streaks(active, today, rest, expected):
    assert compute_streaks(active, today=today, rest_days=rest) == expected


@pytest.mark.parametrize(
    ("active", "today", "expected"),
    [
        pytest.param(
            {date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1)},
            date(2026, 2, 1),
            Streaks(3, 3),
            id="january into february",
        ),
        pytest.param(
            {date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)},
            date(2024, 3, 1),
            Streaks(3, 3),
            id="leap day",
        ),
        pytest.param(
            {date(2025, 12, 31), date(2026, 1, 1)},
            date(2026, 1, 2),
            Streaks(2, 2),
            id="new year, today open",
        ),
        pytest.param(
            {date(2026, 4, 29), date(2026, 5, 1)},
            date(2026, 5, 1),
            Streaks(2, 2),
            id="april 30 missed and frozen",
        ),
    ],
)
def test_streaks_across_month_and_year_ends(active, today, expected):
    assert compute_streaks(active, today=today) == expected


@pytest.mark.parametrize(
    ("moment", "timezone", "expected"),
    [
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "UTC", date(2026, 1, 31)),
        (datetime(2026, 1, 31, 23, 30, tzinfo=UTC), "Europe/Paris", date(2026, 2, 1)),
        (datetime(2026, 2, 1, 3, 0, tzinfo=UTC), "America/New_York", date(2026, 1, 31)),
        (datetime(2026, 2, 28, 12, 0, tzinfo=UTC), "Pacific/Kiritimati", date(2026, 3, 1)),
    ],
)
def test_local_date(moment, timezone, expected):
    assert local_date(moment, timezone) == expected


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        # 23:30 and 00:30 UTC are two days in UTC, one evening in New York.
        ("UTC", Streaks(2, 2)),
        ("America/New_York", Streaks(1, 1)),
    ],
)
def test_the_timezone_decides_which_days_count(timezone, expected):
    answers = [datetime(2026, 3, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, 0, 30, tzinfo=UTC)]
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    active = {local_date(a, timezone) for a in answers}
    assert compute_streaks(active, today=local_date(now, timezone)) == expected


def test_local_date_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 3, 1, 12, 0), "UTC")
