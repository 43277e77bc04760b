"""Issue 23 (phone and keyboard, round 2), each item in Chromium at the viewport where it was seen:
a 390x844 phone with touch, or a 1280x800 laptop driven by keys only.

`STUDYGAME_SCREENSHOTS=docs/img` refreshes the screenshots in docs/img; a plain run writes
them to the test's temporary folder.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from studygame.config import get_settings
from studygame.domain.modes import Mode
from studygame.domain.rating import Rating
from studygame.services.content import load_bank
from studygame.services.learner import retention_choices
from studygame.services.study import NewAttempt, record_attempt

from .test_study_loop import (
    ALL_KINDS_TOPIC,
    SCREENSHOTS,
    answer_anything,
    choose,
    key,
    settled,
    shown_question,
    start,
)

PIN = "52719304"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def app_url(serve_app, own_database_url) -> str:
    return serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)


@pytest.fixture
def dev_url(start_server) -> str:
    """The app as a new learner first runs it (`make run`): the local database file and no PIN,
    so both development banners show."""
    studygame = Path(sys.executable).with_name("studygame")
    return start_server(
        lambda port: [str(studygame), "run", f"--port={port}"], STREAMLIT_SERVER_HEADLESS="true"
    )


def open_dev_page(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("heading").first).to_be_visible(timeout=60_000)
    settled(page)
    # A first page has nothing stale while its script still runs: wait for the run's end,
    # so that what is measured is the page as it stays (a slow call's spinner is gone).
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


@pytest.fixture
def touch_phone(browser: Browser) -> Iterator[Page]:
    """A 390x844 touch screen whose browser does not say "mobile" (a small tablet, a narrow
    window): Streamlit's own sidebar rules go by the user agent, the learner by the width."""
    context = browser.new_context(viewport=PHONE, has_touch=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    yield context.new_page()
    context.close()


def in_view(page: Page, selector: str) -> bool:
    """Whether the element lies wholly inside the viewport as the page is scrolled now."""
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )


def until_mcq(page: Page):
    """Answer (and leave) questions until a multiple-choice one is on screen."""
    while (question := shown_question(page)).type != "mcq":
        answer_anything(page, question)
    return question


@pytest.mark.parametrize("viewport", ["phone", "laptop"])
def test_next_and_undo_are_in_view_after_an_answer_with_an_explanation(
    dev_url, touch_phone: Page, laptop: Page, viewport: str, tmp_path
):
    page = touch_phone if viewport == "phone" else laptop
    open_dev_page(page, f"{dev_url}/Quiz")
    start(page, "quiz", topic=ALL_KINDS_TOPIC)
    question = until_mcq(page)
    assert question.explanation
    if viewport == "phone":
        choose(page, next(c for c in question.choices if c != question.answer))
    else:
        page.keyboard.press("1")
    expect(page.locator(key("next"))).to_be_visible(timeout=30_000)
    settled(page)
    # The explanation is on screen (as a caption: its Markdown is rendered, not its text).
    expect(page.get_by_role("main").locator('[data-testid="stCaptionContainer"]')).to_have_count(1)
    assert in_view(page, f"{key('next')} button")
    assert in_view(page, f"{key('undo')} button")
    if viewport == "phone":
        page.screenshot(path=f"{SCREENSHOTS or tmp_path}/feedback-explanation-phone.png")


def test_local_development_costs_one_short_line_on_a_phone_with_details_in_settings(
    dev_url, touch_phone: Page
):
    open_dev_page(touch_phone, dev_url)
    main = touch_phone.get_by_role("main")
    notice = main.get_by_text("Dev: local database · no PIN · see Settings")
    expect(notice).to_be_visible()
    expect(main.locator('[data-testid="stAlert"]')).to_have_count(0)
    assert notice.bounding_box()["height"] <= 24  # one line of small text
    # The content starts about 80 px down; that line and its gap add 40, not the ~200 px that
    # a note and a warning box took (the title was at 260 px).
    title = main.get_by_role("heading", name="StudyGame")
    above = [
        (box["y"], element.inner_text()[:40])
        for element in main.get_by_test_id("stElementContainer").all()
        if (box := element.bounding_box()) and box["y"] < title.bounding_box()["y"]
    ]
    assert title.bounding_box()["y"] <= 150, above  # what pushed it down, if anything did
    open_dev_page(touch_phone, f"{dev_url}/Settings")
    expect(main.get_by_text("No APP_PIN is set: the PIN gate is off")).to_be_visible()
    expect(main.get_by_text("set DATABASE_URL for Postgres")).to_be_visible()


def test_the_sidebar_closes_when_a_page_is_chosen_on_a_phone(dev_url, touch_phone: Page):
    open_dev_page(touch_phone, dev_url)
    sidebar = touch_phone.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")
    touch_phone.locator('[data-testid="stExpandSidebarButton"]').tap()
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    sidebar.get_by_role("link", name="Quiz").tap()
    expect(touch_phone.get_by_role("heading", name="Quiz")).to_be_visible(timeout=30_000)
    expect(sidebar).to_have_attribute("data-collapsed", "true")


def seed_wrong_answers(url: str, questions: list) -> None:
    """Two wrong answers to each of these bank questions, from the app (none from the old app)."""
    engine = create_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s, s.begin():
        for n, question in enumerate(questions * 2):
            record_attempt(
                s,
                attempt=NewAttempt(
                    id=uuid.uuid4(),
                    session_id=None,
                    question_id=question.id,
                    deck=question.deck,
                    topic=question.topic,
                    mode=Mode.QUIZ,
                    given_answer="x",
                    is_correct=False,
                    rating=Rating.AGAIN,
                    response_ms=4000,
                    points=0,
                    answered_at=now - timedelta(hours=n + 1),
                ),
                desired_retention=0.9,
            )
    engine.dispose()


def test_progress_tables_wrap_within_a_phone_and_render_markdown(
    serve_app, touch_phone: Page, own_database_url
):
    bank = load_bank(get_settings()).questions
    coded = [q for q in bank if "`" in q.prompt][:3]
    science = [q for q in bank if q.deck == "Science in Everyday Life"][:3]
    seed_wrong_answers(own_database_url, coded + science)
    base_url = serve_app(DATABASE_URL=own_database_url)
    touch_phone.goto(f"{base_url}/Progress")
    main = touch_phone.get_by_role("main")
    expect(main.get_by_text("Download your answers")).to_be_visible(timeout=60_000)
    settled(touch_phone)
    # A new learner has no old app: no switch about its history.
    expect(main.get_by_text("Include imported history")).to_have_count(0)
    tables = main.locator('[data-testid="stTable"]')
    expect(tables).to_have_count(2)  # weakest topics, most often wrong (no leeches yet)
    for table in tables.all():
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], box
        # Nothing hidden to the side: every table is as wide as its content.
        assert table.evaluate("e => [...e.querySelectorAll('*')].every("
                              "c => c.scrollWidth <= c.clientWidth + 1)")  # fmt: skip
    weakest, most_wrong = tables.all()
    expect(weakest).to_contain_text("Science in Everyday Life")
    # Code spans are drawn as code, not as backticks.
    assert "`" not in most_wrong.inner_text()
    expect(most_wrong.locator("code").first).to_be_visible()
    assert touch_phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_enter_starts_review_from_home_and_u_undoes_an_answer(dev_url, laptop: Page):
    open_dev_page(laptop, dev_url)
    expect(laptop.locator(f"{key('start-review')} kbd")).to_have_text("Enter")
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_role("heading", name="Review", exact=True)).to_be_visible(timeout=30_000)
    open_dev_page(laptop, f"{dev_url}/Quiz")
    start(laptop, "quiz")
    question = until_mcq(laptop)
    laptop.keyboard.press("1")
    undo = laptop.locator(f"{key('undo')} button")
    expect(undo).to_be_visible(timeout=30_000)
    settled(laptop)
    expect(undo.locator("kbd")).to_have_text("U")  # the key hint on the button
    laptop.keyboard.press("U")
    expect(laptop.locator(key("next"))).to_have_count(0, timeout=30_000)
    settled(laptop)
    assert shown_question(laptop).id == question.id  # the same question, to answer again


def test_the_retention_slider_runs_over_learner_py_bounds(dev_url, touch_phone: Page):
    open_dev_page(touch_phone, f"{dev_url}/Settings")
    slider = touch_phone.get_by_role("slider")
    expect(slider).to_have_count(1)
    low, high = retention_choices()
    expect(slider).to_have_attribute("min", str(low))
    expect(slider).to_have_attribute("max", str(high))
