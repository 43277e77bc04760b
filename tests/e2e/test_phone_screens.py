"""Phone screens found wanting in a new-learner trial, now checked in Chromium at 360 px.

`STUDYGAME_SCREENSHOTS=docs/img` refreshes the screenshots in docs/img; a plain run writes
them to a temporary folder.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from studygame.domain.attempt import NewAttempt
from studygame.services.learner import get_learner_settings
from studygame.services.study import record_attempt

from .test_study_loop import settled

SMALL_PHONE = {"width": 360, "height": 780}
SCREENSHOTS = os.environ.get("STUDYGAME_SCREENSHOTS")
DECKS = [f"Deck with a longish name {n}" for n in range(12)]


@pytest.fixture
def small_phone(browser: Browser):
    """A 360 px wide phone whose clock is in Tokyo."""
    context = browser.new_context(viewport=SMALL_PHONE, timezone_id="Asia/Tokyo")
    yield context.new_page()
    context.close()


def screenshot_path(tmp_path: Path, name: str) -> str:
    return str((Path(SCREENSHOTS) if SCREENSHOTS else tmp_path) / name)


def seed_answers(url: str) -> None:
    """A month of answers over twelve decks, some days empty, right more often in later decks."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        for n in range(240):
            deck = DECKS[n % len(DECKS)]
            record_attempt(
                s,
                attempt=NewAttempt(
                    id=uuid.uuid4(),
                    session_id=None,
                    question_id=f"q{n % 60}",
                    deck=deck,
                    topic=f"A topic of {deck} that is long",
                    mode="quiz",
                    given_answer="x",
                    is_correct=(n // len(DECKS)) % len(DECKS) < n % len(DECKS),
                    rating=3,
                    response_ms=4000,
                    points=700,
                    answered_at=now - timedelta(days=3 * (n % 10) + 1, minutes=n),
                ),
                desired_retention=0.9,
            )
    engine.dispose()


def test_progress_fits_a_360px_phone(serve_app, small_phone: Page, own_database_url, tmp_path):
    seed_answers(own_database_url)
    base_url = serve_app(DATABASE_URL=own_database_url)
    small_phone.goto(f"{base_url}/Progress")
    expect(small_phone.get_by_text("Download your answers")).to_be_visible(timeout=60_000)
    settled(small_phone)
    assert small_phone.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    # The deck chart is the page's last chart.
    deck_chart = small_phone.locator('[data-testid="stVegaLiteChart"]').last
    deck_chart.scroll_into_view_if_needed()
    box = deck_chart.bounding_box()
    # One 34 px row a deck: twelve decks never squeeze into a few pixels each.
    assert box["height"] >= 12 * 30, box
    tables = small_phone.locator('[data-testid="stTable"]')
    expect(tables.first).to_be_visible()
    for table in tables.all():
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        assert box["x"] + box["width"] <= SMALL_PHONE["width"], box
        # The key column leads.
        expect(table.locator("th").first).to_have_text(re.compile(r"^(topic|question)$"))
    small_phone.set_viewport_size({"width": 360, "height": 5200})
    small_phone.wait_for_timeout(1500)  # Vega redraws at the new size
    small_phone.screenshot(path=screenshot_path(tmp_path, "progress-small-phone.png"))


def test_an_out_of_range_setting_is_named_and_not_saved(
    serve_app, small_phone: Page, own_database_url
):
    base_url = serve_app(DATABASE_URL=own_database_url)
    small_phone.goto(f"{base_url}/Settings")
    goal = small_phone.get_by_label("Daily goal (answers a day)")
    expect(goal).to_be_visible(timeout=60_000)
    settled(small_phone)
    goal.fill("5000")
    goal.press("Tab")
    small_phone.get_by_role("button", name="Save").click()
    expect(
        small_phone.get_by_text("The daily goal must be a whole number from 1 to 1000 answers.")
    ).to_be_visible(timeout=30_000)
    engine = create_engine(own_database_url)
    with Session(engine) as s:
        assert get_learner_settings(s).daily_goal == 50
    engine.dispose()


def test_home_offers_the_browsers_timezone_once(
    serve_app, small_phone: Page, own_database_url, tmp_path
):
    base_url = serve_app(DATABASE_URL=own_database_url)
    small_phone.goto(base_url)
    use = small_phone.get_by_role("button", name="Use Asia/Tokyo")
    expect(use).to_be_visible(timeout=60_000)
    settled(small_phone)
    small_phone.screenshot(path=screenshot_path(tmp_path, "timezone-phone.png"))
    use.click()
    expect(use).to_have_count(0, timeout=30_000)
    engine = create_engine(own_database_url)
    with Session(engine) as s:
        assert get_learner_settings(s).timezone == "Asia/Tokyo"
    engine.dispose()
    small_phone.reload()
    expect(small_phone.get_by_role("heading", name="StudyGame")).to_be_visible(timeout=30_000)
    settled(small_phone)
    expect(small_phone.get_by_role("button", name="Use Asia/Tokyo")).to_have_count(0)
