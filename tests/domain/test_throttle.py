import random
from datetime import UTC, datetime, timedelta

import pytest

from studygame.domain.throttle import (
    MAX_CHECKED_PER_WINDOW,
    MAX_WAIT,
    WINDOW,
    next_check_at,
    wait_after,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("failures", "wait"),
    [(0, 0), (4, 0), (5, 3), (6, 6), (7, 12), (8, 15), (9, 15), (50, 15)],
)
def test_wait_grows_after_five_failures_and_stops_at_fifteen_minutes(failures, wait):
    assert wait_after(failures) == wait * MIN


@pytest.mark.parametrize(
    ("failed_minutes_ago", "allowed_in_minutes"),
    [
        ([], 0),
        ([1, 1, 1, 1], 0),
        ([1, 1, 1, 1, 1], 2),  # five failures: 3 minutes after the last one
        ([5, 5, 5, 5, 5], 0),
        ([70, 70, 1, 1, 1, 1], 0),  # failures older than an hour no longer count
        ([50, 40, 30, 20, 10, 0], 6),
        ([59, 50, 40, 30, 20, 10, 5, 1], 14),
    ],
)
def test_next_check_depends_on_the_last_hour_only(failed_minutes_ago, allowed_in_minutes):
    failures = [T0 - m * MIN for m in failed_minutes_ago]
    assert next_check_at(failures, now=T0) == T0 + allowed_in_minutes * MIN


def test_failures_stamped_in_the_future_never_lock_out_for_more_than_fifteen_minutes():
    failures = [T0 + 3 * WINDOW] * 9
    assert next_check_at(failures, now=T0) == T0 + MAX_WAIT


def simulate(attempt_times: list[datetime]) -> tuple[list[datetime], timedelta]:
    """Every attempt is a wrong PIN; returns the checked ones and the longest wait met."""
    checked: list[datetime] = []
    longest_wait = timedelta(0)
    for now in attempt_times:
        allowed_at = next_check_at(checked, now=now)
        longest_wait = max(longest_wait, allowed_at - now)
        if allowed_at <= now:
            checked.append(now)
    return checked, longest_wait


def most_in_any_hour(times: list[datetime]) -> int:
    return max(sum(1 for t in times if start <= t < start + WINDOW) for start in times)


def test_a_pin_every_second_for_an_hour_gets_ten_checked():
    checked, longest_wait = simulate([T0 + timedelta(seconds=s) for s in range(3600)])
    print(f"brute force, one try per second for one hour: {len(checked)} wrong PINs checked")
    assert len(checked) == MAX_CHECKED_PER_WINDOW
    assert longest_wait <= MAX_WAIT


def test_a_day_of_brute_force_never_gets_more_than_ten_checked_in_any_hour():
    checked, longest_wait = simulate([T0 + timedelta(seconds=s) for s in range(0, 86_400, 5)])
    print(f"brute force, one try per 5 s for 24 h: {len(checked)} wrong PINs checked")
    assert most_in_any_hour(checked) <= MAX_CHECKED_PER_WINDOW
    assert longest_wait <= MAX_WAIT


@pytest.mark.parametrize("seed", range(20))
def test_random_attack_rhythms_keep_both_limits(seed):
    rng = random.Random(seed)
    times, now = [], T0
    for _ in range(2000):
        now += timedelta(seconds=rng.choice([1, 10, 60, 170, 400, 900, 3000]))
        times.append(now)
    checked, longest_wait = simulate(times)
    assert most_in_any_hour(checked) <= MAX_CHECKED_PER_WINDOW
    assert longest_wait <= MAX_WAIT
