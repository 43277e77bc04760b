"""In which order a quiz, speed round, flashcard run or cram sitting asks its questions."""

from __future__ import annotations

import random
from collections.abc import Iterable

from studygame.domain.questions import Question


def draw(
    questions: Iterable[Question], *, length: int | None = None, seed: int | str
) -> list[Question]:
    """The questions in a seeded random order, at most `length` of them (None: all)."""
    drawn = list(questions)
    random.Random(seed).shuffle(drawn)
    return drawn if length is None else drawn[:length]


def shuffled_choices(question: Question, *, seed: int | str) -> tuple[str, ...]:
    """An mcq's choices in a seeded random order; true/false keeps True before False."""
    if question.type != "mcq":
        return question.choices
    choices = list(question.choices)
    random.Random(f"{seed}:{question.id}").shuffle(choices)
    return tuple(choices)
