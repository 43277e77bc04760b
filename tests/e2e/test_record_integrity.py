"""The learner's record in a real browser: no answer they did not give, no round lost.

Each test plays what a learner does (a double tap on a phone, a second tab, a reload, a
server restart, a database that hangs) and reads what Postgres holds.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from studygame.domain.run import ANSWERED_ELSEWHERE
from studygame.models import Attempt, CardState

from .conftest import PHONE
from .test_study_loop import (
    PIN,
    choose,
    key,
    open_page,
    plain,
    questions,
    settled,
    shown_question,
    start,
)

DOUBLE_TAP_GAP_S = 0.08


@pytest.fixture
def db(own_database_url) -> Iterator[Session]:
    engine = create_engine(own_database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def recorded(db: Session) -> list[Attempt]:
    """Every answer in the test's own database, oldest first."""
    db.rollback()
    return list(db.scalars(select(Attempt).order_by(Attempt.answered_at)))


def touch_page(browser: Browser) -> Page:
    return browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()


def tap(page: Page, x: float, y: float) -> None:
    page.touchscreen.tap(x, y)


def armed(page: Page, selector: str) -> None:
    """Wait until a new screen's button takes taps (it ignores them just after it appears)."""
    page.locator(selector).first.wait_for()
    page.wait_for_function(
        "s => getComputedStyle(document.querySelector(s)).pointerEvents !== 'none'", arg=selector
    )


def centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_twenty_double_taps_on_next_record_no_answer_the_learner_did_not_choose(
    serve_app, own_database_url, browser: Browser, db
):
    url = serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)
    page = touch_page(browser)
    chosen: list[tuple[str, str]] = []
    open_page(page, f"{url}/Quiz")
    start(page, "quiz", length=50)
    while len(chosen) < 20:
        question = shown_question(page)
        if question.type == "typed":
            page.locator(f"{key('given-')} input").fill("my guess")
            page.keyboard.press("Enter")
            chosen.append((question.id, "my guess"))
        else:
            # Plain words read the same on the page; code-like choices are drawn differently.
            words = [c for c in question.choices if re.fullmatch(r"[\w ]+", c)]
            choice = (words or question.choices)[-1]
            choose(page, plain(choice))
            chosen.append((question.id, choice))
        next_button = f"{key('next')} button"
        expect(page.locator(next_button)).to_be_visible(timeout=30_000)
        settled(page)
        # The second tap lands where the next question's first choice will be drawn: where
        # the feedback shows its first choice now (disabled), or on Next itself.
        target = key("fb-") + " button" if page.locator(key("fb-")).count() else next_button
        second = centre(page, target)
        armed(page, next_button)
        tap(page, *centre(page, next_button))
        time.sleep(DOUBLE_TAP_GAP_S)  # the gap of a real double tap, not a wait for anything
        tap(page, *second)
        settled(page)
    page.context.close()

    assert [(a.question_id, a.given_answer) for a in recorded(db)] == chosen


def due_mcq(db: Session) -> str:
    """Make one multiple-choice question due now; returns its id."""
    qid = next(q.id for q in questions().values() if q.type == "mcq")
    past = datetime(2026, 1, 1, tzinfo=UTC)
    db.merge(
        CardState(question_id=qid, deck="x", state=2, step=None, stability=1.0, difficulty=5.0,
                  due=past, last_review=past, reps=1, lapses=0, updated_at=datetime.now(UTC))
    )  # fmt: skip
    db.commit()
    return qid


def test_a_card_answered_in_one_tab_is_not_answered_again_in_the_other(
    serve_app, own_database_url, browser: Browser, db
):
    url = serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)
    qid = due_mcq(db)
    question = questions()[qid]
    context = browser.new_context(viewport=PHONE)
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        open_page(tab, f"{url}/Review")
        assert shown_question(tab).id == qid
    choose(first, question.answer)
    expect(first.locator(key("next"))).to_be_visible(timeout=30_000)
    choose(second, next(c for c in question.choices if c != question.answer))
    settled(second)
    expect(second.get_by_text(ANSWERED_ELSEWHERE)).to_be_visible(timeout=30_000)
    context.close()

    assert [(a.question_id, a.is_correct) for a in recorded(db)] == [(qid, True)]
    db.rollback()
    assert db.get(CardState, qid).reps == 2  # scheduled once


def progress_line(page: Page) -> str:
    return page.locator('[data-testid="stProgress"]').first.inner_text()


def test_a_round_survives_a_reload_back_and_forward_and_a_server_restart(
    serve_app, start_server, own_database_url, browser: Browser
):
    url = serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)
    # A laptop: the sidebar's page links are on screen for the Back/Forward round trip.
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    open_page(page, f"{url}/Quiz")
    start(page, "quiz", length=10)
    for _ in range(3):
        question = shown_question(page)
        if question.type == "typed":
            page.locator(f"{key('given-')} input").fill(question.answer)
            page.keyboard.press("Enter")
        else:
            choose(page, question.answer)
        page.locator(f"{key('next')} button").click()
        settled(page)
    where = (shown_question(page).id, progress_line(page))
    assert "Question 4 of 10" in where[1] and "points" in where[1]

    page.reload()
    open_page_again(page)
    assert (shown_question(page).id, progress_line(page)) == where

    page.get_by_role("link", name="Home").first.click()
    expect(page.get_by_role("heading", name="StudyGame")).to_be_visible(timeout=30_000)
    page.go_back()
    expect(page.get_by_role("heading", name="Quiz")).to_be_visible(timeout=30_000)
    settled(page)
    assert (shown_question(page).id, progress_line(page)) == where

    # A new server on the same database: the round is in Postgres, not in the old process.
    def streamlit_run(port: int) -> list[str]:
        return [
            sys.executable, "-m", "streamlit", "run", "Home.py", f"--server.port={port}",
            "--server.address=127.0.0.1", "--server.headless=true",
        ]  # fmt: skip

    other = start_server(streamlit_run, DATABASE_URL=own_database_url, APP_PIN=PIN)
    page.goto(f"{other}/Quiz")
    open_page_again(page)
    assert (shown_question(page).id, progress_line(page)) == where
    page.context.close()


def open_page_again(page: Page) -> None:
    """Pass the PIN gate of a page already loaded (a reload starts a new browser session)."""
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_label("PIN", exact=True)).to_have_count(0, timeout=30_000)
    settled(page)


def test_a_new_tab_while_the_database_hangs_says_so_within_five_seconds(
    serve_app, database_url, tcp_proxy, browser: Browser
):
    url = serve_app(DATABASE_URL=tcp_proxy.url(database_url))
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{url}/Quiz")
    expect(page.locator(key("quiz-start"))).to_be_visible(timeout=30_000)  # the engine is up
    tcp_proxy.hang()
    fresh = page.context.new_page()
    fresh.goto(f"{url}/Quiz")
    # The reads wait 5 s at most, then the page says so; the defect took 32 s and crashed.
    # The bound leaves room for the browser's own page load on a busy machine.
    sentence = fresh.get_by_text(re.compile("database (did not answer|is out of reach)"))
    expect(sentence.first).to_be_visible(timeout=10_000)
    expect(fresh.locator('[data-testid="stException"]')).to_have_count(0)
    page.context.close()
    tcp_proxy.restore()
