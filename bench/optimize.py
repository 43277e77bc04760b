"""Fit time and held-out metrics of `schedule optimize` on a synthetic learner of 10k to 1M reviews.

    .venv/bin/python bench/optimize.py [--sizes 10000 100000 1000000]

The learner (bench/synthetic_learner.py) remembers by FSRS-6 with known, non-default
parameters and is scheduled by the defaults. For each size: the fit on the first 80 % of
days (wall seconds of `fit_memory_model`: the refusal checks, the fit, and the scoring of
default and fitted parameters on the last 20 % with the bootstrap interval), then log loss
and RMSE(bins) of both. The goal: 100k reviews in < 10 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic_learner import TRUE_PARAMETERS, as_days, generate

from studygame.domain.memory_model import fit_memory_model, verdict
from studygame.domain.scheduling import DEFAULT_PARAMETERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| answers | reviews (fit / judged) | fit s | log loss default -> fitted "
          "| RMSE(bins) default -> fitted | applied |")  # fmt: skip
    print("|---:|---:|---:|---|---|---|")
    for size in args.sizes:
        histories = as_days(generate(size, seed=args.seed))
        started = time.perf_counter()
        fit = fit_memory_model(histories)
        seconds = time.perf_counter() - started
        refusal, _reason = verdict(fit, current=DEFAULT_PARAMETERS)
        print(
            f"| {size:,} | {fit.train_reviews:,} / {fit.test_reviews:,} | {seconds:.1f} "
            f"| {fit.default.log_loss:.4f} -> {fit.fitted.log_loss:.4f} "
            f"| {fit.default.rmse_bins:.4f} -> {fit.fitted.rmse_bins:.4f} | {refusal is None} |",
            flush=True,
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:.0f} MB")
    gap = [round(abs(f - t), 3) for f, t in zip(fit.parameters, TRUE_PARAMETERS, strict=True)]
    print(f"last fit's distance to the true parameters, per parameter: {gap}")


if __name__ == "__main__":
    main()
