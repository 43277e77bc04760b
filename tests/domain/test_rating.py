"""Auto-graded answer -> FSRS rating, at the thresholds' edges."""

import pytest

from studygame.domain.rating import AGAIN, EASY, GOOD, HARD, rating_for_answer


@pytest.mark.parametrize(
    ("is_correct", "response_ms", "limit_s", "rating"),
    [
        (False, 1_000, 20, AGAIN),
        (False, None, 20, AGAIN),
        (True, 0, 20, EASY),
        (True, 5_000, 20, EASY),  # exactly a quarter of T
        (True, 5_001, 20, GOOD),
        (True, 15_000, 20, GOOD),  # exactly three quarters of T
        (True, 15_001, 20, HARD),
        (True, 60_000, 20, HARD),
        (True, None, 20, GOOD),  # no time measured
        (True, 2_500, 10, EASY),  # speed round: relative to its 10 s
        (True, 8_000, 10, HARD),
        (True, 5_000, 10, GOOD),
    ],
)
def test_rating_for_answer(is_correct, response_ms, limit_s, rating):
    assert (
        rating_for_answer(is_correct=is_correct, response_ms=response_ms, time_limit_s=limit_s)
        == rating
    )
