"""Points per answer, Kahoot's well-known shape: fast right answers score more, streaks add."""

from __future__ import annotations

from studygame.domain.modes import Mode
from studygame.domain.rating import Rating

QUESTION_TIME_LIMIT_S = 20
SPEED_ROUND_TIME_LIMIT_S = 10
MAX_POINTS = 1000
STREAK_BONUS_PER_ANSWER = 100
STREAK_BONUS_CAP = 500
SELF_GRADED_POINTS = 500


def time_limit_s(mode: Mode) -> int:
    """A question's time limit T in this mode: 10 s in a speed round, 20 s elsewhere."""
    return SPEED_ROUND_TIME_LIMIT_S if Mode(mode).is_timed else QUESTION_TIME_LIMIT_S


def streak_bonus(streak_before: int) -> int:
    """100 per consecutive right answer before this one, capped at 500."""
    return min(STREAK_BONUS_PER_ANSWER * max(streak_before, 0), STREAK_BONUS_CAP)


def answer_points(
    *, is_correct: bool, response_ms: int | None, time_limit_s: float, streak_before: int
) -> int:
    """Points for an auto-graded answer: round(1000 * (1 - (t/T)/2)) plus the streak bonus.

    Wrong scores 0; at or after T (or with no time measured) a right answer scores 500.
    """
    if not is_correct:
        return 0
    limit_ms = time_limit_s * 1000
    elapsed_ms = limit_ms if response_ms is None else min(max(response_ms, 0), limit_ms)
    speed_points = round(MAX_POINTS * (1 - (elapsed_ms / limit_ms) / 2))
    return speed_points + streak_bonus(streak_before)


def self_graded_points(rating: Rating) -> int:
    """Points for a flashcard the learner graded: 500 flat for Good or Easy, else 0."""
    return SELF_GRADED_POINTS if rating >= Rating.GOOD else 0


def next_streak(streak_before: int, *, is_correct: bool) -> int:
    """The answer streak after this answer: one longer when right, back to 0 when wrong."""
    return streak_before + 1 if is_correct else 0
