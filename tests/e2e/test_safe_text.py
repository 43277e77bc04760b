"""Bank text in real Chromium: a hostile prompt fetches nothing and Markdown shows literally."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

# The same calls ui/study.py makes for a prompt, a choice, an answer and an explanation.
SCRIPT = """
import streamlit as st
from studygame.domain.markup import safe_markdown

prompt = {prompt!r}
st.markdown(f"#### {{safe_markdown(prompt)}}")
st.button(safe_markdown(prompt), key="choice")
st.success(safe_markdown(prompt))
st.caption(safe_markdown(prompt))
st.markdown("done")
"""


@pytest.fixture
def tracker() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that records every path asked of it: (port, paths)."""
    paths: list[str] = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):  # the name http.server dispatches to
            paths.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], paths
    server.shutdown()
    server.server_close()


def test_a_hostile_prompt_fetches_nothing_and_shows_literally(
    serve_app, phone_page: Page, tmp_path, tracker
):
    port, requests = tracker
    prompt = (
        f"What does __init__ do? ![t](http://127.0.0.1:{port}/track.png) "
        f"<img src='http://127.0.0.1:{port}/tag.png'> $x$ :red[red] `a_b`"
    )
    script = tmp_path / "safe_text_app.py"
    script.write_text(SCRIPT.format(prompt=prompt), encoding="utf-8")
    base_url = serve_app(script)
    phone_page.goto(base_url)
    main = phone_page.get_by_role("main")
    expect(main.get_by_text("done", exact=True)).to_be_visible(timeout=30_000)
    phone_page.wait_for_load_state("networkidle")
    assert requests == []
    # Colons carry an invisible word joiner (it keeps `:name:` from becoming an emoji).
    heading = main.locator("h4").first.inner_text().replace("\u2060", "")
    assert heading.startswith(
        f"What does __init__ do? ![t](http://127.0.0.1:{port}/track.png) "
        f"<img src='http://127.0.0.1:{port}/tag.png'> $x$ :red[red] a_b"
    )
    expect(main.locator("strong")).to_have_count(0)
    expect(main.locator("img")).to_have_count(0)
    expect(main.locator(".katex")).to_have_count(0)
    expect(main.get_by_role("button")).to_contain_text("__init__")
    expect(main.locator("code").first).to_have_text("a_b")
