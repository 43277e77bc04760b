"""The Settings form: a value out of range gets one sentence and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studygame.services.learner import LearnerPreferences, get_learner_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        (0, 5000, "The daily goal must be a whole number from 1 to 1000 answers."),
        (0, 0, "The daily goal must be a whole number from 1 to 1000 answers."),
        (1, -3, "New cards a day must be a whole number from 0 to 1000 cards."),
        (2, 5, "The speed round must be a whole number from 10 to 600 seconds."),
    ],
)
def test_an_out_of_range_value_is_named_and_nothing_is_saved(committed_db, field, value, sentence):
    app = AppTest.from_file(str(ROOT / "pages/7_Settings.py"), default_timeout=30)
    app.run()
    app.number_input[field].set_value(value)
    app.button[0].click().run()
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == [sentence]
    assert not app.success
    committed_db.rollback()
    assert get_learner_settings(committed_db) == LearnerPreferences()
