"""When the study loop celebrates: a streak now and then, the daily goal and a best once.

A celebration that comes on every answer stops meaning anything (Duolingo celebrates the
goal once a day), so the big ones fire on the one answer that crosses a line, and a run
remembers what it already celebrated so an undo and a re-answer cannot fire it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from studygame.domain.modes import Mode

STREAK_CELEBRATED_FROM = 3
DAILY_GOAL = "daily_goal"
PERSONAL_BEST = "personal_best"
STREAK = "streak"


@dataclass(frozen=True)
class BestScope:
    """Which earlier sittings a run's points are measured against: like with like.

    A 50-question quiz scores more than a 10-question one, a 120 s speed round more than a
    60 s one: a best is per mode and planned length (questions), or per mode and clock
    (seconds); Review follows the queue, so its sittings are compared whatever their length.
    """

    mode: Mode
    questions: int | None = None
    seconds: int | None = None

    @classmethod
    def of(cls, mode: Mode, *, questions: int, seconds: int | None) -> BestScope:
        """The scope of a run in this mode with this many planned questions and clock."""
        if mode.is_timed:
            return cls(mode, seconds=seconds)  # its questions are the whole pool, not its length
        if mode.follows_queue:
            return cls(mode)
        return cls(mode, questions=questions)

    def describe(self) -> str:
        """The scope as the summary names it: "a 10-question quiz", "a 60-second speed round"."""
        if self.seconds is not None:
            return f"a {self.seconds}-second {self.mode.round_name}"
        if self.questions is not None:
            unit = "card" if self.mode is Mode.FLASHCARDS else "question"
            return f"a {self.questions}-{unit} {self.mode.round_name}"
        return f"a {self.mode.round_name}"


@dataclass(frozen=True)
class AnswerMoment:
    """The numbers around one answer that the celebration rules look at."""

    is_correct: bool
    streak: int  # the answer streak after this answer
    answered_today: int  # answers today, this one included
    daily_goal: int
    score: int  # the run's points after this answer
    points: int  # this answer's points
    best_before: int  # the best sitting of the run's BestScope before the run (0: none yet)


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
    """Whether a finished sitting's points beat every earlier sitting of its BestScope."""
    return score > best_before and score > 0
