"""The app as the Space runs it: the Dockerfile's environment, a Space's variables, a
postgres:// URL as Neon prints it, on a phone-sized screen."""

from playwright.sync_api import Page, expect

from studygame.ui.auth import FORM_INTRO

PIN = "246810"


def test_a_space_with_its_secrets_unlocks_with_the_pin_and_serves_the_app(
    serve_app, phone_page: Page, dockerfile, database_url, tmp_path
):
    env = {
        **dockerfile.env(),
        "STUDYGAME_DATA_DIR": str(tmp_path / "data"),
        "SPACE_ID": "learner/studygame",
        "APP_PIN": PIN,
        # Neon prints postgresql://; Heroku-style postgres:// must work the same.
        "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgres://"),
    }
    for name in ("HOME", "PATH"):
        env.pop(name)
    base_url = serve_app(**env)

    phone_page.goto(f"{base_url}/Status")
    expect(phone_page.get_by_text(FORM_INTRO)).to_be_visible(timeout=30_000)
    field = phone_page.get_by_label("PIN", exact=True)
    field.fill(PIN)
    field.press("Enter")

    expect(phone_page.get_by_role("heading", name="Status")).to_be_visible(timeout=30_000)
    expect(phone_page.get_by_text("Hugging Face Space (learner/studygame)")).to_be_visible()
    expect(phone_page.get_by_text("at head")).to_be_visible()
    expect(phone_page.get_by_text("needs a secret")).to_have_count(0)
    expect(phone_page.get_by_text("Local development database")).to_have_count(0)
    assert PIN not in phone_page.content()
