"""How the old app's SQLite values read: timestamps, booleans and response times. Pure rules."""

from __future__ import annotations

import math
from datetime import UTC, datetime

# Epoch numbers at or above this are milliseconds: 1e11 s is the year 5138, 1e11 ms is 1973.
EPOCH_MS_FROM = 1e11
TRUE_WORDS = frozenset({"1", "true", "t", "yes", "y"})
FALSE_WORDS = frozenset({"0", "false", "f", "no", "n"})
MAX_MS = 2**31 - 1  # attempts.response_ms is a 4-byte integer
# Every reason a row can be refused for, in the order reports list them.
REJECT_REASONS = (
    "missing_question_id",
    "bad_question_id",
    "bad_timestamp",
    "timestamp_out_of_range",
    "bad_correct",
)


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
            if moment.tzinfo is None:
                return moment.replace(tzinfo=UTC)
            try:
                return moment.astimezone(UTC)
            except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
                return None
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


def question_id_problem(value: object, *, max_length: int) -> str | None:
    """The reject reason for a question id as SQLite returned it, or None when it is usable.

    Question ids are printable text: NUL and control characters, the U+FFFD that stands for
    bytes that were not UTF-8, blobs and ids longer than the column are `bad_question_id`.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "missing_question_id"
    if not isinstance(value, str):
        # An integer id survives a loose schema as a number; bytes are not text.
        return "bad_question_id" if isinstance(value, bytes) else None
    if len(value) > max_length or not value.isprintable() or "\ufffd" in value:
        return "bad_question_id"
    return None
