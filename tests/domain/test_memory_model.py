"""The memory model: items from histories, the time split, the fit and its proof."""

import random

import pytest
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from studygame.domain.memory_model import (
    MIN_REVIEWS,
    MIN_TEST_DAYS,
    MIN_TEST_REVIEWS,
    FitRefused,
    Metrics,
    ModelFit,
    Refusal,
    expected_reviews_per_day,
    fit_memory_model,
    recall_predictions,
    review_items,
    same_parameters,
    time_split,
    verdict,
)
from studygame.domain.rating import Rating
from studygame.domain.recall_metrics import Interval
from studygame.domain.scheduling import DEFAULT_PARAMETERS, within_bounds

# (rating, day) histories -> (day, [(rating, delta_t) ...]) of each review.
ITEM_CASES = [
    pytest.param([[(3, 10)]], [], id="a first answer is not a review"),
    pytest.param([[(1, 10), (3, 10)]], [], id="a same-day repeat is not a review"),
    pytest.param(
        [[(1, 10), (3, 10), (3, 12)]],
        [(12, [(1, 0), (3, 0), (3, 2)])],
        id="a later day is, with the same-day repeat in its history",
    ),
    pytest.param(
        [[(3, 1), (3, 4)], [(2, 2), (1, 9), (3, 10)]],
        [(4, [(3, 0), (3, 3)]), (9, [(2, 0), (1, 7)]), (10, [(2, 0), (1, 7), (3, 1)])],
        id="each question on its own",
    ),
]


@pytest.mark.parametrize(("histories", "expected"), ITEM_CASES)
def test_review_items(histories, expected):
    items = review_items(histories)
    assert [(item.day, item.answers) for item in items] == expected


def test_time_split_holds_out_the_last_fifth_of_days():
    items = review_items([[(3, 0), *((3, day) for day in range(1, 101))]])
    train, test = time_split(items)
    assert (len(train), len(test)) == (80, 20)
    assert test[0].answers[-1] == (3, 1)


@pytest.fixture(scope="module")
def learner_fit(synthetic_learner):
    histories = synthetic_learner.as_days(synthetic_learner.generate(12_000, seed=4))
    return synthetic_learner, fit_memory_model(histories)


def test_the_fit_beats_the_defaults_beyond_noise_on_held_out_days(learner_fit):
    _learner, fit = learner_fit
    assert fit.test_reviews >= MIN_TEST_REVIEWS and fit.test_days >= MIN_TEST_DAYS
    assert fit.train_reviews > fit.test_reviews
    assert fit.fitted.log_loss < fit.default.log_loss
    assert fit.vs_default.high < 0
    assert fit.vs_default.mean == pytest.approx(fit.fitted.log_loss - fit.default.log_loss)
    assert fit.current == fit.default and fit.vs_current == fit.vs_default
    refusal, reason = verdict(fit, current=DEFAULT_PARAMETERS)
    assert refusal is None, reason
    assert reason.startswith("Better beyond noise: on ")


def test_the_fitted_parameters_are_within_the_schedulers_bounds(learner_fit):
    _learner, fit = learner_fit
    assert within_bounds(fit.parameters)
    for value, low, high in zip(
        fit.parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
    ):
        assert low <= value <= high
    assert not same_parameters(fit.parameters, DEFAULT_PARAMETERS)


def test_the_fit_moves_towards_the_learners_true_parameters(learner_fit):
    learner, fit = learner_fit
    # The true first-day stability after Good (w2) is far below the default's.
    gap = abs(DEFAULT_PARAMETERS[2] - learner.TRUE_PARAMETERS[2])
    assert abs(fit.parameters[2] - learner.TRUE_PARAMETERS[2]) < gap


def test_predictions_are_the_forgetting_curve_at_each_reviews_delay():
    # One card: Good on day 0, reviewed 3 days later. FSRS-6 predicts from w2 (the first
    # stability after Good) and w20 (the curve's flatness): 90 % at exactly w2 days.
    w = DEFAULT_PARAMETERS
    (item,) = review_items([[(Rating.GOOD, 0), (Rating.GOOD, 3)]])
    factor = 0.9 ** (-1 / w[20]) - 1
    expected = (1 + factor * 3 / w[2]) ** -w[20]
    assert recall_predictions(w, [item])[0] == pytest.approx(expected, rel=1e-5)
    (same,) = review_items([[(Rating.GOOD, 0), (Rating.GOOD, round(w[2]))]])
    assert recall_predictions(w, [same])[0] == pytest.approx(0.9, abs=0.01)


@pytest.mark.parametrize("reviews", [0, 1, MIN_REVIEWS - 1])
def test_too_short_a_history_says_how_many_more_reviews(reviews):
    history = [(Rating.GOOD, day) for day in range(reviews + 1)]
    with pytest.raises(FitRefused, match=f"{MIN_REVIEWS - reviews} more reviews") as caught:
        fit_memory_model([history])
    assert caught.value.needed == MIN_REVIEWS - reviews
    assert caught.value.refusal is Refusal.TOO_LITTLE_DATA
    assert str(caught.value).startswith("Too little data: ")


def _cards(grade, *, cards=300, days=200, seed=0):
    """Cards answered every few days for `days` days, each answer graded by `grade(rng)`."""
    rng = random.Random(seed)
    histories = []
    for _ in range(cards):
        day, history = rng.randrange(days // 2), []
        while day < days:
            history.append((grade(rng), day))
            day += rng.randint(1, 30)
        histories.append(history)
    return histories


def test_reviews_on_too_few_days_to_hold_out_are_too_little_data():
    # Many reviews, all on two days: no last fifth of days to judge on.
    histories = [[(Rating.GOOD, 1), (Rating(1 + 2 * (n % 2)), 2)] for n in range(MIN_REVIEWS * 2)]
    with pytest.raises(FitRefused, match="on 14 different days") as caught:
        fit_memory_model(histories)
    assert caught.value.refusal is Refusal.TOO_LITTLE_DATA


def test_too_few_held_out_reviews_are_too_little_data():
    # 1,100 reviews, all but 50 before the last fifth of the days.
    early = [[(Rating.GOOD, 0), (Rating(1 + 2 * (n % 2)), 1 + n % 70)] for n in range(1050)]
    late = [[(Rating.GOOD, 0), (Rating.GOOD, 80 + n % 20)] for n in range(50)]
    with pytest.raises(FitRefused, match="leave 50 reviews on 20 days") as caught:
        fit_memory_model(early + late)
    assert caught.value.refusal is Refusal.TOO_LITTLE_DATA
    assert caught.value.needed == (MIN_TEST_REVIEWS - 50) * 5


@pytest.mark.parametrize(
    ("grade", "message"),
    [
        pytest.param(lambda rng: Rating.AGAIN, "every answer is Again", id="all again"),
        pytest.param(lambda rng: Rating.GOOD, "every answer is Good", id="all good"),
        pytest.param(lambda rng: Rating.HARD, "every answer is Hard", id="all hard"),
        pytest.param(
            lambda rng: rng.choice((Rating.HARD, Rating.GOOD, Rating.EASY)),
            r"the default model's AUC on your history is 0\.50",
            id="never forgotten",
        ),
        pytest.param(
            lambda rng: rng.choice((Rating.AGAIN, Rating.GOOD)),
            "hardly depends on how long since you last saw it",
            id="coin flip",
        ),
    ],
)
def test_a_history_without_a_time_signal_is_refused(grade, message):
    with pytest.raises(FitRefused, match=message) as caught:
        fit_memory_model(_cards(grade))
    assert caught.value.refusal is Refusal.NO_SIGNAL
    assert str(caught.value).startswith("No time signal: ")


def _fit_with(vs_default, *, parameters=None, vs_current=None):
    metrics = Metrics(log_loss=0.40, rmse_bins=0.10)
    return ModelFit(
        parameters=parameters or tuple(p * 1.01 for p in DEFAULT_PARAMETERS),
        reviews=1200,
        train_reviews=900,
        test_reviews=300,
        test_days=20,
        default=metrics,
        current=metrics,
        fitted=metrics,
        vs_default=vs_default,
        vs_current=vs_current or vs_default,
    )


GAIN = Interval(mean=-0.02, low=-0.03, high=-0.01)
NOISE = Interval(mean=-0.005, low=-0.012, high=0.002)
CURRENT = tuple(p * 0.98 for p in DEFAULT_PARAMETERS)
VERDICT_CASES = [
    pytest.param(GAIN, None, None, DEFAULT_PARAMETERS, None, "Better beyond noise: on 300 "
                 "held-out reviews over 20 days", id="a gain beyond noise"),
    pytest.param(NOISE, None, None, DEFAULT_PARAMETERS, Refusal.NOT_BETTER, "Not better beyond "
                 "noise: on 300 held-out reviews over 20 days, the fitted parameters' log loss "
                 "differs from that of the defaults by -0.0050 a review (95% interval -0.0120 "
                 "to +0.0020)", id="a gain within noise"),
    pytest.param(GAIN, None, NOISE, CURRENT, Refusal.NOT_BETTER, "from that of the parameters "
                 "in use", id="beats the defaults, not the parameters in use"),
    pytest.param(GAIN, None, GAIN, CURRENT, None, "Better beyond noise", id="beats both"),
    pytest.param(GAIN, DEFAULT_PARAMETERS, None, DEFAULT_PARAMETERS, Refusal.ALREADY_IN_USE,
                 "already in use", id="the same parameters again"),
    pytest.param(GAIN, (100.0,) * 21, None, DEFAULT_PARAMETERS, Refusal.OUT_OF_BOUNDS, "bounds",
                 id="outside the bounds"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("vs_default", "parameters", "vs_current", "current", "refusal", "why"), VERDICT_CASES
)
def test_verdict_applies_only_a_new_model_better_beyond_noise(
    vs_default, parameters, vs_current, current, refusal, why
):
    fit = _fit_with(vs_default, parameters=parameters, vs_current=vs_current)
    refused, reason = verdict(fit, current=current)
    assert refused is refusal
    assert why in reason


@pytest.mark.parametrize(
    ("stabilities", "retention", "expected"),
    [
        pytest.param([], 0.9, 0.0, id="no cards in review"),
        # At 90 % retention FSRS's interval is the stability itself, in whole days.
        pytest.param([10.0, 10.0, 5.0], 0.9, 0.4, id="one visit per interval"),
        pytest.param([0.2], 0.9, 1.0, id="at least a day apart"),
        pytest.param([1e9], 0.9, 1 / 36500, id="at most the maximum interval"),
    ],
)
def test_expected_reviews_per_day(stabilities, retention, expected):
    per_day = expected_reviews_per_day(
        stabilities, desired_retention=retention, parameters=DEFAULT_PARAMETERS
    )
    assert per_day == pytest.approx(expected)


def test_a_higher_retention_means_more_reviews_a_day():
    stabilities = [3.0, 20.0, 90.0, 400.0]
    per_day = [
        expected_reviews_per_day(s, desired_retention=r, parameters=DEFAULT_PARAMETERS)
        for s, r in ((stabilities, 0.8), (stabilities, 0.9), (stabilities, 0.95))
    ]
    assert per_day == sorted(per_day) and per_day[0] < per_day[-1]
