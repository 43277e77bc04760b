"""The study loop as a learner feels it: Chromium on a phone (390x844) against the served app.

Starts `streamlit run` on a scratch Postgres database (created, migrated, dropped), then
times, in the page itself (performance.now() from the tap to the first animation frame
that shows the result, with no stale element left on screen):

- tap -> feedback visible, and "Next question" -> next question visible, over 30 Quiz
  answers (multiple choice, true/false and typed);
- 20 flashcards: "Show answer" -> back visible, and grade -> next card visible (when a
  build shows a feedback screen after a grade, the "Next question" round trip is added:
  the learner cannot see the next card before it);
- process start -> first page, a cold page load (a new tab: the PIN form, then unlock ->
  the page), and warm page switches (Home -> Quiz by its link, in one session).

Prints p50 / p95 (nearest rank) in milliseconds; asserts nothing.
Run: .venv/bin/python bench/browser_loop.py [--answers 30] [--cards 20] [--loads 5]
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import click
from playwright.sync_api import Locator, Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from served_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    SETTLED,
    app_database,
    echo_load,
    report,
    served,
)

PIN = "52719304"
TIMEOUT_MS = 30_000

# Clicks `el`, then resolves with the milliseconds until `condition` holds on a frame.
TAP_AND_WAIT = """
([el, condition, timeout]) => new Promise((resolve, reject) => {
  const holds = new Function("return (" + condition + ");");
  const t0 = performance.now();
  el.click();
  const tick = () => {
    if (holds()) return resolve(performance.now() - t0);
    if (performance.now() - t0 > timeout) return reject(new Error("timed out: " + condition));
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})
"""


def main_text(fragment: str) -> str:
    """A JS condition: the main area shows this text."""
    return f"document.querySelector('[data-testid=\"stMain\"]').innerText.includes({fragment!r})"


def has_key(prefix: str) -> str:
    """A JS condition: a widget whose key starts with `prefix` is on screen."""
    return f"!!document.querySelector('[class*=\"st-key-{prefix}\"]')"


def both(*conditions: str) -> str:
    return " && ".join(f"({c})" for c in conditions)


FEEDBACK = both(has_key("next"), SETTLED)


def tap(page: Page, target: Locator, condition: str) -> float:
    """Tap `target` and return the ms until `condition` holds."""
    target.wait_for(timeout=TIMEOUT_MS)
    return page.evaluate(TAP_AND_WAIT, [target.element_handle(), condition, TIMEOUT_MS])


def question_shown(number: int, total: int) -> str:
    """A JS condition: question `number` is on screen (past the last one: the summary)."""
    if number > total:
        return both(has_key("again"), SETTLED)
    return both(main_text(f"Question {number} of {total}"), f"!({has_key('next')})", SETTLED)


def settle(page: Page) -> None:
    page.wait_for_function(SETTLED, timeout=TIMEOUT_MS)


def quiz(page: Page, answers: int, total: int) -> tuple[list[float], list[float], dict]:
    """Answer `answers` quiz questions; returns tap->feedback, next->question, types seen."""
    feedback, following, types = [], [], {"choice": 0, "typed": 0}
    for number in range(1, answers + 1):
        page.wait_for_function(question_shown(number, total), timeout=TIMEOUT_MS)
        typed = page.locator('[class*="st-key-given-"] input')
        if typed.count():
            types["typed"] += 1
            typed.fill("x")
            target = page.get_by_role("button", name="Check")
        else:
            types["choice"] += 1
            target = page.locator('[class*="st-key-choice-"] button').first
        feedback.append(tap(page, target, FEEDBACK))
        next_button = page.locator('[class*="st-key-next"] button')
        following.append(tap(page, next_button, question_shown(number + 1, total)))
    return feedback, following, types


def flashcards(page: Page, cards: int, total: int) -> tuple[list[float], list[float]]:
    """Reveal and grade `cards` cards Good; returns reveal and grade->next-card times."""
    reveal, graded = [], []
    for number in range(1, cards + 1):
        page.wait_for_function(question_shown(number, total), timeout=TIMEOUT_MS)
        shown = both(has_key("grade-"), SETTLED)
        reveal.append(tap(page, page.locator('[class*="st-key-reveal-"] button'), shown))
        good = page.locator('[class*="st-key-grade-"] button', has_text="Good")
        after = f"({question_shown(number + 1, total)}) || ({FEEDBACK})"
        elapsed = tap(page, good, after)
        if page.locator('[class*="st-key-next"] button').count():
            elapsed += tap(
                page,
                page.locator('[class*="st-key-next"] button'),
                question_shown(number + 1, total),
            )
        graded.append(elapsed)
    return reveal, graded


def unlock(page: Page) -> None:
    page.get_by_label("PIN", exact=True).fill(PIN)
    page.get_by_role("button", name="Unlock").click()


def start_run(page: Page, mode: str, length: int) -> None:
    settle(page)
    lengths = page.locator(f'[class*="st-key-{mode}-length"] label')
    lengths.filter(has_text=re.compile(f"^{length}$")).click()
    settle(page)
    page.locator(f'[class*="st-key-{mode}-start"] button').click()


def pin_form_shown(page: Page) -> None:
    page.get_by_label("PIN", exact=True).wait_for(timeout=60_000)


@click.command()
@click.option("--answers", default=30, show_default=True, help="Quiz answers to time.")
@click.option("--cards", default=20, show_default=True, help="Flashcards to time.")
@click.option("--loads", default=5, show_default=True, help="Cold loads and page switches.")
def main(answers: int, cards: int, loads: int) -> None:
    """Serve the app on a scratch database and time the study loop in Chromium."""
    with app_database() as (url, data), sync_playwright() as playwright:
        env = {**os.environ, "DATABASE_URL": url, "APP_PIN": PIN, "STUDYGAME_DATA_DIR": data}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        try:
            with served(env) as base:
                context = browser.new_context(viewport=PHONE)
                page = context.new_page()
                page.goto(base)
                pin_form_shown(page)
                first_page = [(time.perf_counter() - started) * 1000]
                context.close()

                cold, unlocked = [], []
                for _ in range(loads):
                    context = browser.new_context(viewport=PHONE)
                    page = context.new_page()
                    t0 = time.perf_counter()
                    page.goto(f"{base}/Quiz")
                    pin_form_shown(page)
                    cold.append((time.perf_counter() - t0) * 1000)
                    page.get_by_label("PIN", exact=True).fill(PIN)
                    unlocked.append(
                        tap(page, page.get_by_role("button", name="Unlock"), has_key("quiz-start"))
                    )
                    context.close()

                context = browser.new_context(viewport=PHONE)
                page = context.new_page()
                page.goto(base)
                unlock(page)
                switches = []
                for _ in range(loads):
                    page.locator('[data-testid="stPageLink"] a', has_text="Quiz").wait_for()
                    settle(page)
                    link = page.locator('[data-testid="stPageLink"] a', has_text="Quiz")
                    switches.append(tap(page, link, both(has_key("quiz-start"), SETTLED)))
                    page.go_back()

                page.goto(f"{base}/Quiz")
                unlock(page)
                start_run(page, "quiz", 50)
                feedback, following, types = quiz(page, answers, 50)

                page.goto(f"{base}/Flashcards")
                unlock(page)
                start_run(page, "flashcards", 20)
                reveal, graded = flashcards(page, cards, 20)
                context.close()
        finally:
            browser.close()

    echo_load()
    click.echo(f"quiz answers: {types['choice']} tapped (mcq, true/false), {types['typed']} typed")
    click.echo("| what | n | p50 ms | p95 ms |\n|---|---:|---:|---:|")
    report("quiz: tap -> feedback visible", feedback)
    report("quiz: Next -> next question visible", following)
    report("flashcards: Show answer -> back visible", reveal)
    report("flashcards: grade -> next card visible", graded)
    report("process start -> first page (PIN form)", first_page)
    report("cold page load: new tab -> PIN form", cold)
    report("cold page load: Unlock -> Quiz page", unlocked)
    report("warm page switch: Home -> Quiz", switches)


if __name__ == "__main__":
    main()
