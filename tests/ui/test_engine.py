"""Cold start: Neon's compute is asleep and refuses the first connections for a while."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from studygame.ui.engine import app_engine

ROOT = Path(__file__).resolve().parents[2]


def test_a_sleeping_database_is_waited_for_and_then_the_page_works(
    tcp_proxy, database_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", tcp_proxy.url(database_url))
    app_engine.clear()
    tcp_proxy.refuse_for(2.0)

    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)
    app.run()

    assert not app.exception, app.exception
    assert tcp_proxy.refused >= 2  # the page went through the "Waking the database…" wait
    assert [t.value for t in app.title] == ["StudyGame"]
    assert not app.error
    app_engine.clear()
