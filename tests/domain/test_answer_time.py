"""The one window an answer's time must lie in: 2000-01-01 up to ten minutes ahead."""

from datetime import UTC, datetime, timedelta

import pytest

from studygame.domain.answer_time import EARLIEST_ANSWER, MAX_AHEAD, answer_time_problem

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answered_at", "problem"),
    [
        (EARLIEST_ANSWER, None),
        (NOW, None),
        (NOW + MAX_AHEAD, None),  # a device clock a little ahead is believed
        (EARLIEST_ANSWER - timedelta(microseconds=1), "it is dated 1999-12-31, before 2000-01-01"),
        (datetime(1, 1, 1, tzinfo=UTC), "it is dated 0001-01-01, before 2000-01-01"),
        (
            NOW + MAX_AHEAD + timedelta(seconds=1),
            "it is dated 2026-11-25 09:10 UTC, more than 10 minutes ahead of the server's clock",
        ),
        (datetime(2026, 1, 1), "its time has no timezone"),
    ],
)
def test_the_window_and_its_sentences(answered_at, problem):
    assert answer_time_problem(answered_at, now=NOW) == problem
