"""The app as the Space runs it: the Dockerfile's environment, a Space's variables, a
postgres:// URL as Neon prints it, on a phone-sized screen: unlock, answer, find the row."""

from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from studygame.models import Attempt, CardState
from studygame.ui.auth import FORM_INTRO

PIN = "246810"


def unlock(page: Page) -> None:
    expect(page.get_by_text(FORM_INTRO)).to_be_visible(timeout=30_000)
    field = page.get_by_label("PIN", exact=True)
    field.fill(PIN)
    field.press("Enter")


def answer_the_first_question(page: Page) -> None:
    main = page.get_by_role("main")
    main.get_by_role("button", name="Start").click()
    expect(main.get_by_text("Question 1 of 5")).to_be_visible(timeout=30_000)
    expect(page.locator('[data-stale="true"]')).to_have_count(0, timeout=30_000)
    typed = main.get_by_label("Your answer")
    choices = main.locator(".stButton button")
    expect(typed.or_(choices).first).to_be_visible(timeout=30_000)
    if typed.count():
        typed.fill("photosynthesis")
        main.get_by_role("button", name="Check").click()
    else:
        choices.first.click()
    expect(main.get_by_role("button", name="Next question")).to_be_visible(timeout=30_000)


def test_a_space_unlocks_with_the_pin_and_its_answers_reach_postgres(
    serve_app, phone_page: Page, dockerfile, own_database_url, tmp_path
):
    env = {
        **dockerfile.env(),
        "STUDYGAME_DATA_DIR": str(tmp_path / "data"),
        "SPACE_ID": "learner/studygame",
        "APP_PIN": PIN,
        # Neon prints postgresql://; Heroku-style postgres:// must work the same.
        "DATABASE_URL": own_database_url.replace("postgresql+psycopg://", "postgres://"),
    }
    for name in ("HOME", "PATH"):
        env.pop(name)
    engine = create_engine(own_database_url)
    try:
        base_url = serve_app(**env)
        phone_page.goto(f"{base_url}/Quiz")
        unlock(phone_page)
        answer_the_first_question(phone_page)
        with Session(engine) as s:
            [attempt] = s.scalars(select(Attempt))
            assert attempt.mode == "quiz" and attempt.source == "app"
            assert s.get(CardState, attempt.question_id).reps == 1

        phone_page.goto(f"{base_url}/Status")  # a new page load: the PIN again
        unlock(phone_page)
        expect(phone_page.get_by_role("heading", name="Status")).to_be_visible(timeout=30_000)
        expect(phone_page.get_by_text("Hugging Face Space (learner/studygame)")).to_be_visible()
        expect(phone_page.get_by_text("at head")).to_be_visible()
        expect(phone_page.get_by_text("needs a secret")).to_have_count(0)
        expect(phone_page.get_by_text("waiting to be saved")).to_have_count(0)
        assert PIN not in phone_page.content()
    finally:
        engine.dispose()
