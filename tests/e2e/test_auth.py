"""The PIN gate in a real browser: wrong PIN, right PIN, and a reload locks again."""

import re
import time

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func, select

from studygame.models import PinFailure
from studygame.ui.auth import FORM_INTRO

PIN = "80417263"


def wait_for_failures(engine, count: int) -> None:
    """Wait until the app has recorded `count` wrong PINs: the page alone cannot tell."""
    deadline = time.monotonic() + 15
    with engine.connect() as connection:
        while connection.scalar(select(func.count()).select_from(PinFailure)) < count:
            assert time.monotonic() < deadline, f"the app did not record wrong PIN {count}"
            time.sleep(0.1)
            connection.rollback()


def submit_pin(page: Page, pin: str) -> None:
    # Type only once the last rerun has ended: a rerun that lands after the typing
    # replaces the form, and the PIN typed into the old one is never submitted.
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
    field = page.get_by_label("PIN", exact=True)
    field.fill(pin)
    field.press("Enter")


def test_wrong_pin_then_right_pin_unlocks_home_and_a_reload_locks_again(
    serve_app, phone_page: Page, own_database_url
):
    phone_page.goto(serve_app(APP_PIN=PIN, DATABASE_URL=own_database_url))
    expect(phone_page.get_by_text(FORM_INTRO)).to_be_visible(timeout=30_000)

    submit_pin(phone_page, "12345678")
    expect(phone_page.get_by_text("Wrong PIN.")).to_be_visible()
    expect(phone_page.get_by_label("PIN", exact=True)).to_have_value("")

    submit_pin(phone_page, PIN)
    expect(phone_page.get_by_text(FORM_INTRO)).to_have_count(0, timeout=30_000)
    expect(phone_page.get_by_role("heading", name="StudyGame")).to_be_visible()
    expect(phone_page.get_by_label("PIN", exact=True)).to_have_count(0)
    expect(phone_page.get_by_role("button", name="Lock", exact=True)).to_be_attached()

    phone_page.reload()
    expect(phone_page.get_by_text(FORM_INTRO)).to_be_visible(timeout=30_000)
    expect(phone_page.get_by_label("PIN", exact=True)).to_be_visible()


def test_after_five_wrong_pins_the_form_waits_with_a_ticking_countdown(
    serve_app, phone_page: Page, own_database_url
):
    phone_page.goto(serve_app(APP_PIN=PIN, DATABASE_URL=own_database_url))
    engine = create_engine(own_database_url)
    for attempt in range(5):
        submit_pin(phone_page, f"1234567{attempt}")
        wait_for_failures(engine, attempt + 1)
    engine.dispose()
    countdown = phone_page.get_by_text("the next PIN can be checked in")
    expect(countdown).to_contain_text(re.compile(r"in [23]:\d\d\."))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=5_000)  # it ticks without a click
    expect(phone_page.get_by_label("PIN", exact=True)).to_be_disabled()
