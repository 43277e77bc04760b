"""The learner's settings: the one row of `learner_settings`, or the defaults before it exists."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import available_timezones

from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.models import LearnerSettings

# The one home of these bounds: Settings, the validator and docs/playing.md read them here
# (tests/services/test_learner_docs.py); the table's CHECK constraints hold the same, so a
# bad value gets a sentence, not an error.
DAILY_GOAL_RANGE = (1, 1000)
NEW_CARDS_RANGE = (0, 1000)
SPEED_ROUND_SECONDS_RANGE = (10, 600)
RETENTION_ABOVE, RETENTION_BELOW = 0.7, 0.99
RETENTION_STEP = 0.01


class InvalidSetting(ValueError):
    """A setting the learner typed is out of range; the message is one sentence for them."""


@dataclass(frozen=True)
class LearnerPreferences:
    """What the learner chose: daily goal, new cards a day, timezone, speed round, retention."""

    daily_goal: int = 50
    new_cards_per_day: int = 20
    timezone: str = "UTC"
    speed_round_seconds: int = 60
    desired_retention: float = 0.9


def retention_choices() -> tuple[float, float]:
    """The lowest and highest desired retention the Settings slider offers (both accepted)."""
    return round(RETENTION_ABOVE + RETENTION_STEP, 2), round(RETENTION_BELOW - RETENTION_STEP, 2)


@functools.cache
def timezone_names() -> tuple[str, ...]:
    """Every IANA timezone name this machine knows, sorted, for the settings form."""
    return tuple(sorted(available_timezones()))


def get_learner_settings(session: Session) -> LearnerPreferences:
    """The learner's saved settings, or the defaults when nothing has been saved yet."""
    row = session.get(LearnerSettings, 1)
    if row is None:
        return LearnerPreferences()
    return LearnerPreferences(
        daily_goal=row.daily_goal,
        new_cards_per_day=row.new_cards_per_day,
        timezone=row.timezone,
        speed_round_seconds=row.speed_round_seconds,
        desired_retention=row.desired_retention,
    )


def learner_settings_saved(session: Session) -> bool:
    """Whether the learner has saved settings at least once (else the defaults are in use)."""
    return session.get(LearnerSettings, 1) is not None


def browser_timezone_offer(*, saved: bool, current: str, browser: str | None) -> str | None:
    """The browser's timezone to offer the learner, or None when there is nothing to ask.

    Asked only before the first save: once the learner has chosen (even to keep UTC), a
    laptop abroad must not move their day boundary behind their back.
    """
    if saved or browser is None or browser == current or browser not in timezone_names():
        return None
    return browser


def update_learner_settings(
    session: Session, *, preferences: LearnerPreferences, now: datetime
) -> LearnerPreferences:
    """Validate and save the learner's settings; raises InvalidSetting and saves nothing if bad."""
    validate(preferences)
    values = {**asdict(preferences), "updated_at": now}
    upsert = dialect_insert(session)(LearnerSettings).values(id=1, **values)
    session.execute(upsert.on_conflict_do_update(index_elements=[LearnerSettings.id], set_=values))
    session.expire_all()
    return preferences


def validate(preferences: LearnerPreferences) -> None:
    """Raise InvalidSetting with one sentence for the first value out of range."""
    _check_range("The daily goal", preferences.daily_goal, DAILY_GOAL_RANGE, "answers")
    _check_range("New cards a day", preferences.new_cards_per_day, NEW_CARDS_RANGE, "cards")
    _check_range(
        "The speed round", preferences.speed_round_seconds, SPEED_ROUND_SECONDS_RANGE, "seconds"
    )
    if not RETENTION_ABOVE < preferences.desired_retention < RETENTION_BELOW:
        raise InvalidSetting(
            f"Desired retention must be above {RETENTION_ABOVE} and below {RETENTION_BELOW} "
            f"(0.9 means you expect to remember 90% of cards when they come due)."
        )
    if preferences.timezone not in timezone_names():
        raise InvalidSetting(
            f"{preferences.timezone!r} is not a timezone: use a name like Europe/Paris or UTC."
        )


def _check_range(label: str, value: int, bounds: tuple[int, int], unit: str) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidSetting(f"{label} must be a whole number from {low} to {high} {unit}.")
