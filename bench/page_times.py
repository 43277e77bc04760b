"""Page times as a new learner feels them: Chromium on a phone (390x844) against the served app.

Starts `streamlit run` on a scratch Postgres database (created, migrated, dropped; no PIN, as
in local development) and times, from the Python side of the browser:

- process start -> Home usable (its "Start review" button drawn, nothing stale), each time a
  new server process and a fresh browser context;
- each page's first paint in a warm server: a fresh context opens the page's URL, until its
  title is drawn and nothing is stale.

Prints p50 / p95 (nearest rank) in milliseconds; asserts nothing.
Run: .venv/bin/python bench/page_times.py [--starts 3] [--loads 5]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser_loop import (
    ADMIN_URL,
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    PORT,
    report,
    wait_until_healthy,
)

from studygame import migrations
from studygame.db import scratch_database

ROOT = Path(__file__).resolve().parents[1]
# URL path -> the page's title, as each page draws it.
PAGES = {
    "": "StudyGame",
    "Review": "Review",
    "Quiz": "Quiz",
    "Flashcards": "Flashcards",
    "Speed_round": "Speed round",
    "Cram": "Cram",
    "Progress": "Progress",
    "Settings": "Settings",
    "Content_health": "Content health",
    "Status": "Status",
}


def drawn(page: Page, title: str) -> None:
    """Wait until the page's title is on screen and no element of an earlier run is stale."""
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=60_000)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=60_000)


@click.command()
@click.option("--starts", default=3, show_default=True, help="Server starts to time.")
@click.option("--loads", default=5, show_default=True, help="First paints to time per page.")
def main(starts: int, loads: int) -> None:
    """Serve the app on a scratch database and time first pages in Chromium."""
    with (
        scratch_database(ADMIN_URL, prefix="studygame_bench") as url,
        tempfile.TemporaryDirectory() as data,
    ):
        engine = create_engine(url)
        migrations.upgrade(engine)
        engine.dispose()
        command = [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "Home.py"),
            f"--server.port={PORT}", "--server.address=127.0.0.1", "--server.headless=true",
        ]  # fmt: skip
        env = {**os.environ, "DATABASE_URL": url, "STUDYGAME_DATA_DIR": data}
        env.pop("APP_PIN", None)
        base = f"http://127.0.0.1:{PORT}"
        home_usable: list[float] = []
        first_paint: dict[str, list[float]] = {path: [] for path in PAGES}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for n in range(starts):
                started = time.perf_counter()
                server = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                try:
                    wait_until_healthy(base, server)
                    context = browser.new_context(viewport=PHONE)
                    page = context.new_page()
                    page.goto(base)
                    page.locator('[class*="st-key-start-review"] button').wait_for(timeout=60_000)
                    drawn(page, "StudyGame")
                    home_usable.append((time.perf_counter() - started) * 1000)
                    context.close()
                    if n < starts - 1:
                        continue
                    # The last server stays up: warm first paints, each in a fresh context.
                    for _ in range(loads):
                        for path, title in PAGES.items():
                            context = browser.new_context(viewport=PHONE)
                            page = context.new_page()
                            t0 = time.perf_counter()
                            page.goto(f"{base}/{path}")
                            drawn(page, title)
                            first_paint[path].append((time.perf_counter() - t0) * 1000)
                            context.close()
                finally:
                    server.terminate()
                    server.wait(timeout=10)
            browser.close()

    load = os.getloadavg()
    click.echo(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    click.echo("| what | n | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    report("process start -> Home usable", home_usable)
    for path, values in first_paint.items():
        report(f"first paint, warm: /{path}", values)


if __name__ == "__main__":
    main()
