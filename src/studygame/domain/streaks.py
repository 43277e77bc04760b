"""The day streak: consecutive local days with at least one answer, with rest days and freezes.

The rules (DESIGN.md, "Game rules"):
- a day with at least one answer extends the streak by one;
- a rest day (nothing was due and nothing was answered) neither extends nor breaks it;
- one missed day in any rolling 7 days is forgiven (a "freeze", as Duolingo does): the
  streak survives it but does not grow;
- today, not yet answered, is still open: it neither extends nor breaks the current streak.

Past due dates are not stored, so a service cannot tell which past days were rest days
and passes none: a past day without answers counts as missed (the weekly freeze still
forgives one). Today needs no flag, since an open today never breaks the streak. The
`rest_days` rule is here for a caller that does know (a stored daily due count, one day).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

FREEZE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Streaks:
    """The current day streak (still alive today) and the best one ever."""

    current: int
    best: int


def compute_streaks(
    active_days: Collection[date], *, today: date, rest_days: Collection[date] = ()
) -> Streaks:
    """The current and best day streaks from the local days on which the learner answered."""
    days = {day for day in active_days if day <= today}
    if not days:
        return Streaks(current=0, best=0)
    rests = set(rest_days)
    run = best = 0
    last_freeze: date | None = None
    day = min(days)
    while day <= today:
        if day in days:
            run += 1
            best = max(best, run)
        elif day in rests or day == today:
            pass
        elif run and (last_freeze is None or (day - last_freeze).days >= FREEZE_WINDOW_DAYS):
            last_freeze = day
        else:
            run, last_freeze = 0, None
        day += timedelta(days=1)
    return Streaks(current=run, best=best)
