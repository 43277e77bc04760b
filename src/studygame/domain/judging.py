"""One answer's verdict, FSRS rating and points: grading, rating and scoring put together."""

from __future__ import annotations

from dataclasses import dataclass

from studygame.domain.grading import Verdict, grade_answer
from studygame.domain.questions import Question
from studygame.domain.rating import Rating, rating_for_answer
from studygame.domain.scoring import answer_points, self_graded_points, time_limit_s


@dataclass(frozen=True)
class Judgement:
    """What an answer earns: right or wrong (and how it was graded), its rating, its points."""

    is_correct: bool
    rating: Rating
    points: int
    verdict: Verdict | None = None  # None when the learner graded themselves


def judge_answer(
    question: Question, given: str, *, mode: str, response_ms: int | None, streak_before: int
) -> Judgement:
    """Grade an auto-graded answer and derive its rating and points."""
    verdict = grade_answer(question, given)
    return _judged(verdict.is_correct, mode, response_ms, streak_before, verdict)


def judge_self_graded(rating: Rating) -> Judgement:
    """A self-graded flashcard: right from Hard up; 500 points for Good or Easy."""
    return Judgement(is_correct=rating.recalled, rating=rating, points=self_graded_points(rating))


def judge_override(*, mode: str, response_ms: int | None, streak_before: int) -> Judgement:
    """The learner says "I was right": rating and points as if the answer had been accepted."""
    return _judged(True, mode, response_ms, streak_before, None)


def _judged(
    is_correct: bool,
    mode: str,
    response_ms: int | None,
    streak_before: int,
    verdict: Verdict | None,
) -> Judgement:
    limit = time_limit_s(mode)
    return Judgement(
        is_correct=is_correct,
        rating=rating_for_answer(
            is_correct=is_correct, response_ms=response_ms, time_limit_s=limit
        ),
        points=answer_points(
            is_correct=is_correct,
            response_ms=response_ms,
            time_limit_s=limit,
            streak_before=streak_before,
        ),
        verdict=verdict,
    )
