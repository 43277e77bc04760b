"""Recall metrics: unweighted log loss, RMSE(bins), AUC, and the paired bootstrap by card."""

import math
import random

import numpy as np
import pytest

from studygame.domain.recall_metrics import (
    auc,
    log_loss,
    paired_bootstrap,
    rmse_bins,
)


def test_log_loss_is_the_mean_surprise_of_each_answer():
    assert log_loss([0.9, 0.2], [True, False]) == pytest.approx(
        -(math.log(0.9) + math.log(0.8)) / 2
    )


def test_a_certain_wrong_prediction_costs_a_finite_loss():
    assert math.isfinite(log_loss([1.0, 0.0], [False, True]))


def test_rmse_bins_compares_each_bins_mean_prediction_with_its_recall_rate():
    # All predictions in one bin: the gap between 0.9 and a recall rate of 0.5.
    assert rmse_bins([0.9, 0.9], [True, False]) == pytest.approx(0.4)
    # Two bins, each exact: no error.
    assert rmse_bins([0.0, 1.0], [False, True]) == pytest.approx(0.0, abs=1e-5)


@pytest.mark.parametrize(
    ("p", "y", "expected"),
    [
        pytest.param([0.1, 0.9], [False, True], 1.0, id="perfect ranking"),
        pytest.param([0.9, 0.1], [False, True], 0.0, id="reversed"),
        pytest.param([0.5, 0.5, 0.5], [False, True, True], 0.5, id="all ties"),
        pytest.param([0.2, 0.3, 0.8], [True, True, True], 0.5, id="one class: no ranking"),
        pytest.param([0.1, 0.4, 0.35, 0.8], [False, False, True, True], 0.75, id="one swap"),
    ],
)
def test_auc(p, y, expected):
    assert auc(p, y) == pytest.approx(expected)


def test_the_metrics_do_not_depend_on_the_order_of_the_reviews():
    rng = random.Random(3)
    p = [rng.random() for _ in range(500)]
    y = [rng.random() < q for q in p]
    order = list(range(500))
    rng.shuffle(order)
    shuffled_p, shuffled_y = [p[i] for i in order], [y[i] for i in order]
    for metric in (log_loss, rmse_bins, auc):
        assert metric(shuffled_p, shuffled_y) == pytest.approx(metric(p, y))


def test_the_bootstrap_interval_holds_a_clear_gain_below_zero():
    rng = np.random.default_rng(1)
    differences = rng.normal(-0.05, 0.2, size=2000)
    cards = rng.integers(0, 300, size=2000)
    interval = paired_bootstrap(differences, cards)
    assert interval.high < 0
    assert interval.low < differences.mean() < interval.high


def test_the_bootstrap_interval_of_noise_straddles_zero():
    rng = np.random.default_rng(2)
    differences = rng.normal(0.0, 0.2, size=2000)
    differences -= differences.mean()
    cards = rng.integers(0, 300, size=2000)
    interval = paired_bootstrap(differences, cards)
    assert interval.low < 0 < interval.high


def test_resampling_by_card_widens_the_interval_when_a_cards_reviews_move_together():
    # 20 cards of 100 reviews each, each card's differences shifted together: few independent units.
    rng = np.random.default_rng(4)
    cards = np.repeat(np.arange(20), 100)
    differences = rng.normal(0, 0.1, size=20)[cards] + rng.normal(0, 0.05, size=2000)
    by_card = paired_bootstrap(differences, cards)
    by_review = paired_bootstrap(differences, np.arange(2000))
    assert by_card.high - by_card.low > 3 * (by_review.high - by_review.low)


def test_the_bootstrap_is_the_same_on_every_run():
    rng = np.random.default_rng(5)
    differences, cards = rng.normal(0, 1, size=300), rng.integers(0, 40, size=300)
    assert paired_bootstrap(differences, cards) == paired_bootstrap(differences, cards)
