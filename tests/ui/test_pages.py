"""Every page renders through AppTest: with the local database, Postgres, and fail-closed."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studygame.ui.engine import app_engine

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "Home.py", *sorted((ROOT / "pages").glob("*.py"))]


@pytest.fixture(autouse=True)
def fresh_app_engine():
    app_engine.clear()
    yield
    app_engine.clear()


def render(page: Path) -> AppTest:
    app = AppTest.from_file(str(page), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def text_of(app: AppTest) -> str:
    parts = [
        e.value
        for kind in ("markdown", "title", "error", "info", "success", "warning")
        for e in getattr(app, kind)
    ]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_renders_on_postgres(page, app_database):
    app = render(page)
    assert "Dev: local database" not in text_of(app)


def test_status_page_shows_the_schema_at_head(app_database):
    app = render(ROOT / "pages" / "9_Status.py")
    assert any("schema" in s.value and "at head" in s.value for s in app.success)


def test_local_development_shows_the_banner():
    app = render(ROOT / "Home.py")
    assert "Dev: local database" in text_of(app)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_space_without_secrets_serves_only_the_secret_page(page, monkeypatch):
    monkeypatch.setenv("SPACE_ID", "me/studygame")
    app = render(page)
    shown = text_of(app)
    assert "This app needs the DATABASE_URL and APP_PIN secrets to start." in shown
    assert "Settings → Variables and secrets" in shown
    assert [t.value for t in app.title] == ["StudyGame needs a secret"]


def test_unreachable_database_is_one_sentence_without_the_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://root:pa55word@127.0.0.1:1/db")
    app = render(ROOT / "Home.py")
    assert app.error[0].value.startswith("Could not connect to the database")
    assert "pa55word" not in text_of(app)
