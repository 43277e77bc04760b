"""Issue 23, round 2, items 6, 7 and 9: what the study screens say and show, in Chromium at
the viewport where each defect was seen (a 390x844 phone, or a 1280x800 laptop driven by keys).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from studygame.models import Attempt
from studygame.services.learner import LearnerPreferences, update_learner_settings

from .test_study_loop import (
    ALL_KINDS_TOPIC,
    PIN,
    QUESTION_KEY,
    answer_anything,
    key,
    open_page,
    plain,
    questions,
    settled,
    shown_question,
)
from .test_study_loop import start as start_round

LAPTOP = {"width": 1280, "height": 800}
# py-023 asks what `'  hi  '.strip()` returns: its choices differ only by their spaces.
SPACED_QUESTION = "py-023"


@pytest.fixture
def app_url(serve_app, own_database_url) -> str:
    return serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP)
    yield context.new_page()
    context.close()


def focused_choice(page: Page) -> str | None:
    """The label of the focused option of the question-count control, if it is chosen."""
    return page.evaluate("""() => {
      const active = document.activeElement;
      if (!active?.closest('[class*="st-key-quiz-length"]')) return null;
      const chosen = active.checked || active.getAttribute("aria-checked") === "true"
        || active.getAttribute("aria-pressed") === "true";
      return chosen ? (active.closest("label")?.innerText ?? active.innerText).trim() : null;
    }""")


def test_shift_tab_onto_the_question_count_lands_on_the_chosen_one(app_url, laptop: Page):
    open_page(laptop, f"{app_url}/Quiz")
    # Streamlit loads a widget's code when first drawn: the choices come a moment after Start.
    expect(laptop.locator(f"{key('quiz-length')} [data-testid=stRadioOption]")).to_have_count(4)
    expect(laptop.locator(f"{key('quiz-topics')} input")).to_be_visible()
    start = laptop.locator(f"{key('quiz-start')} button")
    start.focus()
    expect(start).to_be_focused()
    laptop.keyboard.press("Shift+Tab")
    assert focused_choice(laptop) == "5"  # the first length offered is chosen
    laptop.keyboard.press("ArrowRight")  # the next length, by the keyboard alone
    settled(laptop)
    assert focused_choice(laptop) == "10"
    laptop.keyboard.press("Tab")
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_text("Question 1 of 10")).to_be_visible(timeout=30_000)


def test_the_typed_field_gives_the_apps_own_hint_not_the_forms(app_url, phone_page: Page):
    open_page(phone_page, f"{app_url}/Quiz")
    start_round(phone_page, "quiz", topic=ALL_KINDS_TOPIC)
    while shown_question(phone_page).type != "typed":
        answer_anything(phone_page, shown_question(phone_page))
    field = phone_page.locator(f"{key('given-')} input")
    expect(field).to_have_attribute("placeholder", "Type your answer, then Check")
    field.press_sequentially("an answer")
    expect(field).to_have_value("an answer")
    # Streamlit's "Press Enter to submit form" speaks of a form and a key a phone lacks.
    expect(phone_page.get_by_text("Press Enter to submit form")).not_to_be_visible()


def test_choices_keep_their_spaces(app_url, phone_page: Page):
    open_page(phone_page, f"{app_url}/Quiz")
    start_round(phone_page, "quiz", topic="Strings", length=20)  # all 11: py-023 among them
    while (question := shown_question(phone_page)).id != SPACED_QUESTION:
        answer_anything(phone_page, question)
    labels = phone_page.locator(f"{key('choice-')} button p").all_inner_texts()
    # innerText is the text as laid out: collapsed spaces would read "' hi'" here.
    assert sorted(labels) == sorted(question.choices), labels


# About four answers a second, as the player of issue 23, item 9 pressed them.
KEY_INTERVAL_S = 0.25
FAST_ANSWERS = 40
# Longer than a tick of the round's clock (1 s), with room for a loaded machine.
SETTLES_WITHIN_MS = 3_000
SCREENS_ON_PAGE = """() => [...document.querySelectorAll('[class*="st-key-choice-speed-"]')]
  .map(e => Number(e.className.match(/st-key-choice-speed-(\\d+)-/)[1]))"""
VISIBLE_LAST_LINES = """() => [...document.querySelectorAll('[data-testid=stAlert]')]
  .filter(e => e.offsetParent !== null && e.innerText.includes('Last question'))
  .map(e => e.innerText)"""


def test_a_fast_keyboard_speed_round_shows_only_the_last_answers_line(
    app_url, laptop: Page, own_database_url
):
    engine = create_engine(own_database_url)
    with Session(engine) as s, s.begin():
        # Long enough for every answer on a loaded machine: the clock is not what is tested.
        update_learner_settings(
            s, preferences=LearnerPreferences(speed_round_seconds=600), now=datetime.now(UTC)
        )
    bank = questions()
    open_page(laptop, f"{app_url}/Speed_round")
    expect(laptop.locator(f"{key('speed-start')} button")).to_be_visible()
    laptop.keyboard.press("Enter")
    expect(laptop.locator(key("choice-speed-")).first).to_be_visible(timeout=30_000)
    settled(laptop)
    pressed_at = 0.0
    for answered in range(1, FAST_ANSWERS + 1):
        screen = max(laptop.evaluate(SCREENS_ON_PAGE))
        widget = laptop.locator(key(f"choice-speed-{screen}-")).first
        question = bank[QUESTION_KEY.search(widget.get_attribute("class")).group(1)]
        time.sleep(max(pressed_at + KEY_INTERVAL_S - time.monotonic(), 0))
        pressed_at = time.monotonic()
        laptop.keyboard.press("T" if question.type == "truefalse" else "1")
        laptop.wait_for_function(f"({SCREENS_ON_PAGE})().some(n => n > {screen})")
        settled(laptop)
        with Session(engine) as s:
            count = s.scalar(select(func.count()).select_from(Attempt))
            last = s.scalars(select(Attempt).order_by(Attempt.answered_at.desc())).first()
        assert (count, last.question_id) == (answered, question.id)
        # One line, naming that answer, and nothing of a screen that is gone (shown or hidden),
        # within a moment: a run already queued may still redraw, but a stale line that waits
        # for the next answer to go (issue 23, item 9) outlasts a tick of the clock.
        expected = json.dumps(f"“{plain(bank[last.question_id].prompt)}”")
        shows_only_the_last = f"""() => {{
          const lines = ({VISIBLE_LAST_LINES})();
          return lines.length === 1 && lines[0].includes({expected})
            && new Set(({SCREENS_ON_PAGE})()).size === 1;
        }}"""
        try:
            laptop.wait_for_function(shows_only_the_last, timeout=SETTLES_WITHIN_MS)
        except PlaywrightTimeoutError:
            lines, screens = (laptop.evaluate(js) for js in (VISIBLE_LAST_LINES, SCREENS_ON_PAGE))
            pytest.fail(f"answer {answered} ({last.question_id}): {lines}, screens {set(screens)}")
    engine.dispose()
