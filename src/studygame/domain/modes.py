"""The study modes, and the named sets of them that the rules ask about.

Every module that needs to know whether a mode moves the schedule, counts as a review or
runs against the clock asks here; SQL binds these values rather than spelling them.
"""

from __future__ import annotations

from enum import StrEnum


class Mode(StrEnum):
    """How the learner is studying; stored as its value in `attempts.mode`."""

    REVIEW = "review"
    QUIZ = "quiz"
    FLASHCARDS = "flashcards"
    SPEED = "speed"
    CRAM = "cram"

    @property
    def moves_schedule(self) -> bool:
        """Whether an answer in this mode moves its card (Cram is practice that does not)."""
        return self in SCHEDULING

    @property
    def is_timed(self) -> bool:
        """Whether the round runs against a clock (shorter time limit, no feedback screen)."""
        return self in TIMED

    @property
    def round_name(self) -> str:
        """What a sitting of this mode is called in a sentence ("a 10-question quiz")."""
        return ROUND_NAMES[self]

    @property
    def follows_queue(self) -> bool:
        """Whether the next question comes from the due queue rather than a planned list."""
        return self is Mode.REVIEW


# Practice only: recorded and scored, the card stays as it was. SQL asks "mode NOT IN
# UNSCHEDULED", so an old app's answer in a mode of its own (the legacy import keeps it)
# moves its card and feeds the memory-model fit, as it always has.
UNSCHEDULED = frozenset({Mode.CRAM})
# Answers in these modes move the schedule and are what the memory-model fit learns from.
SCHEDULING = frozenset(Mode) - UNSCHEDULED
TIMED = frozenset({Mode.SPEED})
ROUND_NAMES = {
    Mode.REVIEW: "review",
    Mode.QUIZ: "quiz",
    Mode.FLASHCARDS: "flashcard round",
    Mode.SPEED: "speed round",
    Mode.CRAM: "cram round",
}


def values(modes: frozenset[Mode]) -> list[str]:
    """The stored values of these modes, sorted: what SQL binds for `mode IN (...)`."""
    return sorted(mode.value for mode in modes)
