"""Which FSRS rating an auto-graded answer earns; the speed thresholds live here only."""

from __future__ import annotations

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
# Fractions of the question's time limit: within the first quarter is Easy,
# beyond three quarters is Hard (right, but it took effort), between is Good.
FAST_FRACTION = 0.25
SLOW_FRACTION = 0.75


def rating_for_answer(*, is_correct: bool, response_ms: int | None, time_limit_s: float) -> int:
    """Map an auto-graded answer to a rating: wrong Again, slow Hard, right Good, fast Easy."""
    if not is_correct:
        return AGAIN
    if response_ms is None:
        return GOOD
    fraction = response_ms / (time_limit_s * 1000)
    if fraction <= FAST_FRACTION:
        return EASY
    if fraction > SLOW_FRACTION:
        return HARD
    return GOOD
