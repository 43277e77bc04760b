"""The learner's local day: which calendar day an instant falls on, and when a day begins.

Every rule that counts by day (the daily goal, the day streak, new cards a day, Progress's
charts, the memory model's review days) asks here, in the learner's IANA timezone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class UnknownTimezone(ValueError):
    """The timezone setting is not an IANA name."""


def zone(timezone: str) -> ZoneInfo:
    """The IANA timezone by name; UnknownTimezone (one sentence) when there is none."""
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(f"{timezone!r} is not a time zone name like Europe/Paris.") from None


def local_date(moment: datetime, timezone: str) -> date:
    """The learner's calendar day for an aware instant, in their IANA timezone."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime in UTC")
    return moment.astimezone(zone(timezone)).date()


def start_of_local_day(day: date, timezone: str) -> datetime:
    """The UTC instant at which a local calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=zone(timezone)).astimezone(UTC)


def day_start(now: datetime, timezone: str) -> datetime:
    """The UTC instant at which the learner's local day containing `now` began."""
    return start_of_local_day(local_date(now, timezone), timezone)
