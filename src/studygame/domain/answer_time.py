"""When an answer may have been given: the one window every way into `attempts` enforces.

The app, the outbox replay, an export's restore and the legacy import all check this, and
the `attempts_answered_at_window` CHECK constraint (revision 0005) backs it in the
database. An answer from before the app's era or from the future is a wrong clock or a
hand-edited file, never a real answer: it would feed the schedule and the memory model.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EARLIEST_ANSWER = datetime(2000, 1, 1, tzinfo=UTC)
# A device clock a little ahead of the server's is normal; more is a wrong clock.
MAX_AHEAD = timedelta(minutes=10)


def answer_time_problem(answered_at: datetime, *, now: datetime) -> str | None:
    """Why an answer dated `answered_at` cannot be recorded at `now`; None when it can."""
    if answered_at.tzinfo is None:
        return "its time has no timezone"
    if answered_at < EARLIEST_ANSWER:
        earliest = EARLIEST_ANSWER.date().isoformat()
        return f"it is dated {answered_at.date().isoformat()}, before {earliest}"
    if answered_at > now + MAX_AHEAD:
        minutes = int(MAX_AHEAD.total_seconds() // 60)
        return (
            f"it is dated {answered_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC, more than "
            f"{minutes} minutes ahead of the server's clock"
        )
    return None
