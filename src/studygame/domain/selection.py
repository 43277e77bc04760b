"""Which questions a quiz, speed round, flashcard run or cram sitting asks, in which order."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable

from studygame.domain.questions import Question, QuestionType


def pick_questions(
    questions: Iterable[Question],
    *,
    decks: Collection[str] = (),
    topics: Collection[str] = (),
    types: Collection[QuestionType] = (),
    length: int | None = None,
    seed: int | str = 0,
) -> list[Question]:
    """These decks, topics and types (empty means any), in a seeded shuffle, at most `length`."""
    chosen = [
        q
        for q in questions
        if (not decks or q.deck in decks)
        and (not topics or q.topic in topics)
        and (not types or q.type in types)
    ]
    random.Random(seed).shuffle(chosen)
    return chosen if length is None else chosen[:length]


def shuffled_choices(question: Question, *, seed: int | str) -> tuple[str, ...]:
    """An mcq's choices in a seeded random order; true/false keeps True before False."""
    if question.type != "mcq":
        return question.choices
    choices = list(question.choices)
    random.Random(f"{seed}:{question.id}").shuffle(choices)
    return tuple(choices)
