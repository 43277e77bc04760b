"""Spaced repetition with FSRS-6 (the `fsrs` library): one card's next state from one answer."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler, State

AGAIN, HARD, GOOD, EASY = (int(r) for r in (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy))


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


@functools.lru_cache(maxsize=8)
def _scheduler(desired_retention: float) -> Scheduler:
    # No fuzzing: a rebuild from `attempts` must reproduce the live states exactly, and
    # fuzz (which spreads Anki's big decks over days) draws from an unseeded random.
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)


def replay_rating(*, rating: int | None, is_correct: bool) -> int:
    """The rating an answer counts as: its own, or Good/Again for history that had none."""
    if rating is not None:
        return rating
    return GOOD if is_correct else AGAIN


def review(
    card: CardSnapshot | None, *, rating: int, now: datetime, desired_retention: float
) -> CardSnapshot:
    """The card's state after an answer rated `rating` at `now` (a new card when None)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    # card_id is unused by scheduling; passing it avoids fsrs's 1 ms sleep per new Card.
    before = (
        Card(card_id=0, due=now)
        if card is None
        else Card(
            card_id=0,
            state=State(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )
    )
    after, _log = _scheduler(desired_retention).review_card(before, Rating(rating), now)
    reps = 0 if card is None else card.reps
    lapses = 0 if card is None else card.lapses
    # A lapse is forgetting a card that had graduated to review (Anki's definition).
    lapsed = card is not None and card.state == int(State.Review) and rating == AGAIN
    return CardSnapshot(
        state=int(after.state),
        step=after.step,
        stability=after.stability,
        difficulty=after.difficulty,
        due=after.due,
        last_review=after.last_review,
        reps=reps + 1,
        lapses=lapses + int(lapsed),
    )
