"""Scoring, table-driven, against DESIGN.md's numbers."""

import pytest

from studygame.domain.rating import Rating
from studygame.domain.scoring import (
    answer_points,
    next_streak,
    self_graded_points,
    streak_bonus,
    time_limit_s,
)


@pytest.mark.parametrize(
    ("is_correct", "response_ms", "limit_s", "streak_before", "points"),
    [
        (True, 0, 20, 0, 1000),  # instant
        (True, 10_000, 20, 0, 750),  # half the time
        (True, 20_000, 20, 0, 500),  # at the limit
        (True, 45_000, 20, 0, 500),  # after the limit still 500
        (True, 1_234, 20, 0, 969),  # round(1000 * (1 - 0.0617/2)) = 969
        (True, 5_000, 10, 0, 750),  # speed round: T = 10 s
        (True, 10_000, 10, 0, 500),
        (True, None, 20, 0, 500),  # no time measured: as at the limit
        (True, 0, 20, 1, 1100),
        (True, 0, 20, 3, 1300),
        (True, 10_000, 20, 5, 1250),
        (True, 0, 20, 9, 1500),  # bonus capped at 500
        (False, 0, 20, 0, 0),
        (False, 0, 20, 7, 0),  # wrong scores 0, streak or not
        (False, None, 10, 0, 0),
        (True, -5, 20, 0, 1000),  # a clock that went backwards is an instant answer
    ],
)
def test_answer_points(is_correct, response_ms, limit_s, streak_before, points):
    assert (
        answer_points(
            is_correct=is_correct,
            response_ms=response_ms,
            time_limit_s=limit_s,
            streak_before=streak_before,
        )
        == points
    )


@pytest.mark.parametrize(
    ("streak_before", "bonus"), [(-1, 0), (0, 0), (1, 100), (4, 400), (5, 500), (50, 500)]
)
def test_streak_bonus(streak_before, bonus):
    assert streak_bonus(streak_before) == bonus


@pytest.mark.parametrize(
    ("rating", "points"),
    [(Rating.AGAIN, 0), (Rating.HARD, 0), (Rating.GOOD, 500), (Rating.EASY, 500)],
)
def test_self_graded_flashcards_score_500_flat_for_good_or_easy(rating, points):
    assert self_graded_points(rating) == points


@pytest.mark.parametrize(
    ("mode", "limit"),
    [("speed", 10), ("quiz", 20), ("review", 20), ("cram", 20), ("flashcards", 20)],
)
def test_time_limit_by_mode(mode, limit):
    assert time_limit_s(mode) == limit


@pytest.mark.parametrize(
    ("before", "is_correct", "after"), [(0, True, 1), (4, True, 5), (4, False, 0), (0, False, 0)]
)
def test_next_streak(before, is_correct, after):
    assert next_streak(before, is_correct=is_correct) == after
