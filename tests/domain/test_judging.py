"""An answer's verdict, rating and points together, per question type and mode."""

import pytest

from studygame.domain.judging import judge_answer, judge_override, judge_self_graded
from studygame.domain.questions import Question
from studygame.domain.rating import Rating


def question(kind, answer, *, choices=(), accepted=()):
    return Question(
        id="q1",
        deck="Deck",
        topic=None,
        tags=(),
        type=kind,
        prompt="?",
        choices=choices,
        answer=answer,
        accepted=accepted,
        explanation=None,
        difficulty=None,
    )


CAPITAL = question("typed", "Paris", accepted=("Paname",))
PLANET = question("mcq", "Mars", choices=("Venus", "Mars", "Jupiter"))
FACT = question("truefalse", "True", choices=("True", "False"))


@pytest.mark.parametrize(
    ("q", "given", "mode", "ms", "streak", "expected"),
    [
        (CAPITAL, "paris", "quiz", 2_000, 0, (True, 4, 950)),
        (CAPITAL, "Pairs", "quiz", 10_000, 2, (True, 3, 950)),  # fuzzy; 750 + 200 streak
        (CAPITAL, "paname", "review", 18_000, 0, (True, 2, 550)),
        (CAPITAL, "Lyon", "quiz", 2_000, 4, (False, 1, 0)),
        (PLANET, "Mars", "speed", 2_000, 5, (True, 4, 1400)),  # T = 10 s: 900 + 500
        (PLANET, "Mar", "quiz", 2_000, 0, (False, 1, 0)),  # a choice is never fuzzy
        (FACT, "True", "cram", 5_000, 1, (True, 4, 975)),
        (FACT, "False", "quiz", 5_000, 1, (False, 1, 0)),
    ],
)
def test_judge_answer(q, given, mode, ms, streak, expected):
    judged = judge_answer(q, given, mode=mode, response_ms=ms, streak_before=streak)
    assert (judged.is_correct, judged.rating, judged.points) == expected
    assert judged.verdict.is_correct is judged.is_correct


@pytest.mark.parametrize(
    ("rating", "is_correct", "points"),
    [
        (Rating.AGAIN, False, 0),
        (Rating.HARD, True, 0),
        (Rating.GOOD, True, 500),
        (Rating.EASY, True, 500),
    ],
)
def test_judge_self_graded(rating, is_correct, points):
    judged = judge_self_graded(rating)
    assert (judged.is_correct, judged.rating, judged.points, judged.verdict) == (
        is_correct,
        rating,
        points,
        None,
    )


def test_an_override_scores_as_if_the_answer_had_been_accepted():
    judged = judge_override(mode="quiz", response_ms=10_000, streak_before=1)
    assert (judged.is_correct, judged.rating, judged.points) == (True, 3, 850)
