"""FSRS's four ratings, and which one an auto-graded answer earns (the speed thresholds)."""

from __future__ import annotations

from enum import IntEnum


class Rating(IntEnum):
    """How well an answer was recalled; stored as 1-4 in `attempts.rating` (FSRS's numbers)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        """The name the learner sees on a grade button ("Again" ... "Easy")."""
        return self.name.capitalize()

    @property
    def recalled(self) -> bool:
        """Whether the answer counts as remembered: everything but Again."""
        return self is not Rating.AGAIN


# Fractions of the question's time limit: within the first quarter is Easy,
# beyond three quarters is Hard (right, but it took effort), between is Good.
FAST_FRACTION = 0.25
SLOW_FRACTION = 0.75


def rating_for_answer(*, is_correct: bool, response_ms: int | None, time_limit_s: float) -> Rating:
    """Map an auto-graded answer to a rating: wrong Again, slow Hard, right Good, fast Easy."""
    if not is_correct:
        return Rating.AGAIN
    if response_ms is None:
        return Rating.GOOD
    fraction = response_ms / (time_limit_s * 1000)
    if fraction <= FAST_FRACTION:
        return Rating.EASY
    if fraction > SLOW_FRACTION:
        return Rating.HARD
    return Rating.GOOD
