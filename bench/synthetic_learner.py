"""A synthetic learner whose memory follows FSRS-6 with known, non-default parameters.

The app schedules them with the default parameters (as it does before any fit); whether they
recall a card is drawn from their true recall probability. A fit on their history should
land nearer the true parameters and so predict held-out answers better than the defaults.
Used by bench/optimize.py (10k to 1M reviews) and, small, by the tests.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

# A learner who forgets faster at first and whose curve decays more steeply than the average.
TRUE_PARAMETERS = (
    0.05, 0.3, 0.8, 3.0, 7.0, 0.6, 2.5, 0.02, 1.3, 0.25, 1.0, 1.8, 0.09, 0.35, 1.2,
    0.5, 2.2, 0.6, 0.15, 0.1, 0.6,
)  # fmt: skip
START = datetime(2024, 1, 1, 8, tzinfo=UTC)
# Every card is studied until the same last day, so the held-out days are as busy as the rest.
DAYS = 365
NEW_CARD_DAYS = 300


def generate(n_reviews: int, *, seed: int = 1) -> list[list[tuple[int, datetime]]]:
    """About `n_reviews` answers as per-question (rating, UTC time) histories in time order."""
    rng = random.Random(seed)
    truth = Scheduler(TRUE_PARAMETERS, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    app = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    histories = []
    total = 0
    end = START + timedelta(days=DAYS)
    while total < n_reviews:
        first = START + timedelta(days=rng.randrange(NEW_CARD_DAYS), minutes=rng.randint(0, 600))
        histories.append(_card_history(rng, truth, app, first, end, n_reviews - total))
        total += len(histories[-1])
    return histories


def _card_history(rng, truth, app, first, end, budget) -> list[tuple[int, datetime]]:
    true_card, app_card = Card(card_id=0, due=first), Card(card_id=0, due=first)
    history = []
    when = first
    while when < end and len(history) < budget:
        if history:
            recalled = rng.random() < truth.get_card_retrievability(true_card, when)
        else:
            recalled = rng.random() < 0.7
        rating = rng.choices((2, 3, 4), (1, 6, 1))[0] if recalled else 1
        true_card, _ = truth.review_card(true_card, Rating(rating), when)
        app_card, _ = app.review_card(app_card, Rating(rating), when)
        history.append((rating, when))
        # Learners come back on the due day or a little late, at another time of day.
        late = timedelta(days=rng.choice((0, 0, 0, 1, 2)), minutes=rng.randint(0, 120))
        when = app_card.due + late
    return history


def as_days(histories) -> list[list[tuple[int, int]]]:
    """The same histories with UTC day numbers instead of times (the fit's input)."""
    return [[(rating, when.date().toordinal()) for rating, when in h] for h in histories]
