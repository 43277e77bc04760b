"""The app as the Space runs it: the Dockerfile's environment, a Space's variables, a
postgres:// URL as Neon prints it, on a phone-sized screen."""

from playwright.sync_api import Page, expect


def test_a_space_with_its_secrets_serves_the_app_not_the_secret_page(
    serve_app, phone_page: Page, dockerfile, database_url, tmp_path
):
    env = {
        **dockerfile.env(),
        "STUDYGAME_DATA_DIR": str(tmp_path / "data"),
        "SPACE_ID": "learner/studygame",
        "APP_PIN": "246810",
        # Neon prints postgresql://; Heroku-style postgres:// must work the same.
        "DATABASE_URL": database_url.replace("postgresql+psycopg://", "postgres://"),
    }
    for name in ("HOME", "PATH"):
        env.pop(name)
    base_url = serve_app(**env)

    phone_page.goto(f"{base_url}/Status")
    expect(phone_page.get_by_role("heading", name="Status")).to_be_visible(timeout=30_000)
    expect(phone_page.get_by_text("Hugging Face Space (learner/studygame)")).to_be_visible()
    expect(phone_page.get_by_text("at head")).to_be_visible()
    expect(phone_page.get_by_text("needs a secret")).to_have_count(0)
    expect(phone_page.get_by_text("Local development database")).to_have_count(0)
    assert "246810" not in phone_page.content()
