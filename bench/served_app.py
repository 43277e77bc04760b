"""The browser benches' common ground: the app served on a scratch database, Chromium, figures.

`bench/browser_loop.py` and `bench/page_times.py` both serve the app with `streamlit run` on a
scratch Postgres database (created, migrated, dropped) and drive it with Chromium at a
phone's size; this module is the one place that does it.
"""

from __future__ import annotations

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
