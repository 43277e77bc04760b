"""Secrets never reach a page or a log: real connection errors with a password in the URL."""

import functools
import logging
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from studygame import db
from studygame.ui.engine import app_engine

ROOT = Path(__file__).resolve().parents[2]
# The password doubles as the database name, so Postgres's own error message carries it.
PASSWORD = "s3cretpw9"
LEAKY_URL = f"postgresql://root:{PASSWORD}@127.0.0.1:5432/{PASSWORD}"


@pytest.fixture(autouse=True)
def fresh_app_engine():
    app_engine.clear()
    yield
    app_engine.clear()


@pytest.fixture
def all_logs(caplog):
    """caplog, also fed by Streamlit's loggers, which do not propagate to the root."""
    streamlit_logger = logging.getLogger("streamlit")
    loggers = [streamlit_logger, *(logging.getLogger(n) for n in ("streamlit.error_util",))]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield caplog
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def everything_shown(app: AppTest) -> str:
    def walk(block):
        for child in block.children.values():
            yield child
            if hasattr(child, "children"):
                yield from walk(child)

    return "\n".join(repr(element) for root in (app.main, app.sidebar) for element in walk(root))


def test_a_failed_wake_up_shows_and_logs_no_password(monkeypatch, all_logs):
    monkeypatch.setenv("DATABASE_URL", LEAKY_URL)
    monkeypatch.setenv("APP_PIN", "4711")
    monkeypatch.setattr(db, "wait_for_database", functools.partial(db.wait_for_database, delays=()))
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30).run()
    assert app.error[0].value.startswith("Could not connect to the database: ")
    assert "does not exist" in app.error[0].value  # Postgres's message, with the name redacted
    assert PASSWORD not in everything_shown(app)
    assert PASSWORD not in all_logs.text


def test_a_database_error_behind_the_pin_form_shows_one_redacted_sentence(monkeypatch, all_logs):
    monkeypatch.setenv("DATABASE_URL", LEAKY_URL)
    monkeypatch.setenv("APP_PIN", "4711")
    # Skip the wake-up so the connection first fails inside the gate's own query.
    monkeypatch.setattr(db, "wait_for_database", lambda engine: None)
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30).run()
    assert not app.exception
    [error] = app.error
    assert error.value.startswith("The database did not answer: ")
    assert error.value.endswith("Reload the page to try again.")
    assert PASSWORD not in everything_shown(app)
    assert "Traceback" in all_logs.text and 'database "***" does not exist' in all_logs.text
    assert PASSWORD not in all_logs.text


def test_a_crash_in_a_page_body_shows_and_logs_no_password(monkeypatch, all_logs, app_database):
    monkeypatch.setenv("MONGODB_URI", f"mongodb+srv://me:{PASSWORD}@cluster0.example.net/")
    page = (
        "import os\n"
        "from studygame.ui.page import begin_page\n"
        "begin_page('Crash')\n"
        "raise RuntimeError('cannot reach ' + os.environ['MONGODB_URI'])\n"
    )
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    with patch_config_options({"client.showErrorDetails": config["client"]["showErrorDetails"]}):
        app = AppTest.from_string(page, default_timeout=30).run()
    assert app.exception  # the crash happened, and was shown the configured way
    assert PASSWORD not in everything_shown(app)
    assert "Uncaught app execution" in all_logs.text and "cannot reach" in all_logs.text
    assert PASSWORD not in all_logs.text
