"""Browser tests: the real app served by `streamlit run`, driven in Debian's Chromium.

Chromium missing is a failure, not a skip: `make test` installs it (scripts/).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Without these, Chromium as root refuses to start or tries to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_healthy(base_url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    """Poll Streamlit's health endpoint until it answers 200."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {base_url} in {timeout_s} s")


@pytest.fixture
def start_server(tmp_path) -> Iterator[Callable[..., str]]:
    """Run `command(port)` with extra environment variables until healthy; returns its base URL."""
    processes: list[subprocess.Popen] = []

    def start(command: Callable[[int], list[str]], **env: str) -> str:
        port = free_port()
        full_env = {**os.environ, "STUDYGAME_DATA_DIR": str(tmp_path), **env}
        log = (tmp_path / f"server-{port}.log").open("w")
        process = subprocess.Popen(
            command(port), cwd=ROOT, env=full_env, stdout=log, stderr=log, start_new_session=True
        )
        processes.append(process)
        base_url = f"http://127.0.0.1:{port}"
        wait_until_healthy(base_url, process)
        return base_url

    yield start
    for process in processes:
        # The whole group: `studygame run` starts streamlit as a child.
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


@pytest.fixture
def serve_app(start_server) -> Callable[..., str]:
    """Start the app (or another script) with extra environment variables; returns its URL."""

    def start(script: Path = ROOT / "Home.py", **env: str) -> str:
        def streamlit_run(port: int) -> list[str]:
            return [
                sys.executable, "-m", "streamlit", "run", str(script),
                f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true",
            ]  # fmt: skip

        return start_server(streamlit_run, **env)

    return start


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(
            f"Chromium is needed for the browser tests and is not at {CHROMIUM}: "
            "run `make test` as root (it installs Debian's chromium) or set CHROMIUM_PATH.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context at a phone's viewport (390x844)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()
