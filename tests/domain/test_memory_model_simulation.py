"""The verdict on simulated learners (bench/fit_simulation.py): applied only when it helps.

The learners' memory and the judge of the next 60 days are py-fsrs's, not the fit code's; the
app schedules them with its own `review()`. About 20 s of CPU for the 30 histories.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

DEFAULT_HISTORIES = 20
FAST_HISTORIES = 10


@pytest.fixture(scope="module")
def simulation():
    path = Path(__file__).resolve().parents[2] / "bench" / "fit_simulation.py"
    spec = importlib.util.spec_from_file_location("fit_simulation", path)
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_learner_whose_memory_is_the_defaults_almost_never_gets_a_fit(simulation):
    outcomes = [
        simulation.run_history(simulation.LEARNERS["defaults"], seed=seed)
        for seed in range(DEFAULT_HISTORIES)
    ]
    applied = [o for o in outcomes if o.applied]
    assert len(applied) <= 1, [o.reason for o in applied]
    # Whatever was applied predicts the next 60 days no worse than the defaults.
    assert all(o.fitted_future <= o.default_future for o in applied)


def test_a_fast_forgetter_gets_a_fit_that_predicts_the_next_60_days_better(simulation):
    outcomes = [
        simulation.run_history(simulation.LEARNERS["fast forgetter"], seed=seed)
        for seed in range(FAST_HISTORIES)
    ]
    applied = [o for o in outcomes if o.applied]
    assert len(applied) >= FAST_HISTORIES - 1, [o.reason for o in outcomes if not o.applied]
    assert all(o.fitted_future < o.default_future for o in applied)
