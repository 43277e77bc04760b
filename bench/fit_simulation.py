"""Does `schedule optimize` apply a fit only when it predicts the future better? Simulated learners.

    .venv/bin/python bench/fit_simulation.py [--histories 20 10] [--days 150] [--new-per-day 6]

A simulated learner, independent of the fit code: their memory follows FSRS-6 with their
own true parameters (py-fsrs's Scheduler holds the true memory state), each recall is drawn
from their true retrievability at the moment of the answer, and the app schedules them with
its own `review()` (learning steps, 90 % retention, the parameters in use). After `--days`
days the fit runs (`fit_memory_model` and `verdict`, as `schedule optimize` does); then the
learner studies 60 more days under the parameters the verdict chose, and those 60 days'
reviews judge defaults and fitted parameters, each replayed by py-fsrs (not by the fit code).

Two learners: one whose memory *is* FSRS's defaults (a fit can only learn noise: it should
almost never be applied, and never when it predicts the future worse), and one who forgets
much faster (a fit should be applied, and predict the future better).
"""

from __future__ import annotations

import argparse
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Scheduler
from fsrs import Rating as FsrsRating

from studygame.domain.memory_model import FitRefused, fit_memory_model, verdict
from studygame.domain.rating import Rating
from studygame.domain.scheduling import DEFAULT_PARAMETERS, review

RETENTION = 0.9
START = datetime(2025, 1, 6, tzinfo=UTC)
FUTURE_DAYS = 60
# About 4,000 answers over five months: a learner who has used the app for a season.
DAYS = 150
NEW_PER_DAY = 6
# First stabilities a quarter of the defaults', recall growing its stability less, and a
# steeper forgetting curve (w20): the defaults overestimate this learner's memory throughout.
FAST_FORGETTER = (
    0.05, 0.3, 0.6, 2.0, *DEFAULT_PARAMETERS[4:8], 1.3, *DEFAULT_PARAMETERS[9:20], 0.5,
)  # fmt: skip
LEARNERS = {"defaults": DEFAULT_PARAMETERS, "fast forgetter": FAST_FORGETTER}
# The first grade of a new card, and the grade of a recalled one.
FIRST_GRADES = ((Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY), (25, 10, 55, 10))
RECALLED_GRADES = ((Rating.HARD, Rating.GOOD, Rating.EASY), (15, 75, 10))
# A learning step shorter than this is answered in the same sitting.
SITTING = timedelta(hours=1)


@dataclass
class _Card:
    truth: Card
    app: object  # the app's CardSnapshot, None before the first answer
    answers: list[tuple[int, datetime]]


class SimulatedLearner:
    """One learner studying every day: due cards, then a few new ones, in one sitting."""

    def __init__(self, true_parameters, *, seed: int, new_per_day: int = NEW_PER_DAY) -> None:
        self.rng = random.Random(seed)
        self.truth = Scheduler(true_parameters, learning_steps=(), relearning_steps=(),
                               enable_fuzzing=False)  # fmt: skip
        self.new_per_day = new_per_day
        self.cards: list[_Card] = []
        self.day = 0

    def study(self, days: int, *, parameters=DEFAULT_PARAMETERS) -> None:
        """`days` more days of study, scheduled by the app with these parameters."""
        for _ in range(days):
            sitting = START + timedelta(days=self.day, hours=self.rng.uniform(7, 21))
            due = [card for card in self.cards if card.app.due <= sitting]
            self.rng.shuffle(due)
            for _ in range(self.new_per_day):
                self.cards.append(_Card(Card(card_id=len(self.cards)), None, []))
                due.append(self.cards[-1])
            when = sitting
            for card in due:
                when += timedelta(seconds=self.rng.uniform(5, 20))
                self._answer(card, when, parameters)
            self.day += 1

    def _answer(self, card: _Card, when: datetime, parameters) -> None:
        # Learning steps come back within the sitting: answer them until the card leaves it.
        for _ in range(10):
            if card.truth.last_review is None:
                rating = self.rng.choices(*FIRST_GRADES)[0]
            elif self.rng.random() < self.truth.get_card_retrievability(card.truth, when):
                rating = self.rng.choices(*RECALLED_GRADES)[0]
            else:
                rating = Rating.AGAIN
            card.truth, _log = self.truth.review_card(card.truth, FsrsRating(rating), when)
            card.app = review(card.app, rating=rating, now=when, desired_retention=RETENTION,
                              parameters=parameters)  # fmt: skip
            card.answers.append((int(rating), when))
            if card.app.due - when >= SITTING:
                return
            when = card.app.due + timedelta(seconds=self.rng.uniform(0, 300))

    def histories(self, *, until_day: int | None = None) -> list[list[tuple[int, int]]]:
        """Each card's (rating, UTC day number) answers, up to `until_day` days from the start."""
        end = None if until_day is None else (START + timedelta(days=until_day)).date()
        return [
            [(r, when.date().toordinal()) for r, when in card.answers
             if end is None or when.date() < end]
            for card in self.cards
        ]  # fmt: skip

    def future_log_loss(self, parameters, *, from_day: int) -> float:
        """Log loss of these parameters on the reviews from `from_day` on, replayed by py-fsrs."""
        model = Scheduler(parameters, learning_steps=(), relearning_steps=(), enable_fuzzing=False)
        first = (START + timedelta(days=from_day)).date()
        total, count = 0.0, 0
        for card in self.cards:
            state = Card(card_id=0)
            for rating, when in card.answers:
                last = state.last_review
                if last is not None and when.date() >= first and when.date() > last.date():
                    p = min(max(model.get_card_retrievability(state, when), 1e-6), 1 - 1e-6)
                    total -= math.log(p if rating != Rating.AGAIN else 1 - p)
                    count += 1
                state, _log = model.review_card(state, FsrsRating(rating), when)
        return total / count


@dataclass(frozen=True)
class Outcome:
    """One history: applied or why not, and both parameter sets' log loss on the next 60 days."""

    applied: bool
    reason: str
    reviews: int
    default_future: float
    fitted_future: float | None


def run_history(
    true_parameters, *, seed: int, days: int = DAYS, new_per_day: int = NEW_PER_DAY
) -> Outcome:
    """Simulate `days` days, fit and judge as `schedule optimize` does, then 60 more days."""
    learner = SimulatedLearner(true_parameters, seed=seed, new_per_day=new_per_day)
    learner.study(days)
    histories = learner.histories()
    try:
        fit = fit_memory_model(histories)
    except FitRefused as refused:
        learner.study(FUTURE_DAYS)
        return Outcome(False, str(refused), 0, learner.future_log_loss(DEFAULT_PARAMETERS,
                       from_day=days), None)  # fmt: skip
    refusal, reason = verdict(fit, current=DEFAULT_PARAMETERS)
    learner.study(FUTURE_DAYS, parameters=DEFAULT_PARAMETERS if refusal else fit.parameters)
    return Outcome(
        applied=refusal is None,
        reason=reason,
        reviews=fit.reviews,
        default_future=learner.future_log_loss(DEFAULT_PARAMETERS, from_day=days),
        fitted_future=learner.future_log_loss(fit.parameters, from_day=days),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--histories", type=int, nargs=2, default=[20, 10])
    parser.add_argument("--days", type=int, default=DAYS)
    parser.add_argument("--new-per-day", type=int, default=NEW_PER_DAY)
    args = parser.parse_args()
    for (name, truth), count in zip(LEARNERS.items(), args.histories, strict=True):
        outcomes = [
            run_history(truth, seed=seed, days=args.days, new_per_day=args.new_per_day)
            for seed in range(count)
        ]
        applied = [o for o in outcomes if o.applied]
        worse = sum(o.fitted_future > o.default_future for o in applied)
        print(f"## learner: {name}: {len(applied)} of {count} applied, {worse} of them worse "
              "on the next 60 days")  # fmt: skip
        if applied:
            default = sum(o.default_future for o in applied) / len(applied)
            fitted = sum(o.fitted_future for o in applied) / len(applied)
            print(f"applied: mean 60-day log loss default {default:.4f} -> fitted {fitted:.4f}")
        refused = [o for o in outcomes if o.fitted_future is None]
        print(f"refused before fitting: {len(refused)}")
        for seed, o in enumerate(outcomes):
            fitted = "-" if o.fitted_future is None else f"{o.fitted_future:.4f}"
            print(f"seed {seed}: applied={o.applied} reviews={o.reviews} 60-day log loss "
                  f"default {o.default_future:.4f} fitted {fitted} | {o.reason}")  # fmt: skip


if __name__ == "__main__":
    main()
