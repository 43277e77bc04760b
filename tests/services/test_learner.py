"""Learner settings on the real Postgres: defaults, saving, and one sentence for bad values."""

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from studygame.services import learner
from studygame.services.learner import (
    InvalidSetting,
    LearnerPreferences,
    browser_timezone_offer,
    get_learner_settings,
    learner_settings_saved,
    update_learner_settings,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def test_defaults_before_anything_is_saved(session):
    assert get_learner_settings(session) == LearnerPreferences(
        daily_goal=50,
        new_cards_per_day=20,
        timezone="UTC",
        speed_round_seconds=60,
        desired_retention=0.9,
    )


def test_saved_settings_are_read_back_and_can_be_changed_again(session):
    first = LearnerPreferences(
        daily_goal=30,
        new_cards_per_day=5,
        timezone="Europe/Paris",
        speed_round_seconds=90,
        desired_retention=0.85,
    )
    update_learner_settings(session, preferences=first, now=NOW)
    assert get_learner_settings(session) == first
    second = replace(first, daily_goal=80)
    update_learner_settings(session, preferences=second, now=NOW)
    assert get_learner_settings(session) == second


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"daily_goal": 0}, "The daily goal must be a whole number from 1 to 1000 answers."),
        ({"daily_goal": 1001}, "The daily goal must be a whole number from 1 to 1000 answers."),
        ({"new_cards_per_day": -1}, "New cards a day must be a whole number from 0 to 1000 cards."),
        ({"speed_round_seconds": 5}, "The speed round must be a whole number from 10 to 600"),
        ({"speed_round_seconds": 30.5}, "The speed round must be a whole number"),
        ({"desired_retention": 0.7}, "Desired retention must be above 0.7 and below 0.99"),
        ({"desired_retention": 0.99}, "Desired retention must be above 0.7 and below 0.99"),
        ({"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not a timezone"),
        ({"timezone": ""}, "'' is not a timezone"),
        ({"timezone": "../etc/passwd"}, "'../etc/passwd' is not a timezone"),
    ],
)
def test_a_bad_value_is_one_sentence_and_saves_nothing(session, change, sentence):
    update_learner_settings(session, preferences=LearnerPreferences(daily_goal=42), now=NOW)
    with pytest.raises(InvalidSetting, match="^" + re.escape(sentence)):
        update_learner_settings(
            session, preferences=replace(LearnerPreferences(), **change), now=NOW
        )
    assert get_learner_settings(session).daily_goal == 42


@pytest.mark.parametrize(
    "change",
    [
        {"daily_goal": 1},
        {"daily_goal": 1000},
        {"new_cards_per_day": 0},
        {"speed_round_seconds": 10},
        {"speed_round_seconds": 600},
        {"desired_retention": 0.71},
        {"desired_retention": 0.98},
        {"timezone": "America/Argentina/Buenos_Aires"},
    ],
)
def test_values_at_the_edges_are_saved(session, change):
    preferences = replace(LearnerPreferences(), **change)
    update_learner_settings(session, preferences=preferences, now=NOW)
    assert get_learner_settings(session) == preferences


def test_settings_count_as_saved_only_after_the_first_save(session):
    assert not learner_settings_saved(session)
    update_learner_settings(session, preferences=LearnerPreferences(), now=NOW)
    assert learner_settings_saved(session)


@pytest.mark.parametrize(
    ("saved", "current", "browser", "offer"),
    [
        (False, "UTC", "Europe/Paris", "Europe/Paris"),
        (True, "UTC", "Europe/Paris", None),  # the learner chose already: never move their day
        (False, "UTC", "UTC", None),
        (False, "UTC", None, None),  # the browser did not say
        (False, "UTC", "Mars/Olympus_Mons", None),  # not a zone this machine knows
        (False, "UTC", "", None),
    ],
)
def test_the_browser_timezone_is_offered_once_before_the_first_save(saved, current, browser, offer):
    assert browser_timezone_offer(saved=saved, current=current, browser=browser) == offer


def test_the_documented_ranges_are_the_ones_enforced():
    table = (Path(__file__).resolve().parents[2] / "docs" / "playing.md").read_text()
    for label, (low, high) in (
        ("Daily goal", learner.DAILY_GOAL_RANGE),
        ("New cards a day (Review)", learner.NEW_CARDS_RANGE),
        ("Speed round length", learner.SPEED_ROUND_SECONDS_RANGE),
    ):
        assert re.search(rf"^\| {re.escape(label)} \|[^|]*\| {low} to {high}\b", table, re.M), label
    above, below = learner.RETENTION_ABOVE, learner.RETENTION_BELOW
    assert f"above {above}, below {below}" in table
