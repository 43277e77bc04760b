"""The app as `make run` serves it: starts on the embedded defaults and shows Home."""

from playwright.sync_api import Page, expect


def test_app_serves_home_on_the_local_defaults(serve_app, phone_page: Page):
    phone_page.goto(serve_app())
    expect(phone_page.get_by_role("heading", name="StudyGame")).to_be_visible(timeout=30_000)
    expect(phone_page.get_by_text("Dev: local database")).to_be_visible()
