"""The PIN gate through AppTest: every page locked, unlock, throttle, idle lock, fail-closed."""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select
from streamlit.testing.v1 import AppTest

from studygame.config import get_settings
from studygame.domain import throttle
from studygame.models import PinFailure
from studygame.ui import auth
from studygame.ui.engine import app_engine

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "Home.py"
# Globbed, not listed: a page another change adds is checked without editing this file.
PAGES = [HOME, *sorted((ROOT / "pages").glob("*.py"))]
PIN = "80417263"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PIN_FORM = [
    ("title", "StudyGame"),
    ("markdown", auth.FORM_INTRO),
    ("text_input", "PIN"),
    ("button", "Unlock"),
]


class Clock:
    """The gate's clock, moved by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock(T0)
    monkeypatch.setattr(auth, "utcnow", clock)
    return clock


@pytest.fixture
def gated_app(app_database, monkeypatch, clock):
    """The app on the test database with APP_PIN set; committed PIN failures are removed."""
    monkeypatch.setenv("APP_PIN", PIN)
    app_engine.clear()
    yield app_database
    app_engine.clear()
    engine = create_engine(app_database)
    with engine.begin() as connection:
        connection.execute(delete(PinFailure))
    engine.dispose()


def leaves(block):
    """Every element under a block, in page order."""
    for child in block.children.values():
        if hasattr(child, "children") and child.type not in ("text_input", "button"):
            yield from leaves(child)
        else:
            yield child


def shown(block) -> list[tuple[str, object]]:
    return [(e.type, getattr(e, "label", None) or getattr(e, "value", None)) for e in leaves(block)]


def open_page(page: Path = HOME) -> AppTest:
    app = AppTest.from_file(str(page), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def enter_pin(app: AppTest, pin: str) -> AppTest:
    app.text_input(key=auth.PIN_FIELD).input(pin)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def messages(app: AppTest) -> list[str]:
    return [e.value for kind in ("error", "warning", "info") for e in getattr(app, kind)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_locked_page_shows_only_the_pin_form(page, gated_app):
    app = open_page(page)
    assert shown(app.main) == PIN_FORM
    assert shown(app.sidebar) == []


def first_call(source: str) -> str | None:
    """The function called by a page's first top-level statement that calls anything."""
    for statement in ast.parse(source).body:
        if any(isinstance(node, ast.Call) for node in ast.walk(statement)):
            call = statement.value if isinstance(statement, ast.Expr | ast.Assign) else None
            return getattr(getattr(call, "func", None), "id", None)
    return None


@pytest.mark.parametrize(
    ("source", "name"),
    [
        (
            '"""Doc."""\nimport streamlit as st\nsettings = begin_page("A")\nst.title("A")',
            "begin_page",
        ),
        ('MODES = ("a", "b")\nbegin_page("A")', "begin_page"),
        ('st.title("A")\nbegin_page("A")', None),
        ('X = load()\nbegin_page("A")', "load"),
        ('if True:\n    begin_page("A")', None),
        ("import streamlit as st", None),
    ],
)
def test_first_call_finds_what_a_page_runs_first(source, name):
    assert first_call(source) == name


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_page_calls_begin_page_before_anything_else(page):
    assert first_call(page.read_text()) == "begin_page", (
        f"{page.name}: the first statement that calls anything must be begin_page(...)"
    )


def test_the_right_pin_unlocks_home_and_shows_the_lock_button(gated_app):
    app = enter_pin(open_page(), PIN)
    assert [t.value for t in app.title] == ["StudyGame"]
    assert auth.FORM_INTRO not in [m.value for m in app.markdown]
    assert [b.label for b in app.sidebar.button] == ["Lock"]


def test_a_wrong_pin_says_so_and_keeps_the_page_locked(gated_app):
    app = enter_pin(open_page(), "12345678")
    assert messages(app) == ["Wrong PIN."]
    assert shown(app.main) == [*PIN_FORM[:2], ("error", "Wrong PIN."), *PIN_FORM[2:]]


def test_an_empty_submit_is_refused_without_counting(gated_app):
    app = enter_pin(open_page(), "")
    assert messages(app) == ["The PIN is 4 to 12 digits; nothing was checked."]
    engine = create_engine(gated_app)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(PinFailure)) == 0
    engine.dispose()


def test_neither_pin_is_kept_in_session_state(gated_app):
    app = enter_pin(enter_pin(open_page(), "12345678"), PIN)
    state = {key: app.session_state[key] for key in app.session_state}
    assert state[auth.PIN_FIELD] == ""
    assert "12345678" not in repr(state) and PIN not in repr(state)


def test_wrong_pins_count_across_new_browser_sessions_until_the_wait_ends(gated_app, clock):
    for _ in range(throttle.FREE_TRIES):
        enter_pin(open_page(), "00000000")  # each AppTest is a new browser session
    fresh = open_page()
    assert messages(fresh) == ["Too many wrong PINs: the next PIN can be checked in 3:00."]
    assert fresh.text_input(key=auth.PIN_FIELD).disabled
    assert fresh.button[0].disabled

    clock.now = T0 + throttle.FIRST_WAIT
    app = enter_pin(open_page(), PIN)
    assert [b.label for b in app.sidebar.button] == ["Lock"]


def test_the_lock_button_locks_at_once(gated_app):
    app = enter_pin(open_page(), PIN)
    app.sidebar.button[0].click().run()
    assert shown(app.main) == PIN_FORM


@pytest.mark.parametrize(
    ("idle_setting", "idle", "locked"),
    [
        (None, timedelta(minutes=29, seconds=59), False),
        (None, timedelta(minutes=30), True),
        ("5", timedelta(minutes=4), False),
        ("5", timedelta(minutes=5), True),
        ("1", timedelta(minutes=1), True),
    ],
)
def test_an_idle_session_locks_itself(gated_app, clock, monkeypatch, idle_setting, idle, locked):
    if idle_setting is not None:
        monkeypatch.setenv("APP_IDLE_LOCK_MINUTES", idle_setting)
    app = enter_pin(open_page(), PIN)
    clock.now += idle
    app.run()
    assert (shown(app.main)[:2] == PIN_FORM[:2]) is locked
    if locked:
        expected = {None: "30 minutes", "5": "5 minutes", "1": "1 minute"}[idle_setting]
        assert messages(app) == [f"Locked after {expected} without activity."]


def test_activity_keeps_a_session_unlocked(gated_app, clock):
    app = enter_pin(open_page(), PIN)
    for _ in range(3):
        clock.now += timedelta(minutes=20)
        app.run()
    assert [b.label for b in app.sidebar.button] == ["Lock"]


def test_without_a_pin_locally_the_gate_is_off_and_says_so(app_database):
    app_engine.clear()
    app = open_page()
    assert any("no PIN · see Settings" in m.value for m in app.markdown)
    assert [t.value for t in app.title] == ["StudyGame"]
    settings_page = open_page(ROOT / "pages" / "7_Settings.py")
    assert "No APP_PIN is set: the PIN gate is off (local development only)." in messages(
        settings_page
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_a_space_without_a_pin_serves_only_the_secret_page(page, app_database, monkeypatch):
    monkeypatch.setenv("SPACE_ID", "me/studygame")
    app = open_page(page)
    assert messages(app) == ["This app needs the APP_PIN secret to start."]
    assert [t.value for t in app.title] == ["StudyGame needs a secret"]
    assert not app.text_input


def test_a_database_lost_while_the_pin_form_is_open_says_only_unreachable(
    gated_app, tcp_proxy, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", tcp_proxy.url(gated_app))
    get_settings.cache_clear()
    app = open_page()
    assert shown(app.main) == PIN_FORM
    tcp_proxy.cut()
    app = enter_pin(app, PIN)
    unreachable = "The database is unreachable; the owner can run `studygame doctor`."
    # The PIN check's own failure, then the form's, each as the one sentence and no more.
    assert messages(app) == [unreachable, f"{unreachable} Reload the page to try again."]
    assert auth.UNLOCKED_AT not in app.session_state
    shown_text = "\n".join(str(value) for _, value in shown(app.main))
    for detail in ("127.0.0.1", str(tcp_proxy.port), "root", "studygame_test", "closed"):
        assert detail not in shown_text
