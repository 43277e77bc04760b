"""The PIN throttle's rule: may another PIN be checked now, and if not, from when.

Five wrong PINs within an hour are free; after that each further check waits, counted
from the latest failure: 3, 6, 12, then 15 minutes (never longer). Any ten failures
that fit in one hour are therefore at least 3 + 6 + 12 + 15 + 15 = 51 minutes apart
from first to last, so an eleventh would come at least 66 minutes after the first:
at most ten wrong PINs are checked in any hour, and the owner never waits more than
15 minutes for a check of the right PIN.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)
FREE_TRIES = 5
FIRST_WAIT = timedelta(minutes=3)
MAX_WAIT = timedelta(minutes=15)
MAX_CHECKED_PER_WINDOW = 10


def wait_after(failures_in_window: int) -> timedelta:
    """The pause after the latest failure when the last hour holds this many failures."""
    if failures_in_window < FREE_TRIES:
        return timedelta(0)
    # The doubling reaches MAX_WAIT after a few steps; capping it keeps timedelta in range.
    doublings = min(failures_in_window - FREE_TRIES, 8)
    return min(FIRST_WAIT * 2**doublings, MAX_WAIT)


def next_check_at(failures: Iterable[datetime], *, now: datetime) -> datetime:
    """When the next PIN may be checked: `now` if at once, never later than now + MAX_WAIT."""
    recent = [failed_at for failed_at in failures if failed_at > now - WINDOW]
    if len(recent) < FREE_TRIES:
        return now
    allowed_at = max(recent) + wait_after(len(recent))
    # A failure stamped in the future (a clock set back) must not lock the owner out longer.
    return max(now, min(allowed_at, now + MAX_WAIT))
