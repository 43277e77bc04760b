"""The learner's memory model: FSRS-6 parameters fitted to their reviews, judged on held-out days.

Fitting and scoring are fsrs-rs's (`fsrs-rs-python`: the Rust optimiser Anki ships, no torch).
Its `evaluate` gives log loss and RMSE(bins), the two metrics of the FSRS benchmark.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

from studygame.domain.scheduling import DEFAULT_PARAMETERS, interval_days, within_bounds

# fsrs-rs fits all 21 parameters only from 64 training reviews (fewer: the four initial
# stabilities alone; fewer than 8: the defaults). The held-out fifth must be scored too.
MIN_TRAIN_REVIEWS = 64
MIN_TEST_REVIEWS = 16
MIN_REVIEWS = MIN_TRAIN_REVIEWS + MIN_TEST_REVIEWS
TRAIN_SHARE = 0.8
# Parameters closer than this are the same model (the fit is float32).
SAME_PARAMETERS = 1e-4


class NotEnoughHistory(ValueError):
    """Too few reviews (or days) to fit and prove a model; `needed` more reviews would do."""

    def __init__(self, message: str, *, needed: int) -> None:
        super().__init__(message)
        self.needed = needed


@dataclass(frozen=True)
class Metrics:
    """How well parameters predict held-out answers: lower is better for both."""

    log_loss: float
    rmse_bins: float

    def beats(self, other: Metrics) -> bool:
        """True when strictly better on both metrics."""
        return self.log_loss < other.log_loss and self.rmse_bins < other.rmse_bins


@dataclass(frozen=True)
class ModelFit:
    """A fit on the first days and its proof on the last: default, current and fitted metrics."""

    parameters: tuple[float, ...]
    reviews: int
    train_reviews: int
    test_reviews: int
    default: Metrics
    current: Metrics
    fitted: Metrics


@dataclass(frozen=True, slots=True)
class Review:
    """One review: its day, and the first `length` answers of its question's history."""

    day: int
    # The question's (rating, days since its previous answer) answers, shared by its reviews:
    # a million reviews would otherwise copy every prefix.
    history: list[tuple[int, int]]
    length: int

    @property
    def answers(self) -> list[tuple[int, int]]:
        """The (rating, delta days) answers up to and including this review."""
        return self.history[: self.length]


def review_items(histories: Iterable[Sequence[tuple[int, int]]]) -> list[Review]:
    """Each review: an answer on a later day than the question's previous one.

    A history is one question's (rating, day number) answers in time order; a review
    carries every answer up to it, as fsrs-rs trains and scores them. Same-day repeats
    stay in the history but are not targets, as in Anki and the FSRS benchmark.
    """
    items = []
    for history in histories:
        answers: list[tuple[int, int]] = []
        previous_day = None
        for rating, day in history:
            delta = 0 if previous_day is None else day - previous_day
            answers.append((rating, delta))
            previous_day = day
            if delta > 0:
                items.append(Review(day, answers, len(answers)))
    return items


def time_split(items: Sequence[Review]) -> tuple[list[Review], list[Review]]:
    """The reviews of the first 80 % of days (to fit) and of the last 20 % (to judge)."""
    if not items:
        return [], []
    first = min(item.day for item in items)
    last = max(item.day for item in items)
    cutoff = first + math.ceil(TRAIN_SHARE * (last - first))
    train = [item for item in items if item.day < cutoff]
    test = [item for item in items if item.day >= cutoff]
    return train, test


def evaluate(parameters: Sequence[float], items: Sequence[FSRSItem]) -> Metrics:
    """Log loss and RMSE(bins) of these parameters' recall predictions on these reviews."""
    result = FSRS(list(parameters)).evaluate(items)
    return Metrics(log_loss=result.log_loss, rmse_bins=result.rmse_bins)


def fit_memory_model(
    histories: Iterable[Sequence[tuple[int, int]]],
    *,
    current: Sequence[float] = DEFAULT_PARAMETERS,
) -> ModelFit:
    """Fit FSRS-6 on the first 80 % of days and score default, current and fitted on the rest."""
    items = review_items(histories)
    if len(items) < MIN_REVIEWS:
        needed = MIN_REVIEWS - len(items)
        raise NotEnoughHistory(
            f"Your history has {len(items)} reviews; a fit needs {MIN_REVIEWS} "
            f"({needed} more reviews: answers in Review mode on a later day than the last).",
            needed=needed,
        )
    train_items, test_items = time_split(items)
    train, test = _fsrs_items(train_items), _fsrs_items(test_items)
    if len(train) < MIN_TRAIN_REVIEWS or len(test) < MIN_TEST_REVIEWS:
        needed = max(MIN_TRAIN_REVIEWS - len(train), MIN_TEST_REVIEWS - len(test))
        raise NotEnoughHistory(
            f"Your {len(items)} reviews fall on too few days to hold the last fifth out "
            f"({len(train)} to fit, {len(test)} to judge; needs {MIN_TRAIN_REVIEWS} and "
            f"{MIN_TEST_REVIEWS}): about {needed} more reviews on later days.",
            needed=needed,
        )
    fitted = tuple(float(p) for p in FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(train))
    default = evaluate(DEFAULT_PARAMETERS, test)
    return ModelFit(
        parameters=fitted,
        reviews=len(items),
        train_reviews=len(train),
        test_reviews=len(test),
        default=default,
        current=default
        if same_parameters(current, DEFAULT_PARAMETERS)
        else evaluate(current, test),
        fitted=evaluate(fitted, test),
    )


def _fsrs_items(items: Iterable[Review]) -> list[FSRSItem]:
    # One FSRSReview per answer, reused by each of its question's items (fsrs-rs copies them).
    converted: dict[int, list[FSRSReview]] = {}
    fsrs_items = []
    for item in items:
        reviews = converted.get(id(item.history))
        if reviews is None:
            reviews = [FSRSReview(rating, delta) for rating, delta in item.history]
            converted[id(item.history)] = reviews
        fsrs_items.append(FSRSItem(reviews[: item.length]))
    return fsrs_items


def same_parameters(a: Sequence[float], b: Sequence[float]) -> bool:
    """True when two parameter lists are the same model (float32 noise aside)."""
    if len(a) != len(b):
        return False
    return all(abs(x - y) <= SAME_PARAMETERS for x, y in zip(a, b, strict=True))


def verdict(fit: ModelFit, *, current: Sequence[float]) -> tuple[bool, str]:
    """Whether to apply the fit, and why, in one sentence for the learner."""
    if not within_bounds(fit.parameters):
        return False, "The fitted parameters fall outside FSRS's valid bounds: kept the current."
    if same_parameters(fit.parameters, current):
        return False, "The fit gave the parameters already in use: nothing to change."
    if not fit.fitted.beats(fit.default):
        return False, (
            "Your fitted model does not beat the default on both log loss and RMSE "
            "on the held-out days: kept the current parameters."
        )
    if not fit.fitted.beats(fit.current):
        return False, (
            "Your fitted model does not beat the parameters in use on both log loss and "
            "RMSE on the held-out days: kept them."
        )
    return True, "Your fitted model predicts your held-out answers better on both."


def expected_reviews_per_day(
    stabilities: Iterable[float], *, desired_retention: float, parameters: Sequence[float]
) -> float:
    """Reviews a day at this retention in the long run: each card comes back once per interval."""
    return sum(
        1.0 / interval_days(stability, desired_retention=desired_retention, parameters=parameters)
        for stability in stabilities
    )
