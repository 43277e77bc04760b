from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from studygame.domain import throttle
from studygame.models import PinFailure
from studygame.services.pin import PinCheck, PinOutcome, check_pin, next_pin_check_at

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIN = SecretStr("4711")


def failures(session) -> list[datetime]:
    return list(session.scalars(select(PinFailure.failed_at).order_by(PinFailure.failed_at)))


def test_the_right_pin_unlocks_and_records_nothing(session):
    result = check_pin(session, entered="4711", pin=PIN, now=T0)
    assert result.outcome is PinOutcome.UNLOCKED
    assert failures(session) == []


@pytest.mark.parametrize("entered", ["4711 ", " 4711", "4711\n", "\t4711 "])
def test_spaces_around_the_pin_are_ignored_as_they_are_in_app_pin(session, entered):
    result = check_pin(session, entered=entered, pin=PIN, now=T0)
    assert result.outcome is PinOutcome.UNLOCKED
    assert failures(session) == []


@pytest.mark.parametrize("entered", ["4712", "0000", "47111", "471100000000"])
def test_a_wrong_pin_records_only_its_time(session, entered):
    result = check_pin(session, entered=entered, pin=PIN, now=T0)
    assert result.outcome is PinOutcome.WRONG
    assert failures(session) == [T0]


@pytest.mark.parametrize("entered", ["", "  ", "471", "47 11", "47a1", "٤٧١١", "4711000000000"])
def test_what_cannot_be_a_pin_is_refused_without_counting(session, entered):
    result = check_pin(session, entered=entered, pin=PIN, now=T0)
    assert result.outcome is PinOutcome.MALFORMED
    assert failures(session) == []


def test_after_five_wrong_pins_even_the_right_one_waits_then_works(session):
    for second in range(5):
        check_pin(session, entered="0000", pin=PIN, now=T0 + timedelta(seconds=second))
    last = T0 + timedelta(seconds=4)
    assert next_pin_check_at(session, now=last) == last + throttle.FIRST_WAIT
    waiting = check_pin(session, entered="4711", pin=PIN, now=last + timedelta(minutes=1))
    assert waiting == PinCheck(PinOutcome.NOT_CHECKED, last + throttle.FIRST_WAIT)
    assert len(failures(session)) == 5  # a try during the wait is not counted
    after_wait = check_pin(session, entered="4711", pin=PIN, now=last + throttle.FIRST_WAIT)
    assert after_wait.outcome is PinOutcome.UNLOCKED


def test_the_sixth_wrong_pin_says_when_the_next_check_is(session):
    for second in range(6):
        now = T0 + timedelta(minutes=3 * second)
        result = check_pin(session, entered="0000", pin=PIN, now=now)
    assert result == PinCheck(PinOutcome.WRONG, now + throttle.wait_after(6))


def test_failures_older_than_the_window_are_pruned(session):
    check_pin(session, entered="0000", pin=PIN, now=T0)
    later = T0 + throttle.WINDOW + timedelta(seconds=1)
    check_pin(session, entered="0000", pin=PIN, now=later)
    assert failures(session) == [later]


def test_brute_force_for_a_simulated_hour_gets_ten_wrong_pins_checked(session):
    checked = 0
    for second in range(0, 3600, 2):
        guess = f"{second % 10_000:04d}"
        result = check_pin(session, entered=guess, pin=PIN, now=T0 + timedelta(seconds=second))
        checked += result.outcome is PinOutcome.WRONG
    stored = session.scalar(select(func.count()).select_from(PinFailure))
    print(f"brute force through check_pin, one guess per 2 s for an hour: {checked} checked")
    assert checked == stored == throttle.MAX_CHECKED_PER_WINDOW


def test_a_second_check_waits_for_the_first_to_commit(engine):
    with Session(engine) as first, Session(engine) as second:
        check_pin(first, entered="0000", pin=PIN, now=T0)
        second.execute(text("SET LOCAL lock_timeout = '100ms'"))
        with pytest.raises(OperationalError, match="lock timeout"):
            check_pin(second, entered="0000", pin=PIN, now=T0)
        first.rollback()
        second.rollback()
