"""The app's question bank: loaded once per process, refreshed every few minutes, kept through
a MongoDB outage, joined by the learner's own cards. Pages study from this in-memory bank, so
answering never waits on MongoDB.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st

from studygame.config import Settings
from studygame.services.content import ContentUnavailable, QuestionBank, load_bank
from studygame.services.own_cards import OWN_CARDS_SOURCE, own_cards_bank
from studygame.ui.engine import DATABASE_ERRORS, session

BANK_TTL_S = 600
TYPE_LABELS = {
    "mcq": "multiple choice",
    "truefalse": "true/false",
    "typed": "typed",
    "flashcard": "flashcards",
}


@dataclass(frozen=True)
class BankView:
    """What the pages study from: the latest good bank, and why the last load failed, if it did."""

    bank: QuestionBank | None
    loaded_at: datetime | None
    problem: str | None

    @property
    def stale(self) -> bool:
        """True when the last load failed and `bank` is an older good load."""
        return self.problem is not None and self.bank is not None


@dataclass(frozen=True)
class _Load:
    bank: QuestionBank | None
    problem: str | None
    at: datetime


# Background refresh: after the TTL the next rerun still gets the cached bank at once while a
# fresh load runs beside it, so an answer never waits on MongoDB. A failed load is cached when
# an older good bank stands in for it (an outage then costs one timeout per TTL, not one per
# rerun); with nothing to fall back on it raises, is not cached, and the next run tries again.
@st.cache_resource(ttl=BANK_TTL_S, refresh_mode="background", show_spinner="Loading questions…")
def _load(source_key: str, _settings: Settings) -> _Load:
    try:
        return _Load(load_bank(_settings), None, datetime.now(UTC))
    except ContentUnavailable as exc:
        if source_key not in _last_good():
            raise
        return _Load(None, str(exc), datetime.now(UTC))


@st.cache_resource
def _last_good() -> dict[str, _Load]:
    """Source key -> its last successful load, shared by every session of this process."""
    return {}


def _source_key(settings: Settings) -> str:
    # The cache key must change with the source but must not hold the URI's password.
    uri = settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else ""
    source = "\0".join((uri, settings.mongodb_db, settings.mongodb_collection))
    return hashlib.sha256(source.encode()).hexdigest()


def bank_view(settings: Settings) -> BankView:
    """The cached bank and the learner's own cards, the last good load standing in on an outage."""
    key = _source_key(settings)
    try:
        load = _load(key, settings)
    except ContentUnavailable as exc:
        return BankView(None, None, str(exc))
    if load.bank is not None:
        _last_good()[key] = load
        return BankView(load.bank.with_own_cards(_own_cards()), load.at, None)
    good = _last_good().get(key)
    if good is None:
        return BankView(None, None, load.problem)
    return BankView(good.bank.with_own_cards(_own_cards()), good.at, load.problem)


# The learner's cards change on the Cards page (which bumps the generation, so the next run of
# every session sees them) and now and then from the CLI (seen within the TTL).
@st.cache_resource(ttl=BANK_TTL_S, max_entries=2, show_spinner=False)
def _read_own_cards(generation: int) -> QuestionBank:
    with session() as s:
        return own_cards_bank(s)


@st.cache_resource
def _own_cards_state() -> dict[str, object]:
    """This process's card generation and its last good read of the learner's cards."""
    return {"generation": 0, "last_good": QuestionBank(OWN_CARDS_SOURCE, ())}


def _own_cards() -> QuestionBank:
    state = _own_cards_state()
    # With the database away (the page says so) the last cards read stand in.
    with contextlib.suppress(*DATABASE_ERRORS):
        state["last_good"] = _read_own_cards(state["generation"])
    return state["last_good"]


def cards_changed() -> None:
    """After a card is written: every session of this process studies the new cards."""
    _own_cards_state()["generation"] += 1


def current_bank(settings: Settings) -> QuestionBank:
    """The bank a study page uses; says so when it is stale, stops the page when there is none."""
    view = bank_view(settings)
    if view.bank is None:
        st.error(
            f"{view.problem} No questions can be shown until it is back: "
            "reload the page to try again."
        )
        st.stop()
    if view.stale:
        st.warning(
            f"{view.problem} Still using the questions loaded at {view.loaded_at:%H:%M} UTC.",
            icon="📡",
        )
    return view.bank


def refresh() -> None:
    """Forget the cached load, so the next page run reads the source again (the Refresh button)."""
    _load.clear()
