"""Spaced repetition with FSRS-6 (the `fsrs` library): one card's next state from one answer."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

AGAIN, HARD, GOOD, EASY = (int(r) for r in (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy))
RATINGS = {int(r): r for r in Rating}


@dataclass(frozen=True)
class CardSnapshot:
    """A question's scheduling state, as stored in `card_states`."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int
    lapses: int


def within_bounds(parameters: Sequence[float]) -> bool:
    """True when the live scheduler accepts these FSRS-6 parameters (count and each bound)."""
    return len(parameters) == len(LOWER_BOUNDS_PARAMETERS) and all(
        low <= value <= high
        for value, low, high in zip(
            parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )


@functools.lru_cache(maxsize=8)
def _scheduler(desired_retention: float, parameters: tuple[float, ...]) -> Scheduler:
    # No fuzzing: a rebuild from `attempts` must reproduce the live states exactly, and
    # fuzz (which spreads Anki's big decks over days) draws from an unseeded random.
    return Scheduler(
        parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False
    )


def replay_rating(*, rating: int | None, is_correct: bool) -> int:
    """The rating an answer counts as: its own, or Good/Again for history that had none."""
    if rating is not None:
        return rating
    return GOOD if is_correct else AGAIN


def review(
    card: CardSnapshot | None,
    *,
    rating: int,
    now: datetime,
    desired_retention: float,
    parameters: Sequence[float] = DEFAULT_PARAMETERS,
) -> CardSnapshot:
    """The card's state after an answer rated `rating` at `now` (a new card when None)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return replay(
        card,
        [(rating, now.astimezone(UTC))],
        desired_retention=desired_retention,
        parameters=parameters,
    )


def replay(
    card: CardSnapshot | None,
    answers: Iterable[tuple[int, datetime]],
    *,
    desired_retention: float,
    parameters: Sequence[float] = DEFAULT_PARAMETERS,
) -> CardSnapshot:
    """The card's state after these (rating, UTC time) answers in order; one at least."""
    scheduler = _scheduler(desired_retention, tuple(parameters))
    current = None if card is None else _fsrs_card(card)
    reps = 0 if card is None else card.reps
    lapses = 0 if card is None else card.lapses
    # fsrs objects are kept across the loop: converting per answer doubled a rebuild's time.
    for rating, answered_at in answers:
        if current is None:
            current = Card(card_id=0, due=answered_at)
        # A lapse is forgetting a card that had graduated to review (Anki's definition).
        lapses += current.state == State.Review and rating == AGAIN
        current, _log = scheduler.review_card(current, RATINGS[rating], answered_at)
        reps += 1
    if current is None:
        raise ValueError("replay needs at least one answer")
    return CardSnapshot(
        state=int(current.state),
        step=current.step,
        stability=current.stability,
        difficulty=current.difficulty,
        due=current.due,
        last_review=current.last_review,
        reps=reps,
        lapses=lapses,
    )


def _fsrs_card(card: CardSnapshot) -> Card:
    # card_id is unused by scheduling; passing it avoids fsrs's 1 ms sleep per new Card.
    return Card(
        card_id=0,
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )
