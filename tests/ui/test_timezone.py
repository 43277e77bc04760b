"""The browser's timezone is offered once, before the first save, and the learner decides."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from studygame.services.learner import get_learner_settings, learner_settings_saved

ROOT = Path(__file__).resolve().parents[2]


def open_page(name: str, *, browser_zone: str | None) -> AppTest:
    app = AppTest.from_file(str(ROOT / name), default_timeout=30)
    app.context["timezone"] = browser_zone
    app.run()
    assert not app.exception, app.exception
    return app


def offered(app: AppTest) -> bool:
    return any(b.key == "timezone-use" for b in app.button)


def test_home_offers_the_browser_zone_and_using_it_moves_the_day(committed_db):
    app = open_page("Home.py", browser_zone="Pacific/Auckland")
    assert offered(app)
    assert "Pacific/Auckland" in app.markdown[0].value or any(
        "Pacific/Auckland" in m.value for m in app.markdown
    )
    app.button(key="timezone-use").click().run()
    assert not app.exception, app.exception
    committed_db.rollback()
    assert get_learner_settings(committed_db).timezone == "Pacific/Auckland"
    assert not offered(open_page("Home.py", browser_zone="Pacific/Auckland"))


def test_keeping_utc_is_a_choice_too_and_the_question_is_not_asked_again(committed_db):
    app = open_page("Home.py", browser_zone="Europe/Paris")
    app.button(key="timezone-keep").click().run()
    assert not app.exception, app.exception
    committed_db.rollback()
    assert learner_settings_saved(committed_db)
    assert get_learner_settings(committed_db).timezone == "UTC"
    assert not offered(open_page("Home.py", browser_zone="Europe/Paris"))


def test_no_offer_when_the_browser_says_nothing_or_agrees(committed_db):
    assert not offered(open_page("Home.py", browser_zone=None))
    assert not offered(open_page("Home.py", browser_zone="UTC"))


def test_settings_preselect_the_browser_zone_before_the_first_save(committed_db):
    app = open_page("pages/7_Settings.py", browser_zone="America/Sao_Paulo")
    assert app.selectbox[0].value == "America/Sao_Paulo"
    assert any("browser's timezone" in c.value for c in app.caption)
    app.button[0].click().run()
    committed_db.rollback()
    assert get_learner_settings(committed_db).timezone == "America/Sao_Paulo"
