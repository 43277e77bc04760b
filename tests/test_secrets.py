"""No spelling of a password reaches a config error, the doctor, `db upgrade`, a log or a page.

Table-driven over password shapes that URL parsers disagree on, each given raw in the URL,
percent-encoded, and as a `?password=` option.
"""

import functools
import logging
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from studygame import db
from studygame.cli import main
from studygame.config import ConfigError, get_settings
from studygame.redaction import install_log_redaction, secret_forms
from studygame.services import content, doctor
from studygame.ui.engine import app_engine
from studygame.ui.errors import UNREACHABLE_BEFORE_PIN

from .ui.conftest import everything_shown

ROOT = Path(__file__).resolve().parents[1]
PASSWORDS = [
    "Hunter@2Secret",
    "12/ssW0rd",
    "Pa#ssw0rd",
    "Wh?tEver9",
    "100%Sure",
    "pa:ss:W0rd",
    "ünïcødé-Pässwört",
    "Corr3ct h0rse b4ttery",
    "Pre%40Encoded",
]
# Raw in the URL these must be refused: some client would read another password or host.
MUST_ENCODE = {"Hunter@2Secret", "12/ssW0rd", "Pa#ssw0rd", "Wh?tEver9", "100%Sure"}
WHERE = "127.0.0.1:1/studygame"  # nothing listens on port 1


def urls(password: str) -> dict[str, str]:
    encoded = quote(password, safe="")
    return {
        "raw": f"postgresql://root:{password}@{WHERE}",
        "encoded": f"postgresql://root:{encoded}@{WHERE}",
        "query": f"postgresql://root@{WHERE}?sslmode=prefer&password={encoded}",
    }


CASES = [
    pytest.param(password, form, url, id=f"{password}-{form}")
    for password in PASSWORDS
    for form, url in urls(password).items()
]


def leaks(text: str, password: str) -> list[str]:
    """Every spelling of the password, or a telling piece of it, found in `text`."""
    pieces = {p for p in re.split(r"[@/#?%:\s]", password) if len(p) >= 4}
    spellings = set().union(*(secret_forms(form) for form in {password, *pieces}))
    return sorted(s for s in spellings if s in text)


@pytest.mark.parametrize(("password", "form", "url"), CASES)
def test_no_spelling_of_the_password_in_config_doctor_upgrade_or_logs(
    password, form, url, monkeypatch, caplog
):
    caplog.set_level(logging.INFO)
    monkeypatch.setenv("DATABASE_URL", url)
    refused = form == "raw" and password in MUST_ENCODE
    try:
        get_settings()
        problem = ""
    except ConfigError as exc:
        problem = str(exc)
    assert bool(problem) is refused, problem
    if refused:
        assert "percent-encode" in problem

    runner = CliRunner()
    doctor = runner.invoke(main, ["doctor"])
    upgrade = runner.invoke(main, ["db", "upgrade"])
    # The CLI has installed the log redaction; anything the app logs now passes through it.
    try:
        raise OSError(f"could not connect with {url}")
    except OSError:
        logging.getLogger("studygame").exception("connecting to %s failed", url)
    if not refused:
        logging.getLogger("studygame").error("the password is %s", password)
    install_log_redaction(())

    assert doctor.exit_code == upgrade.exit_code == 1
    assert "Traceback" not in doctor.output + upgrade.output
    if refused:
        assert "percent-encode" in doctor.output and "percent-encode" in upgrade.output
    else:
        assert "nothing listens" in upgrade.output
    for shown in (problem, doctor.output, upgrade.output, caplog.text):
        assert leaks(shown, password) == []


@pytest.fixture
def unreachable_app(monkeypatch):
    """Pages on an unreachable database, given up on at once instead of after the backoff."""
    monkeypatch.setattr(db, "wait_for_database", functools.partial(db.wait_for_database, delays=()))
    app_engine.clear()
    yield
    app_engine.clear()


@pytest.mark.parametrize(
    ("password", "form", "url"), [case for case in CASES if case.values[1] != "raw"]
)
def test_before_the_pin_a_page_tells_nothing_but_unreachable(
    password, form, url, monkeypatch, unreachable_app, caplog
):
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("APP_PIN", "80417263")
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30).run()
    assert [e.value for e in app.error] == [
        f"{UNREACHABLE_BEFORE_PIN} Reload the page to try again."
    ]
    shown = everything_shown(app)
    for detail in ("127.0.0.1", "root", "studygame?", "port", "psycopg", "refused", "5432"):
        assert detail not in shown
    assert leaks(shown, password) == [] and leaks(caplog.text, password) == []


MONGO_PASSWORD = "Mu1tiH0stPw"
MONGODB_URIS = [
    f"mongodb://u:{MONGO_PASSWORD}@127.0.0.1:1,127.0.0.1:2/?replicaSet=rs0",
    f"mongodb://u:{MONGO_PASSWORD}@[::1]:1/?authSource=admin",
    f"mongodb://u:{MONGO_PASSWORD}@%2Ftmp%2Fstudygame-no-such.sock/?authSource=admin",
]


@pytest.mark.parametrize("uri", MONGODB_URIS)
def test_doctor_and_the_bank_load_read_every_mongodb_uri_form(uri, monkeypatch):
    monkeypatch.setenv("MONGODB_URI", uri)
    monkeypatch.setattr(doctor, "MONGO_TIMEOUT_MS", 300)
    monkeypatch.setattr(content, "MONGO_TIMEOUT_MS", 300)
    checks = {check.name: check for check in doctor.run_checks(get_settings())}
    assert checks["MONGODB_URI"].detail == uri.replace(MONGO_PASSWORD, "***")
    assert not checks["question bank"].ok
    with pytest.raises(content.ContentUnavailable) as caught:
        content.load_bank(get_settings())
    assert "mongodb://u:***@" in str(caught.value)
    shown = str(caught.value) + "".join(check.detail for check in checks.values())
    assert MONGO_PASSWORD not in shown
