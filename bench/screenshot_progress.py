"""Screenshot the Progress page at a phone's width (390 px), served on a given database.

    .venv/bin/python bench/screenshot_progress.py --database-url postgresql://root@127.0.0.1/bench

Fill the database first with generate_history.py. Needs Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PORT = 8765


def wait_until_healthy(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not start at {url}")


@click.command()
@click.option("--database-url", required=True)
@click.option("--out", default=str(ROOT / "docs" / "img" / "progress-phone.png"), show_default=True)
@click.option("--height", default=4400, show_default=True, help="Tall enough for the whole page.")
def main(database_url: str, out: str, height: int) -> None:
    """Serve the app on DATABASE_URL and save the Progress page as a PNG."""
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "Home.py"),
        f"--server.port={PORT}", "--server.address=127.0.0.1", "--server.headless=true",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{PORT}"
        wait_until_healthy(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 390, "height": height})
            page.goto(f"{url}/Progress")
            page.get_by_text("Download your answers").wait_for(timeout=60_000)
            page.wait_for_timeout(3000)  # the charts draw after the text
            Path(out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=out)
            browser.close()
        click.echo(f"saved {out}")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
