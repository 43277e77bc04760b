"""A quiz on a phone in real Chromium: three answers land in Postgres with their card states."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from studygame.models import Attempt, CardState

from .test_study_loop import settled

ROOT = Path(__file__).resolve().parents[2]
PIN = "52719304"
# `STUDYGAME_SCREENSHOTS=docs/img` refreshes the README's screenshot; a plain run leaves it.
SCREENSHOTS = os.environ.get("STUDYGAME_SCREENSHOTS")


def answer_one(page: Page, number: int, *, screenshot: Path | None = None) -> None:
    """Answer question `number`: the first choice, or a word for a typed question."""
    main = page.get_by_role("main")
    expect(main.get_by_text(f"Question {number} of 5")).to_be_visible(timeout=30_000)
    settled(page)
    typed = main.get_by_label("Your answer")
    choices = main.locator(".stButton button")
    # The question's own controls: a text box, or the choices (stale ones are gone by now).
    expect(typed.or_(choices).first).to_be_visible(timeout=30_000)
    if screenshot is not None:
        page.screenshot(path=str(screenshot))
    if typed.count():
        typed.fill("photosynthesis")
        main.get_by_role("button", name="Check").click()
    else:
        choices.first.click()
    next_button = main.get_by_role("button", name="Next question")
    expect(next_button).to_be_visible(timeout=30_000)
    settled(page)
    expect(main.get_by_text("points", exact=False).last).to_contain_text("+")
    next_button.click()
    expect(main.get_by_text(f"Question {number + 1} of 5")).to_be_visible(timeout=30_000)


def test_three_quiz_answers_reach_postgres(serve_app, phone_page: Page, own_database_url, tmp_path):
    screenshot = (Path(SCREENSHOTS) if SCREENSHOTS else tmp_path) / "quiz-phone.png"
    engine = create_engine(own_database_url)
    try:
        base_url = serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)
        phone_page.goto(f"{base_url}/Quiz")
        phone_page.get_by_label("PIN", exact=True).fill(PIN)
        phone_page.get_by_role("button", name="Unlock").click()
        phone_page.get_by_role("button", name="Start").click()
        answer_one(phone_page, 1, screenshot=screenshot)
        answer_one(phone_page, 2)
        answer_one(phone_page, 3)
        # No horizontal scrolling on a 390 px wide phone.
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390

        with Session(engine) as s:
            attempts = list(s.scalars(select(Attempt)))
            assert len(attempts) == 3
            assert {a.mode for a in attempts} == {"quiz"}
            assert len({a.session_id for a in attempts}) == 1
            assert len({a.question_id for a in attempts}) == 3
            for attempt in attempts:
                card = s.get(CardState, attempt.question_id)
                assert card is not None and card.reps == 1
                assert card.last_review == attempt.answered_at
    finally:
        engine.dispose()
