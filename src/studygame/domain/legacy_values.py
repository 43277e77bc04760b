"""How the old app's SQLite values read: timestamps, booleans and response times. Pure rules."""

from __future__ import annotations

import math
from datetime import UTC, datetime

# Epoch numbers at or above this are milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.
EPOCH_MS_FROM = 1e11
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n"})
MAX_MS = 2**31 - 1  # attempts.response_ms is a 4-byte integer


def parse_timestamp(value: object) -> datetime | None:
    """A UTC datetime from SQLite text, ISO 8601 (offset honoured) or epoch s/ms; else None."""
    if value is None or isinstance(value, bytes):
        return None
    if isinstance(value, str):
        text = value.strip()
        # ISO 8601 / CURRENT_TIMESTAMP text has its first '-' after a four-digit year.
        if text[4:5] == "-":
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return None
            # Naive text is what SQLite's CURRENT_TIMESTAMP writes: UTC.
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        try:
            value = float(text)
        except ValueError:
            return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    seconds = value / 1000 if abs(value) >= EPOCH_MS_FROM else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_bool(value: object) -> bool | None:
    """True/False from 0/1, '0'/'1', true/false, yes/no in any case; None when unreadable."""
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    return None


def milliseconds(value: object, *, scale: int) -> int | None:
    """`value` (a number or numeric text) times `scale`, rounded to an int; None if unusable."""
    try:
        number = float(value) * scale  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or not 0 <= number <= MAX_MS:
        return None
    return round(number)
