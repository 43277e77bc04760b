"""The memory model: items from histories, the time split, the fit and its proof."""

import pytest
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from studygame.domain.memory_model import (
    MIN_REVIEWS,
    Metrics,
    ModelFit,
    NotEnoughHistory,
    expected_reviews_per_day,
    fit_memory_model,
    review_items,
    same_parameters,
    time_split,
    verdict,
)
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
    histories = synthetic_learner.as_days(synthetic_learner.generate(5000, seed=4))
    return synthetic_learner, fit_memory_model(histories)


def test_the_fit_beats_the_defaults_on_held_out_days(learner_fit):
    _learner, fit = learner_fit
    assert fit.test_reviews > 0 and fit.train_reviews > fit.test_reviews
    assert fit.fitted.log_loss < fit.default.log_loss
    assert fit.fitted.rmse_bins < fit.default.rmse_bins
    assert fit.current == fit.default
    assert verdict(fit, current=DEFAULT_PARAMETERS)[0]


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


@pytest.mark.parametrize("reviews", [0, 1, MIN_REVIEWS - 1])
def test_too_short_a_history_says_how_many_more_reviews(reviews):
    history = [(3, day) for day in range(reviews + 1)]
    with pytest.raises(NotEnoughHistory, match=f"{MIN_REVIEWS - reviews} more reviews") as caught:
        fit_memory_model([history])
    assert caught.value.needed == MIN_REVIEWS - reviews


def test_enough_reviews_on_too_few_days_is_too_short_too():
    # Many reviews, all on two days: no last fifth of days to judge on.
    histories = [[(3, 1), (3, 2)] for _ in range(MIN_REVIEWS * 2)]
    with pytest.raises(NotEnoughHistory, match="more reviews on later days"):
        fit_memory_model(histories)


def _fit_with(fitted: Metrics, *, parameters=None, current=None):
    default = Metrics(log_loss=0.40, rmse_bins=0.10)
    return ModelFit(
        parameters=parameters or tuple(p * 1.01 for p in DEFAULT_PARAMETERS),
        reviews=100,
        train_reviews=80,
        test_reviews=20,
        default=default,
        current=current or default,
        fitted=fitted,
    )


VERDICT_CASES = [
    pytest.param(Metrics(0.30, 0.05), None, None, True, "better on both", id="better on both"),
    pytest.param(Metrics(0.30, 0.12), None, None, False, "beat the default", id="rmse worse"),
    pytest.param(Metrics(0.45, 0.05), None, None, False, "beat the default", id="loss worse"),
    pytest.param(
        Metrics(0.35, 0.08), None, Metrics(0.30, 0.05), False, "parameters in use",
        id="better than default, worse than current",
    ),
    pytest.param(
        Metrics(0.30, 0.05), DEFAULT_PARAMETERS, None, False, "already in use",
        id="the same parameters again",
    ),
    pytest.param(
        Metrics(0.30, 0.05), (100.0,) * 21, None, False, "bounds", id="outside the bounds"
    ),
]  # fmt: skip


@pytest.mark.parametrize(("fitted", "parameters", "current", "apply", "why"), VERDICT_CASES)
def test_verdict_applies_only_a_better_new_model(fitted, parameters, current, apply, why):
    fit = _fit_with(fitted, parameters=parameters, current=current)
    applied, reason = verdict(fit, current=DEFAULT_PARAMETERS)
    assert applied is apply
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
