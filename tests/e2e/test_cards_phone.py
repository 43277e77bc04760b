"""Issue 25: on a phone (390x844, touch) add a card with an image, edit it, then study it.

`STUDYGAME_SCREENSHOTS=docs/img` refreshes docs/img/cards-phone.png; a plain run writes it
to the test's temporary folder.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from studygame.domain.modes import Mode
from studygame.models import Attempt, CardMedia, OwnCard
from tests.services.card_files.anki_packages import spanish_package

from .conftest import PHONE
from .test_study_loop import key, open_page, settled

PIN = "52719304"
SCREENSHOTS = os.environ.get("STUDYGAME_SCREENSHOTS")
DECK = "Peru trip"
PROMPT = "Which city is this?"
# Wider than a phone: the page must show it at the screen's width, not scroll sideways.
PHOTO_PX = (1200, 800)


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", PHOTO_PX, (40, 110, 190)).save(out, format="PNG")
    return out.getvalue()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def image_fits(page: Page, scope: str) -> None:
    """The card's image is on screen, no wider than the phone."""
    image = page.locator(f"{scope} [data-testid=stImage] img").first
    expect(image).to_be_visible(timeout=30_000)
    expect(image).to_have_js_property("complete", True)
    box = image.bounding_box()
    assert box is not None and 0 < box["width"] <= PHONE["width"]


def tick_first_row(page: Page) -> None:
    """Tap the first row's tick box: the list is drawn on a canvas, so tap where it is."""
    grid = page.locator("[data-testid=stDataFrame]").first
    expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # The tick column is the first, 35 px rows under a 35 px header.
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    settled(page)


def add_typed_card(page: Page, tmp_path: Path) -> None:
    page.locator(key("card-type")).get_by_role("radio", name="Typed").tap()
    settled(page)
    deck = page.locator(f"{key('add-0-deck')} input")
    deck.click()
    deck.fill(DECK)
    page.keyboard.press("Enter")
    page.locator(f"{key('add-0-prompt')} textarea").fill(PROMPT)
    page.locator(f"{key('add-0-answer')} input").fill("Lma")
    page.get_by_text("More: topic, explanation, image").tap()
    upload = tmp_path / "lima.png"
    upload.write_bytes(photo())
    page.locator(".st-key-add-0-upload input[type=file]").set_input_files(upload)
    expect(page.locator(".st-key-add-0-upload")).to_contain_text("lima.png", timeout=30_000)
    page.locator(f"{key('add-0-submit')} button").tap()
    settled(page)
    expect(page.get_by_text("Added.")).to_be_visible(timeout=30_000)


def study_in_cram(page: Page, url: str) -> None:
    """Cram on the card's deck alone, answered right."""
    open_page(page, f"{url}/Cram")
    decks = page.locator(key("cram-decks"))
    decks.get_by_role("button", name="Clear all").first.click()
    settled(page)
    decks.locator("input").click()
    page.keyboard.type(DECK)
    page.get_by_role("option").filter(has_text=DECK).first.click()
    page.keyboard.press("Escape")
    settled(page)
    expect(page.get_by_text("1 questions to draw from.")).to_be_visible()
    page.locator(f"{key('cram-start')} button").tap()
    settled(page)
    expect(page.get_by_text(PROMPT)).to_be_visible(timeout=30_000)
    image_fits(page, "[data-testid=stMain]")
    no_sideways_scroll(page)
    page.locator(f"{key('given-')} input").fill("Lima")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.locator(f"{key('next')} button")).to_be_visible(timeout=30_000)


class CardsPhone(NamedTuple):
    """A phone on the Cards page: the app's address, the page, the database it writes."""

    url: str
    page: Page
    engine: Engine


@pytest.fixture
def cards_on_phone(serve_app, browser: Browser, own_database_url) -> Iterator[CardsPhone]:
    """The Cards page open on a touch phone, served on the test's own database."""
    url = serve_app(DATABASE_URL=own_database_url, APP_PIN=PIN)
    context = browser.new_context(viewport=PHONE, has_touch=True)
    page = context.new_page()
    engine = create_engine(own_database_url)
    try:
        open_page(page, f"{url}/Cards")
        yield CardsPhone(url, page, engine)
    finally:
        engine.dispose()
        context.close()


def test_a_card_is_added_edited_and_studied_on_a_phone(cards_on_phone: CardsPhone, tmp_path):
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    url, page, engine = cards_on_phone
    expect(page.get_by_text("No cards of your own yet")).to_be_visible()
    add_typed_card(page, tmp_path)
    with Session(engine) as s:
        card = s.scalars(select(OwnCard)).one()
        card_id = card.id
        assert card.document["deck"] == DECK and card.document["answer"] == "Lma"
        assert card.document["image"] == f"media:{s.scalars(select(CardMedia.sha256)).one()}"

    tick_first_row(page)
    answer = page.locator(f"{key(f'edit-{card_id}-answer')} input")
    expect(answer).to_have_value("Lma")
    image_fits(page, "[data-testid=stMain]")
    answer.fill("Lima")
    page.locator(f"{key(f'edit-{card_id}-submit')} button").tap()
    settled(page)
    expect(page.get_by_text("Saved.")).to_be_visible(timeout=30_000)
    no_sideways_scroll(page)
    # The list and the card's edit form, as the learner sees them.
    page.get_by_role("heading", name="Find and edit").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(shots / "cards-phone.png"))
    with Session(engine) as s:
        card = s.get(OwnCard, card_id)
        assert card is not None and card.document["answer"] == "Lima"

    study_in_cram(page, url)
    with Session(engine) as s:
        (attempt,) = s.scalars(select(Attempt)).all()
        assert (attempt.question_id, attempt.mode, attempt.is_correct) == (
            card_id,
            Mode.CRAM.value,
            True,
        )
        assert attempt.deck == DECK


def test_an_anki_package_is_uploaded_previewed_and_imported_on_a_phone(
    cards_on_phone: CardsPhone, tmp_path
):
    package = tmp_path / "spanish.apkg"
    package.write_bytes(spanish_package())
    _, page, engine = cards_on_phone
    page.get_by_text("Import cards: CSV, Quizlet, Anki, bank JSON").tap()
    page.locator(f"{key('cards-upload')} input[type=file]").set_input_files(package)
    expect(page.get_by_text("3 cards ready")).to_be_visible(timeout=30_000)
    no_sideways_scroll(page)
    with Session(engine) as s:
        assert s.scalars(select(OwnCard)).all() == []  # nothing before Import
    page.get_by_role("button", name="Import 3 cards").tap()
    settled(page)
    expect(page.get_by_text("3 cards added, 0 already there, 3 past reviews kept.")).to_be_visible(
        timeout=30_000
    )
    with Session(engine) as s:
        assert len(s.scalars(select(OwnCard)).all()) == 3
        assert len(s.scalars(select(Attempt)).all()) == 3
    # The new cards are in the list at once, with their deck.
    expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
    expect(page.get_by_text("3 cards in 2 decks")).to_be_visible(timeout=30_000)
