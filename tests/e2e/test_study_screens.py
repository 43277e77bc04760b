"""Issue 23, round 2, items 6 and 7: what the study screens say and show, in Chromium at the
viewport where each defect was seen (a 390x844 phone, or a 1280x800 laptop driven by keys).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .test_study_loop import (
    ALL_KINDS_TOPIC,
    PIN,
    answer_anything,
    key,
    open_page,
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
