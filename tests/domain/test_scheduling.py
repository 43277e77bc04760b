from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from studygame.domain.rating import Rating
from studygame.domain.scheduling import (
    intervals_by_rating,
    replay_rating,
    review,
)
from studygame.ui.question_widgets import short_duration

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_a_new_card_answered_good_enters_learning_due_soon():
    card = review(None, rating=Rating.GOOD, now=NOW, desired_retention=0.9)
    assert card.state == 1  # learning
    assert card.reps == 1 and card.lapses == 0
    assert card.last_review == NOW
    assert NOW < card.due <= NOW + timedelta(minutes=10)


def test_easy_on_a_new_card_graduates_it_for_days():
    card = review(None, rating=Rating.EASY, now=NOW, desired_retention=0.9)
    assert card.state == 2  # review
    assert card.due - NOW >= timedelta(days=1)


def test_forgetting_a_review_card_is_a_lapse_but_again_in_learning_is_not():
    learning = review(None, rating=Rating.AGAIN, now=NOW, desired_retention=0.9)
    assert learning.lapses == 0
    graduated = review(None, rating=Rating.EASY, now=NOW, desired_retention=0.9)
    forgotten = review(graduated, rating=Rating.AGAIN, now=graduated.due, desired_retention=0.9)
    assert forgotten.state == 3  # relearning
    assert forgotten.lapses == 1
    assert forgotten.reps == 2


def test_higher_retention_schedules_sooner():
    card = review(None, rating=Rating.EASY, now=NOW, desired_retention=0.9)
    later = card.due + timedelta(days=1)
    relaxed = review(card, rating=Rating.GOOD, now=later, desired_retention=0.8)
    strict = review(card, rating=Rating.GOOD, now=later, desired_retention=0.97)
    assert strict.due < relaxed.due


def test_scheduling_is_deterministic():
    card = review(None, rating=Rating.EASY, now=NOW, desired_retention=0.9)
    again = [
        review(card, rating=Rating.HARD, now=card.due, desired_retention=0.9) for _ in range(3)
    ]
    assert again[0] == again[1] == again[2]


def test_the_inputs_are_not_changed():
    card = review(None, rating=Rating.GOOD, now=NOW, desired_retention=0.9)
    before = card
    review(card, rating=Rating.AGAIN, now=NOW + timedelta(minutes=5), desired_retention=0.9)
    assert card == before


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        review(None, rating=Rating.GOOD, now=datetime(2026, 1, 1), desired_retention=0.9)


@pytest.mark.parametrize(
    ("rating", "is_correct", "expected"),
    [
        (None, True, Rating.GOOD),
        (None, False, Rating.AGAIN),
        (Rating.HARD, True, Rating.HARD),
        (Rating.EASY, False, Rating.EASY),
    ],
)
def test_history_without_a_rating_counts_as_good_or_again(rating, is_correct, expected):
    assert replay_rating(rating=rating, is_correct=is_correct) == expected


def test_intervals_by_rating_grow_from_again_to_easy():
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    reviewed = review(None, rating=Rating.GOOD, now=now - timedelta(days=3), desired_retention=0.9)
    for card in (None, reviewed):
        intervals = intervals_by_rating(card, now=now, desired_retention=0.9)
        assert list(intervals) == [Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY]
        waits = list(intervals.values())
        assert waits == sorted(waits) and waits[0] < waits[-1]
        assert (
            intervals[Rating.GOOD]
            == review(card, rating=Rating.GOOD, now=now, desired_retention=0.9).due - now
        )


@pytest.mark.parametrize(
    ("first", "second", "gap_days"),
    [
        (Rating.AGAIN, Rating.GOOD, 0.01),  # FSRS: Good and Easy both 1 day
        (Rating.AGAIN, Rating.EASY, 0.01),  # FSRS: Hard, Good and Easy all 1 day
        (Rating.GOOD, Rating.GOOD, 3),
        (Rating.EASY, Rating.HARD, 8),
    ],
)
def test_the_four_grades_promise_distinct_growing_waits(first, second, gap_days):
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    card = review(None, rating=first, now=start, desired_retention=0.9)
    card = review(card, rating=second, now=start + timedelta(days=gap_days), desired_retention=0.9)
    now = card.last_review + timedelta(minutes=15)
    waits = list(intervals_by_rating(card, now=now, desired_retention=0.9).values())
    assert all(shorter < longer for shorter, longer in pairwise(waits))
    # Distinct as the buttons show them, too (1 day and 1 day + a minute would not be).
    assert len({short_duration(wait) for wait in waits}) == 4
