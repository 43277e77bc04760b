"""docs/playing.md's settings table says what services/learner.py defines: defaults and bounds.

Issue 24: the bounds had drifted (the slider ran 0.75-0.97, the docs said 0.7-0.99).
"""

from __future__ import annotations

import re
from pathlib import Path

from studygame.models import LearnerSettings
from studygame.services.learner import (
    DAILY_GOAL_RANGE,
    NEW_CARDS_RANGE,
    RETENTION_ABOVE,
    RETENTION_BELOW,
    SPEED_ROUND_SECONDS_RANGE,
    LearnerPreferences,
    retention_choices,
)

PLAYING = Path(__file__).resolve().parents[2] / "docs" / "playing.md"


def settings_rows() -> dict[str, tuple[str, str]]:
    """The settings table of docs/playing.md: setting -> (default, range)."""
    rows = re.findall(r"^\| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", PLAYING.read_text(), re.M)
    return {name.strip(): (default.strip(), bounds.strip()) for name, default, bounds in rows}


def test_the_docs_show_learner_py_defaults_and_bounds():
    rows = settings_rows()
    defaults = LearnerPreferences()
    assert rows["Daily goal"] == (
        f"{defaults.daily_goal} answers",
        f"{DAILY_GOAL_RANGE[0]} to {DAILY_GOAL_RANGE[1]}",
    )
    assert rows["New cards a day (Review)"] == (
        f"{defaults.new_cards_per_day}",
        f"{NEW_CARDS_RANGE[0]} to {NEW_CARDS_RANGE[1]}",
    )
    assert rows["Speed round length"] == (
        f"{defaults.speed_round_seconds} s",
        f"{SPEED_ROUND_SECONDS_RANGE[0]} to {SPEED_ROUND_SECONDS_RANGE[1]} s",
    )
    low, high = retention_choices()
    assert rows["Desired retention (FSRS)"] == (
        f"{defaults.desired_retention}",
        f"above {RETENTION_ABOVE}, below {RETENTION_BELOW} (the slider: {low} to {high}): "
        "higher means more reviews",
    )


def test_the_tables_checks_hold_the_same_bounds():
    checks = {
        str(c.sqltext) for c in LearnerSettings.__table__.constraints if hasattr(c, "sqltext")
    }
    assert {
        f"daily_goal BETWEEN {DAILY_GOAL_RANGE[0]} AND {DAILY_GOAL_RANGE[1]}",
        f"new_cards_per_day BETWEEN {NEW_CARDS_RANGE[0]} AND {NEW_CARDS_RANGE[1]}",
        "speed_round_seconds BETWEEN "
        f"{SPEED_ROUND_SECONDS_RANGE[0]} AND {SPEED_ROUND_SECONDS_RANGE[1]}",
        f"desired_retention > {RETENTION_ABOVE} AND desired_retention < {RETENTION_BELOW}",
    } <= checks, checks


def test_the_slider_offers_only_values_the_validator_accepts():
    low, high = retention_choices()
    assert RETENTION_ABOVE < low < high < RETENTION_BELOW
    assert (low, high) == (0.71, 0.98)
