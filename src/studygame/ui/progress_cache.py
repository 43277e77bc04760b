"""The Progress report cached until something changes: instant after the first load, never stale.

The cache key is `progress.activity_key` (answer count, right answers, latest answer, latest
card and settings update: a few milliseconds at a million attempts), plus today's date,
since the forecast and the streak move at midnight even when nothing is written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st

from studygame.config import Settings
from studygame.domain.days import local_date
from studygame.services import progress
from studygame.services.progress import ProgressReport
from studygame.ui.bank import bank_view
from studygame.ui.engine import session


def load_report(*, include_legacy: bool) -> ProgressReport:
    """The learner's Progress report, from the cache when nothing was written since."""
    with session() as s:
        key = progress.activity_key(s)
        timezone = progress.learner_timezone(s)
    today = local_date(datetime.now(UTC), timezone)
    return _report(key, timezone, today, include_legacy)


@st.cache_data(show_spinner="Adding up your answers…", max_entries=16)
def _report(
    key: tuple[object, ...], timezone: str, today: date, include_legacy: bool
) -> ProgressReport:
    # `key` and `today` are only part of the cache key.
    with session() as s:
        return progress.progress_report(
            s, timezone=timezone, now=datetime.now(UTC), include_legacy=include_legacy
        )


def attempts_csv_bytes(*, start: date, end: date, deck: str | None, include_legacy: bool) -> bytes:
    """The CSV download, built when the learner presses the button."""
    with session() as s:
        timezone = progress.learner_timezone(s)
        chunks = progress.attempts_csv(
            s, timezone=timezone, start=start, end=end, deck=deck, include_legacy=include_legacy
        )
        return "".join(chunks).encode()


def question_prompts(settings: Settings) -> dict[str, str]:
    """Question id -> prompt from the cached bank; empty while the bank cannot be read."""
    bank = bank_view(settings).bank
    return {q.id: q.prompt for q in bank.questions} if bank else {}
