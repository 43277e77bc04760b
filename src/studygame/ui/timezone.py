"""The learner's day follows their own clock: offer the browser's timezone on first use."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import streamlit as st
from sqlalchemy.exc import OperationalError

from studygame.services.learner import (
    LearnerPreferences,
    browser_timezone_offer,
    learner_settings_saved,
    update_learner_settings,
)
from studygame.ui.engine import session


def browser_timezone(current: LearnerPreferences) -> str | None:
    """The browser's timezone when it is worth offering (before the first save), else None."""
    try:
        with session() as s:
            saved = learner_settings_saved(s)
    except OperationalError:
        return None  # studying through an outage matters more than this question
    return browser_timezone_offer(
        saved=saved, current=current.timezone, browser=st.context.timezone
    )


def offer_browser_timezone(current: LearnerPreferences) -> None:
    """Until settings are first saved, ask whether the day should follow the browser's zone.

    Either answer saves the settings, so the question is asked once, not on every visit.
    """
    offer = browser_timezone(current)
    if offer is None:
        return
    with st.container(border=True, key="timezone-offer"):
        st.markdown(
            f"Your browser's clock is in **{offer}**. Should your day (streak, daily goal, "
            f"new cards) start at midnight there, rather than {current.timezone}?"
        )
        use, keep = st.columns(2)
        if use.button(f"Use {offer}", key="timezone-use", type="primary", width="stretch"):
            _save(replace(current, timezone=offer))
        if keep.button(f"Keep {current.timezone}", key="timezone-keep", width="stretch"):
            _save(current)


def _save(preferences: LearnerPreferences) -> None:
    with session() as s:
        update_learner_settings(s, preferences=preferences, now=datetime.now(UTC))
    st.toast(f"Your day now follows {preferences.timezone}.")
    st.rerun()
