"""A push lands while nobody is connected: the next session runs the pushed code.

Community Cloud keeps the Streamlit process between pushes and only copies the changed
files into its checkout; Streamlit's file watcher lives in each browser session, so with
none connected the old modules would stay loaded.
"""

import shutil
from pathlib import Path

from playwright.sync_api import Browser, expect

ROOT = Path(__file__).resolve().parents[2]
BANNER = "see Settings"  # the end of the local-development line every page shows


def test_a_push_with_no_session_connected_is_served_to_the_next_session(
    serve_app, browser: Browser, tmp_path
):
    # A checkout of its own, imported ahead of the editable install, so the push edits it.
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(ROOT / "Home.py", app)
    for folder in ("pages", "src", ".streamlit"):
        shutil.copytree(ROOT / folder, app / folder, ignore=shutil.ignore_patterns("__pycache__"))
    url = serve_app(app / "Home.py", PYTHONPATH=str(app / "src"))

    before = browser.new_context()
    page = before.new_page()
    page.goto(url)
    expect(page.get_by_text(BANNER)).to_be_visible(timeout=30_000)
    before.close()

    page_py = app / "src" / "studygame" / "ui" / "page.py"
    page_py.write_text(page_py.read_text().replace(BANNER, f"{BANNER}, pushed"))

    after = browser.new_context()
    page = after.new_page()
    page.goto(url)
    expect(page.get_by_text(f"{BANNER}, pushed")).to_be_visible(timeout=30_000)
    after.close()
