"""When the study loop celebrates: table-driven over the lines an answer can cross."""

import pytest

from studygame.domain.celebration import (
    DAILY_GOAL,
    PERSONAL_BEST,
    STREAK,
    AnswerMoment,
    BestScope,
    celebrations,
    is_new_best,
)
from studygame.domain.modes import Mode


def moment(**changes) -> AnswerMoment:
    values = dict(
        is_correct=True, streak=1, answered_today=5, daily_goal=50, score=900, points=900,
        best_before=0,
    )  # fmt: skip
    return AnswerMoment(**{**values, **changes})


@pytest.mark.parametrize(("changes", "already", "expected"), [
    ({}, (), ()),  # an ordinary right answer
    ({"streak": 2}, (), ()),
    ({"streak": 3}, (), (STREAK,)),  # a right answer in a streak: the small one
    ({"streak": 7}, (STREAK,), (STREAK,)),  # on every answer of the streak, by design
    ({"is_correct": False, "streak": 0}, (), ()),
    ({"answered_today": 50}, (), (DAILY_GOAL,)),  # the answer that reaches the goal
    ({"answered_today": 51}, (), ()),  # the ones after it: never again
    ({"answered_today": 50}, (DAILY_GOAL,), ()),  # an undo and a re-answer: not twice
    ({"answered_today": 50, "is_correct": False, "streak": 0}, (), (DAILY_GOAL,)),
    ({"best_before": 1000, "score": 1500, "points": 700}, (), (PERSONAL_BEST,)),  # crosses
    ({"best_before": 1000, "score": 2500, "points": 700}, (), ()),  # already past it
    ({"best_before": 1000, "score": 1000, "points": 700}, (), ()),  # equal is no best
    ({"best_before": 1000, "score": 1500, "points": 700}, (PERSONAL_BEST,), ()),
    ({"best_before": 0, "score": 1500, "points": 700}, (), ()),  # a first sitting: no best
    ({"streak": 4, "answered_today": 50, "best_before": 500, "score": 900}, (),
     (STREAK, DAILY_GOAL, PERSONAL_BEST)),
])  # fmt: skip
def test_celebrations(changes, already, expected):
    assert celebrations(moment(**changes), already=frozenset(already)) == expected


@pytest.mark.parametrize(("score", "best_before", "expected"), [
    (1200, 1000, True), (1000, 1000, False), (800, 1000, False), (300, 0, True), (0, 0, False),
])  # fmt: skip
def test_is_new_best(score, best_before, expected):
    assert is_new_best(score=score, best_before=best_before) is expected


@pytest.mark.parametrize(("mode", "questions", "seconds", "expected", "described"), [
    (Mode.QUIZ, 10, None, BestScope(Mode.QUIZ, questions=10), "a 10-question quiz"),
    (Mode.QUIZ, 50, None, BestScope(Mode.QUIZ, questions=50), "a 50-question quiz"),
    (Mode.FLASHCARDS, 20, None, BestScope(Mode.FLASHCARDS, questions=20),
     "a 20-card flashcard round"),
    (Mode.CRAM, 3, None, BestScope(Mode.CRAM, questions=3), "a 3-question cram round"),
    # Against the clock the round's length is its time; the questions are the whole pool.
    (Mode.SPEED, 240, 60, BestScope(Mode.SPEED, seconds=60), "a 60-second speed round"),
    # Review follows the queue: a sitting is as long as the queue was.
    (Mode.REVIEW, 0, None, BestScope(Mode.REVIEW), "a review"),
])  # fmt: skip
def test_a_best_is_compared_like_with_like(mode, questions, seconds, expected, described):
    scope = BestScope.of(mode, questions=questions, seconds=seconds)
    assert scope == expected
    assert scope.describe() == described
