"""When the study loop celebrates: a streak now and then, the daily goal and a best once.

A celebration that comes on every answer stops meaning anything (Duolingo celebrates the
goal once a day), so the big ones fire on the one answer that crosses a line, and a run
remembers what it already celebrated so an undo and a re-answer cannot fire it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

STREAK_CELEBRATED_FROM = 3
DAILY_GOAL = "daily_goal"
PERSONAL_BEST = "personal_best"
STREAK = "streak"


@dataclass(frozen=True)
class AnswerMoment:
    """The numbers around one answer that the celebration rules look at."""

    is_correct: bool
    streak: int  # the answer streak after this answer
    answered_today: int  # answers today, this one included
    daily_goal: int
    score: int  # the run's points after this answer
    points: int  # this answer's points
    best_before: int  # the best sitting of this mode before the run (0: none yet)


def celebrations(moment: AnswerMoment, *, already: frozenset[str]) -> tuple[str, ...]:
    """What this answer celebrates: STREAK (small), DAILY_GOAL and PERSONAL_BEST (once each)."""
    found = []
    if moment.is_correct and moment.streak >= STREAK_CELEBRATED_FROM:
        found.append(STREAK)
    before_answer = moment.answered_today - 1
    if before_answer < moment.daily_goal <= moment.answered_today:
        found.append(DAILY_GOAL)
    # A first sitting is no "best" to beat: with nothing before, there is nothing to celebrate.
    score_before = moment.score - moment.points
    if moment.best_before > 0 and score_before <= moment.best_before < moment.score:
        found.append(PERSONAL_BEST)
    return tuple(kind for kind in found if kind == STREAK or kind not in already)


def is_new_best(*, score: int, best_before: int) -> bool:
    """Whether a finished sitting's points beat every earlier sitting of its mode."""
    return score > best_before and score > 0
