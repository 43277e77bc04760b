"""Page times as a new learner feels them: Chromium on a phone (390x844) against the served app.

Starts `streamlit run` on a scratch Postgres database (created, migrated, dropped; no PIN, as
in local development), optionally filled with `--history` answers by generate_history.py,
and times, each figure the first animation frame that showed it (timed in the page):

- process start -> Home usable (its "Start review" button drawn, nothing stale), each time a
  new server process and a fresh browser context (the page's frame on the epoch's clock, set
  against the time the process was started);
- on that fresh server, Progress opened next in a fresh context: its first paint (the title)
  and the page complete (its last widget drawn, nothing stale), with its modules not yet
  imported and its report not yet cached;
- each page's first paint in a warm server: a fresh context opens the page's URL, from the
  navigation's start until its title is drawn and nothing is stale; Progress's "complete" too;
- the same with the browser's cache warm (a returning learner: one context, a new tab per
  load), where Streamlit's JavaScript comes from the cache instead of the server.

Prints p50 / p95 (nearest rank) in milliseconds; asserts nothing.
Run: .venv/bin/python bench/page_times.py [--starts 3] [--loads 5] [--history 1000000]
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from playwright.sync_api import Browser, BrowserContext, sync_playwright
from sqlalchemy import create_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_history
from served_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    SETTLED,
    app_database,
    echo_load,
    frame_times,
    navigation_start,
    report,
    served,
    time_frames,
    titled,
)

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
    "Cards": "Your cards",
}


# Progress has run to its end: its last widget (or its empty-history note) is drawn.
PROGRESS_COMPLETE = (
    "(!!document.querySelector('[data-testid=\"stDownloadButton\"]') || "
    "document.body.innerText.includes('No answers yet')) && " + SETTLED
)
START_REVIEW = "!!document.querySelector('[class*=\"st-key-start-review\"] button')"
HOME_USABLE = f"({titled('StudyGame')}) && {START_REVIEW}"


def open_page(
    browser: Browser | BrowserContext, url: str, title: str, complete: bool = False
) -> list[float]:
    """Open `url` in a new tab (of a fresh context, given a browser): ms from navigation start
    to the first paint, and to complete if asked, each the first frame that showed it."""
    fresh = isinstance(browser, Browser)
    context = browser.new_context(viewport=PHONE) if fresh else browser
    page = context.new_page()
    conditions = {"paint": titled(title)}
    if complete:
        conditions["complete"] = PROGRESS_COMPLETE
    time_frames(page, **conditions)
    page.goto(url)
    frames = frame_times(page)
    page.close()
    if fresh:
        context.close()
    return [frames[name] for name in conditions]


@click.command()
@click.option("--starts", default=3, show_default=True, help="Server starts to time.")
@click.option("--loads", default=5, show_default=True, help="First paints to time per page.")
@click.option("--history", default=0, show_default=True, help="Answers in the learner's history.")
def main(starts: int, loads: int, history: int) -> None:
    """Serve the app on a scratch database and time first pages in Chromium."""
    home_usable: list[float] = []
    cold_progress: dict[str, list[float]] = {"first paint": [], "complete": []}
    first_paint: dict[str, list[float]] = {path: [] for path in PAGES}
    progress_complete: list[float] = []
    cached_paint: dict[str, list[float]] = {path: [] for path in PAGES}
    with app_database() as (url, data), sync_playwright() as playwright:
        if history:
            engine = create_engine(url)
            seconds = generate_history.generate(engine, attempts=history, now=datetime.now(UTC))
            engine.dispose()
            click.echo(f"{history:,} answers generated in {seconds:.1f} s")
        env = {**os.environ, "DATABASE_URL": url, "STUDYGAME_DATA_DIR": data}
        env.pop("APP_PIN", None)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for n in range(starts):
            started = time.time() * 1000  # the epoch's clock, as the page's frames are timed
            with served(env) as base:
                context = browser.new_context(viewport=PHONE)
                page = context.new_page()
                time_frames(page, usable=HOME_USABLE)
                page.goto(base)
                usable = frame_times(page)["usable"] + navigation_start(page)
                home_usable.append(usable - started)
                context.close()
                paint, complete = open_page(browser, f"{base}/Progress", "Progress", True)
                cold_progress["first paint"].append(paint)
                cold_progress["complete"].append(complete)
                if n < starts - 1:
                    continue
                # The last server stays up: warm first paints, each in a fresh context.
                for _ in range(loads):
                    for path, title in PAGES.items():
                        times = open_page(browser, f"{base}/{path}", title, path == "Progress")
                        first_paint[path].append(times[0])
                        progress_complete.extend(times[1:])
                returning = browser.new_context(viewport=PHONE)
                open_page(returning, base, "StudyGame")  # fills the browser's cache
                for _ in range(loads):
                    for path, title in PAGES.items():
                        cached_paint[path].extend(open_page(returning, f"{base}/{path}", title))
                returning.close()
        browser.close()

    echo_load()
    click.echo(f"history: {history:,} answers")
    click.echo("| what | n | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    report("process start -> Home usable", home_usable)
    report("fresh server, then Progress: first paint", cold_progress["first paint"])
    report("fresh server, then Progress: complete", cold_progress["complete"])
    for path, values in first_paint.items():
        report(f"first paint, warm: /{path}", values)
    report("complete, warm: /Progress", progress_complete)
    for path, values in cached_paint.items():
        report(f"first paint, warm, browser cache warm: /{path}", values)


if __name__ == "__main__":
    main()
