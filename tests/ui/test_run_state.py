"""A run kept between taps and picked up again by a page that lost it (a reload, a restart)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studygame.ui.engine import app_engine
from studygame.ui.study import NO_NEXT_CARD

from .test_study import answer_current, click, open_page, questions_of, run_of, start_quiz_on

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(committed_db):
    return committed_db


def test_a_new_browser_session_resumes_the_open_round_where_it_was(db):
    first = open_page("pages/2_Quiz.py")
    click(first, "quiz-start")  # the drawn plan is stored with its sitting
    for right in (True, False):
        answer_current(first, "quiz", right=right)
        click(first, "next")
    before = run_of(first, "quiz")

    again = open_page("pages/2_Quiz.py")  # a reload: a new session, nothing in its state

    resumed = run_of(again, "quiz")
    assert resumed.plan.session_id == before.plan.session_id
    assert (resumed.position, resumed.current_id) == (before.position, before.current_id)
    assert (resumed.score, resumed.answered, resumed.missed) == (
        before.score, before.answered, before.missed,
    )  # fmt: skip
    total = len(before.plan.question_ids)
    assert f"Question 3 of {total}" in again.get("progress")[0].proto.text


def test_a_round_that_ended_or_was_left_for_a_new_one_is_not_resumed(db):
    first = open_page("pages/2_Quiz.py")
    click(first, "quiz-start")
    start_quiz_on(first, questions_of("mcq", 1))
    answer_current(first, "quiz")
    click(first, "next")  # the summary: the sitting is closed
    click(first, "again")

    again = open_page("pages/2_Quiz.py")
    assert "study_run:quiz" not in again.session_state  # the setup form: a new round
    assert [b.key for b in again.button if b.key == "quiz-start"] == ["quiz-start"]


def test_review_without_the_database_says_so_and_does_not_end_the_round(
    tcp_proxy, own_database_url, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", tcp_proxy.url(own_database_url))
    app_engine.clear()
    app = AppTest.from_file(str(ROOT / "pages" / "1_Review.py"), default_timeout=30)
    app.run()
    run = run_of(app, "review")
    assert run.current_id is not None  # the first new card, read while the database was up

    tcp_proxy.cut()
    app.session_state["study_run:review"] = replace(run, current_id=None)  # ask for the next
    app.run()

    assert not app.exception, app.exception
    assert NO_NEXT_CARD in [w.value for w in app.warning]
    assert [h.value for h in app.subheader] == []  # no "All caught up!" summary
    assert run_of(app, "review").ended_at is None
    tcp_proxy.restore()
    app_engine.clear()
