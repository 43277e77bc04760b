"""How well recall predictions match answers: log loss, RMSE(bins), AUC and a paired bootstrap.

The definitions are the FSRS benchmark's (log loss, fsrs-rs's 20 log-spaced RMSE bins, AUC),
computed here with every review weighing the same. fsrs-rs's own `evaluate` weights each item
by its place in the list, so its figure changes when the same reviews come in another order;
these do not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RMSE_BINS = 20
# A prediction of exactly 0 or 1 that turns out wrong would cost an infinite loss.
CLIP = 1e-6
RESAMPLES = 2000
CONFIDENCE = 0.95
# A fixed seed: the same history gets the same interval, so a rerun decides the same way.
SEED = 21
# Resamples drawn at once: bounds the memory of the index matrix (chunk x cards).
CHUNK = 100


@dataclass(frozen=True)
class Interval:
    """A bootstrap interval of a mean difference (fitted minus baseline: below zero is a gain)."""

    mean: float
    low: float
    high: float


def _arrays(p: Sequence[float], y: Sequence[bool]) -> tuple[np.ndarray, np.ndarray]:
    return np.clip(np.asarray(p, dtype=float), CLIP, 1 - CLIP), np.asarray(y, dtype=bool)


def log_losses(p: Sequence[float], y: Sequence[bool]) -> np.ndarray:
    """Each answer's log loss: how surprised a prediction of recall `p` is by the outcome `y`."""
    p, y = _arrays(p, y)
    return -np.where(y, np.log(p), np.log1p(-p))


def log_loss(p: Sequence[float], y: Sequence[bool]) -> float:
    """The mean log loss over the answers (lower is better)."""
    return float(log_losses(p, y).mean())


def rmse_bins(p: Sequence[float], y: Sequence[bool]) -> float:
    """RMSE(bins): predicted against actual recall rate in 20 log-spaced bins, weighted by size."""
    p, y = _arrays(p, y)
    # fsrs-rs's bins: finer near 1, where most predictions of a scheduled review fall.
    bins = np.clip(np.floor(np.exp(p * math.log(RMSE_BINS + 1))) - 1, 0, RMSE_BINS - 1)
    bins = bins.astype(int)
    counts = np.bincount(bins, minlength=RMSE_BINS)
    gap = np.bincount(bins, weights=p, minlength=RMSE_BINS) - np.bincount(
        bins, weights=y.astype(float), minlength=RMSE_BINS
    )
    used = counts > 0
    return float(math.sqrt((gap[used] ** 2 / counts[used]).sum() / counts.sum()))


def auc(p: Sequence[float], y: Sequence[bool]) -> float:
    """The chance that a recalled answer was predicted likelier than a forgotten one (ties half).

    0.5 when every answer has the same outcome: nothing to rank.
    """
    p, y = _arrays(p, y)
    recalled = int(y.sum())
    forgotten = len(y) - recalled
    if recalled == 0 or forgotten == 0:
        return 0.5
    # Mann-Whitney: the recalled answers' rank sum, tied predictions sharing their mean rank.
    _values, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    mean_rank = np.cumsum(counts) - (counts - 1) / 2
    rank_sum = mean_rank[inverse][y].sum()
    return float((rank_sum - recalled * (recalled + 1) / 2) / (recalled * forgotten))


def paired_bootstrap(differences: Sequence[float], cards: Sequence[int]) -> Interval:
    """The 95 % interval of the mean per-review difference, resampling whole cards.

    A card's reviews share its history, so they are not independent answers: drawing cards
    (with all their reviews) keeps that, where drawing reviews would make the interval too
    narrow.
    """
    differences = np.asarray(differences, dtype=float)
    _cards, card = np.unique(np.asarray(cards), return_inverse=True)
    sums = np.bincount(card, weights=differences)
    counts = np.bincount(card).astype(float)
    rng = np.random.default_rng(SEED)
    means = []
    for start in range(0, RESAMPLES, CHUNK):
        drawn = rng.integers(0, len(sums), size=(min(CHUNK, RESAMPLES - start), len(sums)))
        means.append(sums[drawn].sum(axis=1) / counts[drawn].sum(axis=1))
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(np.concatenate(means), [tail, 100 - tail])
    return Interval(mean=float(differences.mean()), low=float(low), high=float(high))
