"""Checking the shared PIN against the throttle kept in `pin_failures`."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import SecretStr
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from studygame.config import is_well_formed_pin
from studygame.domain import throttle
from studygame.models import PinFailure


class PinOutcome(StrEnum):
    UNLOCKED = "unlocked"
    WRONG = "wrong"
    NOT_CHECKED = "not checked"  # the throttle's wait was not over; nothing was compared
    MALFORMED = "malformed"  # not 4 to 12 digits, so not a PIN try; nothing was compared


@dataclass(frozen=True)
class PinCheck:
    outcome: PinOutcome
    next_check_at: datetime


def next_pin_check_at(session: Session, *, now: datetime) -> datetime:
    """When the next PIN may be checked: `now`, or the end of the throttle's wait."""
    return throttle.next_check_at(_recent_failures(session, now=now), now=now)


def check_pin(session: Session, *, entered: str, pin: SecretStr, now: datetime) -> PinCheck:
    """Compare `entered` with the PIN if the throttle allows it; a wrong one is recorded.

    Only the time of a failure is stored, never what was typed. Input that cannot be a
    PIN (empty, letters) is refused without counting, so a slip of the Enter key costs nothing.
    """
    # Spaces around it are a phone keyboard's habit, and APP_PIN is stripped the same way.
    entered = entered.strip()
    if not is_well_formed_pin(entered):
        return PinCheck(PinOutcome.MALFORMED, now)
    _one_check_at_a_time(session)
    failures = _recent_failures(session, now=now)
    allowed_at = throttle.next_check_at(failures, now=now)
    if allowed_at > now:
        return PinCheck(PinOutcome.NOT_CHECKED, allowed_at)
    if hmac.compare_digest(entered.encode(), pin.get_secret_value().encode()):
        return PinCheck(PinOutcome.UNLOCKED, now)
    # Failures are kept after a success too: clearing them would hand an attacker who
    # watches the owner log in five fresh free tries.
    session.add(PinFailure(failed_at=now))
    session.execute(delete(PinFailure).where(PinFailure.failed_at <= now - throttle.WINDOW))
    return PinCheck(PinOutcome.WRONG, throttle.next_check_at([*failures, now], now=now))


def _recent_failures(session: Session, *, now: datetime) -> list[datetime]:
    query = select(PinFailure.failed_at).where(PinFailure.failed_at > now - throttle.WINDOW)
    return list(session.scalars(query))


def _one_check_at_a_time(session: Session) -> None:
    # Without this, parallel requests could all read the same count and all be checked.
    # EXCLUSIVE blocks other checks and inserts until commit; plain reads go on. SQLite (local
    # development only) serializes writers by itself.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE pin_failures IN EXCLUSIVE MODE"))
