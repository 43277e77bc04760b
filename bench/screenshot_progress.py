"""Screenshot the Progress page at a phone's width (390 px), served on a given database.

    .venv/bin/python bench/screenshot_progress.py --database-url postgresql://root@127.0.0.1/bench

Fill the database first with generate_history.py. Needs Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from playwright.sync_api import sync_playwright
from served_app import CHROMIUM, CHROMIUM_ARGS, PHONE, ROOT, served


@click.command()
@click.option("--database-url", required=True)
@click.option("--out", default=str(ROOT / "docs" / "img" / "progress-phone.png"), show_default=True)
@click.option("--height", default=4400, show_default=True, help="Tall enough for the whole page.")
def main(database_url: str, out: str, height: int) -> None:
    """Serve the app on DATABASE_URL and save the Progress page as a PNG."""
    with served({**os.environ, "DATABASE_URL": database_url}) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": PHONE["width"], "height": height})
        page.goto(f"{url}/Progress")
        page.get_by_text("Download your answers").wait_for(timeout=60_000)
        page.wait_for_timeout(3000)  # the charts draw after the text
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=out)
        browser.close()
    click.echo(f"saved {out}")


if __name__ == "__main__":
    main()
