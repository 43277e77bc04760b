"""Secrets never reach a page or a log: real connection errors with a password in the URL."""

import functools
import logging
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from studygame import db
from studygame.ui import auth
from studygame.ui.engine import app_engine
from studygame.ui.errors import UNREACHABLE_BEFORE_PIN

from .conftest import everything_shown

ROOT = Path(__file__).resolve().parents[2]
# The password doubles as the database name, so Postgres's own error message carries it.
PASSWORD = "s3cretpw9"
PAGES = [ROOT / "Home.py", *sorted((ROOT / "pages").glob("*.py"))]
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


def open_home() -> AppTest:
    return AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)


@pytest.fixture
def give_up_at_once(monkeypatch):
    """The wake-up fails on the first try instead of after the backoff."""
    monkeypatch.setattr(db, "wait_for_database", functools.partial(db.wait_for_database, delays=()))


def test_before_the_pin_a_failed_wake_up_says_only_unreachable(
    monkeypatch, all_logs, give_up_at_once
):
    monkeypatch.setenv("DATABASE_URL", LEAKY_URL)
    monkeypatch.setenv("APP_PIN", "4711")
    app = open_home().run()
    assert [e.value for e in app.error] == [
        f"{UNREACHABLE_BEFORE_PIN} Reload the page to try again."
    ]
    shown = everything_shown(app)
    for detail in (PASSWORD, "127.0.0.1", "5432", "root", "does not exist", "connection"):
        assert detail not in shown
    assert PASSWORD not in all_logs.text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_locked_page_on_an_unreachable_database_names_nothing(
    page, monkeypatch, give_up_at_once
):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://dbuser7:{PASSWORD}@127.0.0.1:1/studydb")
    monkeypatch.setenv("APP_PIN", "4711")
    app = AppTest.from_file(str(page), default_timeout=30).run()
    assert [e.value for e in app.error] == [
        f"{UNREACHABLE_BEFORE_PIN} Reload the page to try again."
    ]
    shown = everything_shown(app)
    for detail in (PASSWORD, "dbuser7", "127.0.0.1", "port", "studydb", "refused", "psycopg"):
        assert detail not in shown


def test_a_database_error_behind_the_pin_form_says_only_unreachable(monkeypatch, all_logs):
    monkeypatch.setenv("DATABASE_URL", LEAKY_URL)
    monkeypatch.setenv("APP_PIN", "4711")
    # Skip the wake-up so the connection first fails inside the gate's own query.
    monkeypatch.setattr(db, "wait_for_database", lambda engine: None)
    app = open_home().run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        f"{UNREACHABLE_BEFORE_PIN} Reload the page to try again."
    ]
    assert PASSWORD not in everything_shown(app) and "127.0.0.1" not in everything_shown(app)
    # The owner's log keeps the driver's words and the traceback, redacted.
    assert "Traceback" in all_logs.text and 'database "***" does not exist' in all_logs.text
    assert PASSWORD not in all_logs.text


FRIENDLY = (
    "Could not connect to the database: the server refused the login; check the database "
    "name in the URL. Reload the page to try again."
)


def test_without_a_pin_gate_the_page_gives_the_doctors_sentence(
    monkeypatch, all_logs, give_up_at_once
):
    monkeypatch.setenv("DATABASE_URL", LEAKY_URL)
    app = open_home().run()
    assert [e.value for e in app.error] == [FRIENDLY]
    assert PASSWORD not in everything_shown(app) + all_logs.text


def test_an_unlocked_session_gets_the_doctors_sentence(monkeypatch, all_logs, give_up_at_once):
    monkeypatch.setenv("DATABASE_URL", LEAKY_URL)
    monkeypatch.setenv("APP_PIN", "4711")
    app = open_home()
    app.session_state[auth.UNLOCKED_AT] = app.session_state[auth.LAST_ACTIVITY] = datetime.now(UTC)
    app.run()
    assert [e.value for e in app.error] == [FRIENDLY]
    assert PASSWORD not in everything_shown(app) + all_logs.text


def test_the_status_page_shows_no_password_given_as_an_option(app_database, monkeypatch):
    query_password = "Qu3ry-0pt10n"
    url = make_url(app_database).update_query_dict({"password": query_password})
    monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    app = AppTest.from_file(str(ROOT / "pages" / "9_Status.py"), default_timeout=30).run()
    assert not app.exception
    shown = everything_shown(app)
    assert "password=***" in shown
    assert query_password not in shown


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
