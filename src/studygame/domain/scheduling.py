"""Spaced repetition with FSRS-6 (the `fsrs` library): one card's next state from one answer."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from studygame.domain.fsrs_engine import LEARNING, Engine
from studygame.domain.rating import Rating

__all__ = [
    "DEFAULT_PARAMETERS",
    "CardSnapshot",
    "interval_days",
    "replay",
    "replay_rating",
    "review",
    "within_bounds",
]


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
def _engine(desired_retention: float, parameters: tuple[float, ...]) -> Engine:
    # No fuzzing: a rebuild from `attempts` must reproduce the live states exactly, and
    # fuzz (which spreads Anki's big decks over days) draws from an unseeded random.
    # The Scheduler holds (and validates) the configuration; the engine runs it fast.
    return Engine(
        Scheduler(parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False)
    )


def interval_days(
    stability: float, *, desired_retention: float, parameters: Sequence[float] = DEFAULT_PARAMETERS
) -> int:
    """The whole days until a card of this stability is due again, as the schedule sets it."""
    return _engine(desired_retention, tuple(parameters)).next_interval_days(stability)


def replay_rating(*, rating: int | None, is_correct: bool) -> int:
    """The rating an answer counts as: its own, or Good/Again for history that had none."""
    if rating is not None:
        return rating
    return Rating.GOOD if is_correct else Rating.AGAIN


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


def intervals_by_rating(
    card: CardSnapshot | None, *, now: datetime, desired_retention: float
) -> dict[int, timedelta]:
    """How long until the card comes due again after each rating, for the grade buttons.

    Each grade waits longer than the one before (Anki's rule): FSRS may round Hard, Good and
    Easy to the same day, and four buttons promising one date make the grade look pointless.
    """
    waits: dict[int, timedelta] = {}
    previous: timedelta | None = None
    for rating in Rating:
        wait = review(card, rating=rating, now=now, desired_retention=desired_retention).due - now
        if previous is not None and wait <= previous:
            wait = previous + _longer_by(previous)
        waits[rating] = previous = wait
    return waits


def _longer_by(wait: timedelta) -> timedelta:
    # A day past an hour (the buttons then show hours or days), a minute before: a step that
    # still reads as a different wait on the button.
    return timedelta(days=1) if wait >= timedelta(hours=1) else timedelta(minutes=1)


def replay(
    card: CardSnapshot | None,
    answers: Iterable[tuple[int, datetime]],
    *,
    desired_retention: float,
    parameters: Sequence[float] = DEFAULT_PARAMETERS,
) -> CardSnapshot:
    """The card's state after these (rating, UTC time, aware or naive) answers; one at least."""
    engine = _engine(desired_retention, tuple(parameters))
    if card is None:
        start = (LEARNING, 0, None, None, None, 0, 0, None)
    else:
        start = (card.state, card.step, card.stability, card.difficulty, card.last_review,
                 card.reps, card.lapses, None)  # fmt: skip
    state, step, stability, difficulty, last, reps, lapses, interval = engine.replay(start, answers)
    if reps == (0 if card is None else card.reps):
        raise ValueError("replay needs at least one answer")
    # A rebuild reads times as naive UTC (see services/schedule.py); the card stores aware UTC.
    last = last.replace(tzinfo=UTC) if last.tzinfo is None else last.astimezone(UTC)
    return CardSnapshot(
        state=state,
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=engine.due(last, stability, interval),
        last_review=last,
        reps=reps,
        lapses=lapses,
    )
