"""The learner's memory model: FSRS-6 parameters fitted to their reviews, judged on held-out days.

Fitting is fsrs-rs's (`fsrs-rs-python`: the Rust optimiser Anki ships, no torch); its memory
states give each review's predicted recall. The verdict is ours: the fit is applied only when
its gain on reviews it never saw is larger than the noise (see docs/scheduling.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

from studygame.domain.rating import Rating
from studygame.domain.recall_metrics import (
    CONFIDENCE,
    Interval,
    auc,
    log_loss,
    log_losses,
    paired_bootstrap,
    rmse_bins,
)
from studygame.domain.scheduling import DEFAULT_PARAMETERS, interval_days, within_bounds

TEST_SHARE = 0.2
# The held-out days must hold enough reviews, spread over enough days, for the interval of
# the gain to be narrower than a real gain: fewer, and noise passes for improvement.
MIN_TEST_REVIEWS = 200
MIN_TEST_DAYS = 14
# fsrs-rs fits all 21 parameters only from 64 training reviews (fewer: the four initial
# stabilities alone; fewer than 8: the defaults).
MIN_TRAIN_REVIEWS = 64
# Below this many reviews, the last fifth of days cannot hold MIN_TEST_REVIEWS.
MIN_REVIEWS = math.ceil(MIN_TEST_REVIEWS / TEST_SHARE)
# A history whose recall the default model ranks no better than this is not explained by
# elapsed time (a coin flip scores 0.5): there is no forgetting curve to fit.
MIN_TIME_SIGNAL_AUC = 0.55
# Parameters closer than this are the same model (the fit is float32).
SAME_PARAMETERS = 1e-4


class Refusal(StrEnum):
    """Why a fit was not applied, as Progress and Settings name it."""

    TOO_LITTLE_DATA = "too little data"
    NO_SIGNAL = "no time signal"
    NOT_BETTER = "not better beyond noise"
    OUT_OF_BOUNDS = "outside FSRS's bounds"
    ALREADY_IN_USE = "already in use"


class FitRefused(ValueError):
    """The history cannot give a trustworthy fit; `needed` more reviews would do (0: unknown)."""

    def __init__(self, message: str, *, refusal: Refusal, needed: int = 0) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.needed = needed


@dataclass(frozen=True)
class Metrics:
    """How well parameters predict held-out answers: lower is better for both."""

    log_loss: float
    rmse_bins: float


@dataclass(frozen=True)
class ModelFit:
    """A fit on the first days and its proof on the last: metrics and the gain's intervals."""

    parameters: tuple[float, ...]
    reviews: int
    train_reviews: int
    test_reviews: int
    test_days: int
    default: Metrics
    current: Metrics
    fitted: Metrics
    # Fitted minus default (and minus current) log loss per held-out review, 95 % interval.
    vs_default: Interval
    vs_current: Interval


@dataclass(frozen=True, slots=True)
class Review:
    """One review: its day, its question, and the first `length` answers of its history."""

    day: int
    card: int
    # The question's (rating, days since its previous answer) answers, shared by its reviews:
    # a million reviews would otherwise copy every prefix.
    history: list[tuple[int, int]]
    length: int

    @property
    def answers(self) -> list[tuple[int, int]]:
        """The (rating, delta days) answers up to and including this review."""
        return self.history[: self.length]

    @property
    def recalled(self) -> bool:
        """Whether this review was remembered (anything but Again)."""
        return self.history[self.length - 1][0] != Rating.AGAIN


def review_items(histories: Iterable[Sequence[tuple[int, int]]]) -> list[Review]:
    """Each review: an answer on a later day than the question's previous one.

    A history is one question's (rating, day number) answers in time order; a review
    carries every answer up to it, as fsrs-rs trains and scores them. Same-day repeats
    stay in the history but are not targets, as in Anki and the FSRS benchmark.
    """
    items = []
    for card, history in enumerate(histories):
        answers: list[tuple[int, int]] = []
        previous_day = None
        for rating, day in history:
            delta = 0 if previous_day is None else day - previous_day
            answers.append((rating, delta))
            previous_day = day
            if delta > 0:
                items.append(Review(day, card, answers, len(answers)))
    return items


def time_split(items: Sequence[Review]) -> tuple[list[Review], list[Review]]:
    """The reviews of the first 80 % of days (to fit) and of the last 20 % (to judge)."""
    if not items:
        return [], []
    first = min(item.day for item in items)
    last = max(item.day for item in items)
    cutoff = first + math.ceil((1 - TEST_SHARE) * (last - first))
    train = [item for item in items if item.day < cutoff]
    test = [item for item in items if item.day >= cutoff]
    return train, test


def recall_predictions(parameters: Sequence[float], items: Sequence[Review]) -> np.ndarray:
    """The recall these parameters predict at each review, from the answers before it."""
    histories = {id(item.history): item.history for item in items}
    whole = [FSRSItem([FSRSReview(r, d) for r, d in h]) for h in histories.values()]
    states = dict(
        zip(histories, FSRS(list(parameters)).historical_memory_state_batch(whole), strict=True)
    )
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    # FSRS-6's forgetting curve: 90 % recall after `stability` days, its flatness set by w20.
    return np.array(
        [
            (1 + factor * item.history[item.length - 1][1]
             / states[id(item.history)][item.length - 2].stability) ** -decay
            for item in items
        ]
    )  # fmt: skip


def fit_memory_model(
    histories: Iterable[Sequence[tuple[int, int]]],
    *,
    current: Sequence[float] = DEFAULT_PARAMETERS,
) -> ModelFit:
    """Fit FSRS-6 on the first 80 % of days and score default, current and fitted on the rest.

    Raises FitRefused, with the reason in a sentence, for a history that cannot prove a fit.
    """
    histories = [list(history) for history in histories]
    items = review_items(histories)
    _refuse_too_few_reviews(items)
    _refuse_uniform_grades(histories)
    train, test = time_split(items)
    _refuse_short_held_out(items, train, test)
    _refuse_without_time_signal(items)
    fitted = tuple(
        float(p) for p in FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(_fsrs_items(train))
    )
    outcomes = [item.recalled for item in test]
    cards = [item.card for item in test]
    losses = {}
    metrics = {}
    for name, parameters in (("default", DEFAULT_PARAMETERS), ("current", current),
                             ("fitted", fitted)):  # fmt: skip
        predicted = recall_predictions(parameters, test)
        losses[name] = log_losses(predicted, outcomes)
        metrics[name] = Metrics(
            log_loss=log_loss(predicted, outcomes), rmse_bins=rmse_bins(predicted, outcomes)
        )
    vs_default = paired_bootstrap(losses["fitted"] - losses["default"], cards)
    return ModelFit(
        parameters=fitted,
        reviews=len(items),
        train_reviews=len(train),
        test_reviews=len(test),
        test_days=len({item.day for item in test}),
        default=metrics["default"],
        current=metrics["current"],
        fitted=metrics["fitted"],
        vs_default=vs_default,
        vs_current=vs_default
        if same_parameters(current, DEFAULT_PARAMETERS)
        else paired_bootstrap(losses["fitted"] - losses["current"], cards),
    )


def _refuse_too_few_reviews(items: Sequence[Review]) -> None:
    if len(items) < MIN_REVIEWS:
        needed = MIN_REVIEWS - len(items)
        raise FitRefused(
            f"Too little data: your history has {len(items)} reviews; a fit needs "
            f"{MIN_REVIEWS} ({needed} more reviews: answers on a later day than the "
            "question's last).",
            refusal=Refusal.TOO_LITTLE_DATA,
            needed=needed,
        )


def _refuse_uniform_grades(histories: Sequence[Sequence[tuple[int, int]]]) -> None:
    grades = {rating for history in histories for rating, _day in history}
    if grades == {Rating.AGAIN}:
        raise FitRefused(
            "No time signal: every answer is Again, so nothing was ever remembered and there "
            "is no forgetting curve to fit.",
            refusal=Refusal.NO_SIGNAL,
        )
    if len(grades) == 1:
        (grade,) = grades
        raise FitRefused(
            f"No time signal: every answer is {Rating(grade).label}, so recall does not "
            "depend on the time since the last review.",
            refusal=Refusal.NO_SIGNAL,
        )


def _refuse_short_held_out(
    items: Sequence[Review], train: Sequence[Review], test: Sequence[Review]
) -> None:
    days = len({item.day for item in test})
    if len(test) >= MIN_TEST_REVIEWS and days >= MIN_TEST_DAYS and len(train) >= MIN_TRAIN_REVIEWS:
        return
    # The held-out part grows with the history: about a fifth of any new reviews join it.
    needed = max(
        math.ceil((MIN_TEST_REVIEWS - len(test)) / TEST_SHARE),
        MIN_TRAIN_REVIEWS - len(train),
        0,
    )
    raise FitRefused(
        f"Too little data: your {len(items)} reviews leave {len(test)} reviews on {days} days "
        f"in the last fifth of your days to judge the fit on (and {len(train)} before them "
        f"to fit); a fit needs {MIN_TEST_REVIEWS} reviews on {MIN_TEST_DAYS} different days "
        f"(and {MIN_TRAIN_REVIEWS} to fit). Keep reviewing on more days.",
        refusal=Refusal.TOO_LITTLE_DATA,
        needed=needed,
    )


def _refuse_without_time_signal(items: Sequence[Review]) -> None:
    ranking = auc(recall_predictions(DEFAULT_PARAMETERS, items), [i.recalled for i in items])
    if ranking <= MIN_TIME_SIGNAL_AUC:
        raise FitRefused(
            f"No time signal: whether you recall a card hardly depends on how long since you "
            f"last saw it (the default model's AUC on your history is {ranking:.2f}; a fit "
            f"needs more than {MIN_TIME_SIGNAL_AUC:.2f}), so a fit would only learn noise.",
            refusal=Refusal.NO_SIGNAL,
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


def verdict(fit: ModelFit, *, current: Sequence[float]) -> tuple[Refusal | None, str]:
    """Why the fit is not applied (None: apply it), and the reason in a sentence for the learner."""
    if not within_bounds(fit.parameters):
        return Refusal.OUT_OF_BOUNDS, (
            "The fitted parameters fall outside FSRS's valid bounds: kept the current."
        )
    if same_parameters(fit.parameters, current):
        return Refusal.ALREADY_IN_USE, (
            "The fit gave the parameters already in use: nothing to change."
        )
    held_out = f"on {fit.test_reviews} held-out reviews over {fit.test_days} days"
    comparisons = [("the defaults", fit.vs_default)]
    if not same_parameters(current, DEFAULT_PARAMETERS):
        comparisons.append(("the parameters in use", fit.vs_current))
    for baseline, gain in comparisons:
        if gain.high >= 0:
            return Refusal.NOT_BETTER, (
                f"Not better beyond noise: {held_out}, the fitted parameters' log loss differs "
                f"from that of {baseline} by {_interval(gain)}; the whole interval must lie below "
                "zero. Kept the current parameters."
            )
    return None, (
        f"Better beyond noise: {held_out}, the fitted parameters' log loss differs from that "
        f"of the defaults by {_interval(fit.vs_default)}, all below zero."
    )


def _interval(gain: Interval) -> str:
    return (
        f"{gain.mean:+.4f} a review ({CONFIDENCE:.0%} interval {gain.low:+.4f} to {gain.high:+.4f})"
    )


def expected_reviews_per_day(
    stabilities: Iterable[float], *, desired_retention: float, parameters: Sequence[float]
) -> float:
    """Reviews a day at this retention in the long run: each card comes back once per interval."""
    return sum(
        1.0 / interval_days(stability, desired_retention=desired_retention, parameters=parameters)
        for stability in stabilities
    )
