"""Auto-graded answer -> FSRS rating, at the thresholds' edges."""

import pytest

from studygame.domain.rating import Rating, rating_for_answer


@pytest.mark.parametrize(
    ("is_correct", "response_ms", "limit_s", "rating"),
    [
        (False, 1_000, 20, Rating.AGAIN),
        (False, None, 20, Rating.AGAIN),
        (True, 0, 20, Rating.EASY),
        (True, 5_000, 20, Rating.EASY),  # exactly a quarter of T
        (True, 5_001, 20, Rating.GOOD),
        (True, 15_000, 20, Rating.GOOD),  # exactly three quarters of T
        (True, 15_001, 20, Rating.HARD),
        (True, 60_000, 20, Rating.HARD),
        (True, None, 20, Rating.GOOD),  # no time measured
        (True, 2_500, 10, Rating.EASY),  # speed round: relative to its 10 s
        (True, 8_000, 10, Rating.HARD),
        (True, 5_000, 10, Rating.GOOD),
    ],
)
def test_rating_for_answer(is_correct, response_ms, limit_s, rating):
    assert (
        rating_for_answer(is_correct=is_correct, response_ms=response_ms, time_limit_s=limit_s)
        == rating
    )
