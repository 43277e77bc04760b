"""The fast engine against py-fsrs: the same floats, states and due dates, answer by answer."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, Scheduler

from studygame.domain.fsrs_engine import LEARNING, Engine
from studygame.domain.scheduling import DEFAULT_PARAMETERS

START = datetime(2026, 1, 1, 8, tzinfo=UTC)
# A learner far from the average, near several bounds (w20 high, w7 low).
OTHER_PARAMETERS = (
    0.05, 0.3, 0.8, 3.0, 7.0, 0.6, 2.5, 0.02, 1.3, 0.25, 1.0, 1.8, 0.09, 0.35, 1.2,
    0.5, 2.2, 0.6, 0.15, 0.1, 0.6,
)  # fmt: skip
MINUTE = timedelta(minutes=1)

SCHEDULERS = [
    pytest.param({}, id="defaults"),
    pytest.param({"parameters": OTHER_PARAMETERS, "desired_retention": 0.8}, id="other learner"),
    pytest.param({"desired_retention": 0.97}, id="high retention"),
    pytest.param({"learning_steps": (MINUTE,), "relearning_steps": ()}, id="one step, none"),
    pytest.param({"learning_steps": (), "relearning_steps": (MINUTE, 5 * MINUTE)}, id="no steps"),
    pytest.param(
        {"learning_steps": (MINUTE, 10 * MINUTE, 60 * MINUTE), "maximum_interval": 30},
        id="three steps, short maximum",
    ),
]
# Gaps between answers: seconds, minutes, the same day, days, months and years.
GAPS = [timedelta(seconds=5), 3 * MINUTE, timedelta(hours=5), timedelta(hours=23, minutes=59),
        timedelta(days=1), timedelta(days=3), timedelta(days=40), timedelta(days=700)]  # fmt: skip


def history(rng: random.Random) -> list[tuple[int, datetime]]:
    clock = START + timedelta(seconds=rng.randrange(86400))
    answers = []
    for _ in range(rng.randint(1, 25)):
        answers.append((rng.choice([1, 2, 3, 3, 3, 4]), clock))
        clock += rng.choice(GAPS) + timedelta(microseconds=rng.randrange(10**6))
    return answers


@pytest.mark.parametrize("config", SCHEDULERS)
def test_every_answer_gives_the_same_state_as_py_fsrs(config):
    scheduler = Scheduler(enable_fuzzing=False, **config)
    engine = Engine(scheduler)
    rng = random.Random(11)
    for _ in range(300):
        card = Card(card_id=0, due=START)
        state = (LEARNING, 0, None, None, None, 0, 0, None)
        for rating, at in history(rng):
            card, _log = scheduler.review_card(card, Rating(rating), at)
            state = engine.replay(state, [(rating, at)])
            kind, step, stability, difficulty, last, _reps, _lapses, interval = state
            assert (kind, step, stability, difficulty, last) == (
                card.state,
                card.step,
                card.stability,
                card.difficulty,
                card.last_review,
            )
            assert engine.due(last, stability, interval) == card.due


def test_a_whole_history_at_once_equals_answer_by_answer():
    engine = Engine(Scheduler(DEFAULT_PARAMETERS, enable_fuzzing=False))
    answers = history(random.Random(3))
    start = (LEARNING, 0, None, None, None, 0, 0, None)
    one_by_one = start
    for answer in answers:
        one_by_one = engine.replay(one_by_one, [answer])
    assert engine.replay(start, answers) == one_by_one


def test_fuzzed_scheduling_is_refused():
    with pytest.raises(ValueError, match="unfuzzed"):
        Engine(Scheduler(enable_fuzzing=True))
