"""In which order a quiz, speed round, flashcard run or cram sitting asks its questions."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TypeVar

from studygame.domain.questions import Question

T = TypeVar("T")


def draw(questions: Iterable[T], *, length: int | None = None, seed: int | str) -> list[T]:
    """The questions (or their ids) in a seeded random order, at most `length` (None: all)."""
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
