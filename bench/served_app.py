"""The browser benches' common ground: the app served on a scratch database, Chromium, figures.

`bench/browser_loop.py` and `bench/page_times.py` both serve the app with `streamlit run` on a
scratch Postgres database (created, migrated, dropped) and drive it with Chromium at a
phone's size; this module is the one place that does it.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from playwright.sync_api import Page
from sqlalchemy import create_engine

from studygame import migrations
from studygame.config import normalize_database_url
from studygame.db import scratch_database

ROOT = Path(__file__).resolve().parents[1]
ADMIN_URL = normalize_database_url(
    os.environ.get("TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres")
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
PORT = 8799
BASE_URL = f"http://127.0.0.1:{PORT}"


@contextmanager
def app_database() -> Iterator[tuple[str, str]]:
    """A migrated scratch database and an empty data folder: (database URL, data folder)."""
    with (
        scratch_database(ADMIN_URL, prefix="studygame_bench") as url,
        tempfile.TemporaryDirectory() as data,
    ):
        engine = create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        yield url, data


@contextmanager
def served(env: dict[str, str]) -> Iterator[str]:
    """`streamlit run Home.py` with this environment, from its start until healthy: its URL.

    The caller starts its clock before entering, so the figure includes Python's start-up.
    """
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "Home.py"),
        f"--server.port={PORT}", "--server.address=127.0.0.1", "--server.headless=true",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_healthy(server)
        yield BASE_URL
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_healthy(process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE_URL}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"streamlit did not start at {BASE_URL}")


# Installed before a page loads: on every animation frame from the document's start, each
# named JS condition is checked until it first holds, and that frame's wall-clock time (ms
# since the epoch) is kept in `window.studygameFrames`. Timing in the page, not through
# Playwright's `expect`, whose retries wait 100, 250, 500 and 1000 ms between looks and so
# added up to half a second to a figure, depending on when the page happened to finish.
FIRST_FRAMES = """
(() => {
  const checks = Object.entries(%s).map(([name, expression]) =>
    [name, new Function("return (" + expression + ");")]);
  const frames = (window.studygameFrames = {});
  window.studygameFramesWanted = checks.length;
  const tick = () => {
    for (const [name, holds] of checks) {
      if (!(name in frames) && holds()) frames[name] = performance.timeOrigin + performance.now();
    }
    if (Object.keys(frames).length < checks.length) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""
SETTLED = "!document.querySelector('[data-stale=\"true\"]')"


def titled(title: str) -> str:
    """A JS condition: the page's title is drawn and nothing of an earlier run is stale."""
    heading = f"[...document.querySelectorAll('h1')].some(h => h.textContent.trim() === {title!r})"
    return f"({heading}) && {SETTLED}"


def time_frames(page: Page, **conditions: str) -> None:
    """In `page`'s next load, record the first frame on which each JS condition holds."""
    page.add_init_script(FIRST_FRAMES % json.dumps(conditions))


def frame_times(page: Page, timeout_ms: float = 60_000) -> dict[str, float]:
    """Wait until every condition has held: each one's frame, in ms since navigation start."""
    page.wait_for_function(
        "window.studygameFrames && "
        "Object.keys(window.studygameFrames).length === window.studygameFramesWanted",
        timeout=timeout_ms,
    )
    return page.evaluate(
        "Object.fromEntries(Object.entries(window.studygameFrames)"
        ".map(([name, at]) => [name, at - performance.timeOrigin]))"
    )


def navigation_start(page: Page) -> float:
    """The page's navigation start, in ms since the epoch (to set against a Python clock)."""
    return page.evaluate("performance.timeOrigin")


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


def report(name: str, values: list[float]) -> None:
    """One Markdown table row: name, count, p50 and p95 in milliseconds."""
    p50, p95 = percentile(values, 50), percentile(values, 95)
    click.echo(f"| {name} | {len(values)} | {p50:,.0f} | {p95:,.0f} |")


def echo_load() -> None:
    """The load average, printed with the figures: this machine's two cores are shared."""
    load = os.getloadavg()
    click.echo(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
