"""py-fsrs's `Scheduler.review_card` (no fuzz) as one tight loop over a card's answers.

Why not call the library per answer: a rebuild replays every answer ever given, and
`review_card` copies a Card, builds a ReviewLog and goes through keyword-argument methods
for each one (~15 us); 200,000 answers took 3 s. This loop computes the same floats with
the same expressions in the same order (so the results are bit-identical, which
tests/domain/test_fsrs_engine.py checks against the library on random histories), keeps
the state in locals, and works out a due date only after the last answer.
Live answers and rebuilds both go through it, so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from fsrs import Scheduler
from fsrs.scheduler import MAX_DIFFICULTY, MIN_DIFFICULTY, STABILITY_MIN

from studygame.domain.rating import Rating

LEARNING, REVIEW, RELEARNING = 1, 2, 3
# Plain ints in the hot loop: an enum member's comparisons cost more per answer.
AGAIN, HARD, GOOD, EASY = RATINGS = tuple(int(rating) for rating in Rating)
E = math.e

# (state, step, stability, difficulty, last_review, reps, lapses, interval) where interval is
# a learning step (timedelta) or None when the next interval is FSRS's (whole days).
EngineState = tuple


class Engine:
    """One scheduler configuration (parameters, retention, steps), ready to replay answers."""

    def __init__(self, scheduler: Scheduler) -> None:
        if scheduler.enable_fuzzing:
            raise ValueError("the engine reproduces unfuzzed scheduling only")
        self.scheduler = scheduler
        w = scheduler.parameters
        self.w = w
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        # Subexpressions of py-fsrs's formulas that depend on the parameters alone.
        # Indexed by rating (1 to 4).
        self.initial_stability = (None, *(max(w[r - 1], STABILITY_MIN) for r in RATINGS))
        self.initial_difficulty = (
            None,
            *(min(max(w[4] - (E ** (w[5] * (r - 1))) + 1, MIN_DIFFICULTY), MAX_DIFFICULTY)
              for r in RATINGS),
        )  # fmt: skip
        self.difficulty_delta = (None, *(-(w[6] * (r - 3)) for r in RATINGS))
        self.easy_difficulty = w[4] - (E ** (w[5] * (EASY - 1))) + 1
        self.recall_base = E ** w[8]
        self.forget_short_divisor = E ** (w[17] * w[18])
        self.short_term_base = (None, *(E ** (w[17] * (r - 3 + w[18])) for r in RATINGS))
        self.interval_scale = (scheduler.desired_retention ** (1 / self.decay)) - 1
        self.learning = _Steps(tuple(scheduler.learning_steps))
        self.relearning = _Steps(tuple(scheduler.relearning_steps))

    def next_interval_days(self, stability: float) -> int:
        """py-fsrs's `_next_interval`: whole days, at least 1, at most the maximum."""
        days = round((stability / self.factor) * self.interval_scale)
        return min(max(days, 1), self.scheduler.maximum_interval)

    def due(self, last_review: datetime, stability: float, interval: timedelta | None) -> datetime:
        """When a card reviewed at `last_review` comes back."""
        if interval is None:
            interval = timedelta(days=self.next_interval_days(stability))
        return last_review + interval

    def replay(self, start: EngineState, answers: Iterable[tuple[int, datetime]]) -> EngineState:
        """The state after these (rating, time) answers in order, from `start`."""
        state, step, s, d, last, reps, lapses, interval = start
        w = self.w
        decay, factor = self.decay, self.factor
        w7, w9, w10 = w[7], w[9], w[10]
        w11, w12, w13, w14, w15, w16, w19 = w[11], w[12], w[13], w[14], w[15], w[16], w[19]
        mean_easy = w7 * self.easy_difficulty
        keep = 1 - w7
        recall_base = self.recall_base
        forget_short_divisor = self.forget_short_divisor
        short_term_base = self.short_term_base
        initial_stability = self.initial_stability
        initial_difficulty = self.initial_difficulty
        difficulty_delta = self.difficulty_delta
        for rating, now in answers:
            days = None if last is None else (now - last).days
            if state == REVIEW and rating == AGAIN:
                # A lapse is forgetting a card that had graduated to review (Anki's definition).
                lapses += 1
            # Comparisons instead of min() and max(): the same values, without the calls.
            if state == LEARNING and (s is None or d is None):
                s = initial_stability[rating]
                d = initial_difficulty[rating]
            else:
                if days is not None and days < 1:
                    increase = short_term_base[rating] * (s**-w19)
                    if rating != AGAIN and increase < 1.0:
                        increase = 1.0
                    s = s * increase
                    if s < STABILITY_MIN:
                        s = STABILITY_MIN
                else:
                    # py-fsrs's retrievability: 0 for a card never reviewed.
                    elapsed = days if days is not None and days > 0 else 0
                    r = 0 if last is None else (1 + factor * elapsed / s) ** decay
                    if rating == AGAIN:
                        long_term = (
                            w11 * (d**-w12) * (((s + 1) ** w13) - 1) * (E ** ((1 - r) * w14))
                        )
                        short_term = s / forget_short_divisor
                        s = short_term if short_term < long_term else long_term
                    else:
                        s = s * (
                            1
                            + recall_base
                            * (11 - d)
                            * (s**-w9)
                            * ((E ** ((1 - r) * w10)) - 1)
                            * (w15 if rating == HARD else 1)
                            * (w16 if rating == EASY else 1)
                        )
                    if s < STABILITY_MIN:
                        s = STABILITY_MIN
                d = mean_easy + keep * (d + (10.0 - d) * difficulty_delta[rating] / 9.0)
                if d < MIN_DIFFICULTY:
                    d = MIN_DIFFICULTY
                elif d > MAX_DIFFICULTY:
                    d = MAX_DIFFICULTY
            if state == REVIEW:
                if rating == AGAIN and self.relearning.count:
                    state, step, interval = RELEARNING, 0, self.relearning.steps[0]
                else:
                    interval = None
            else:
                steps = self.learning if state == LEARNING else self.relearning
                state, step, interval = steps.after(step, rating, state)
            last = now
            reps += 1
        return state, step, s, d, last, reps, lapses, interval


class _Steps:
    """Learning or relearning steps, and where each rating moves a card through them."""

    def __init__(self, steps: tuple[timedelta, ...]) -> None:
        self.steps = steps
        self.count = len(steps)
        self.hard = [self._hard(step) for step in range(self.count)]

    def _hard(self, step: int) -> timedelta:
        if step == 0 and self.count == 1:
            return self.steps[0] * 1.5
        if step == 0 and self.count >= 2:
            return (self.steps[0] + self.steps[1]) / 2.0
        return self.steps[step]

    def after(self, step: int, rating: int, state: int) -> tuple[int, int | None, timedelta | None]:
        """(state, step, interval) after `rating` on this step; REVIEW with None graduates."""
        if self.count == 0 or (step >= self.count and rating != AGAIN):
            return REVIEW, None, None
        if rating == AGAIN:
            return state, 0, self.steps[0]
        if rating == HARD:
            return state, step, self.hard[step]
        if rating == GOOD:
            if step + 1 == self.count:
                return REVIEW, None, None
            return state, step + 1, self.steps[step + 1]
        return REVIEW, None, None
