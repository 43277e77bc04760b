"""In which order a quiz, speed round, flashcard run or cram sitting asks its questions."""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import chain, zip_longest
from typing import TypeVar

from studygame.domain.questions import Question

T = TypeVar("T")


def draw(questions: Iterable[T], *, length: int | None = None, seed: int | str) -> list[T]:
    """The questions (or their ids) in a seeded random order, at most `length` (None: all)."""
    drawn = list(questions)
    random.Random(seed).shuffle(drawn)
    return drawn if length is None else drawn[:length]


def interleave_decks(questions: Iterable[Question]) -> list[Question]:
    """New cards one deck after another (round robin), each deck in its own bank order.

    A bank lists its decks one after the other; taken in that order a learner met twenty
    capitals in a row. Decks take turns in the order they first appear.
    """
    by_deck: dict[str, list[Question]] = {}
    for question in questions:
        by_deck.setdefault(question.deck, []).append(question)
    rounds = zip_longest(*by_deck.values())
    return [q for q in chain.from_iterable(rounds) if q is not None]


def shuffled_choices(question: Question, *, seed: int | str) -> tuple[str, ...]:
    """An mcq's choices in a seeded random order; true/false keeps True before False."""
    if question.type != "mcq":
        return question.choices
    choices = list(question.choices)
    random.Random(f"{seed}:{question.id}").shuffle(choices)
    return tuple(choices)
