"""A run kept between taps and picked up again by a page that lost it (a reload, a restart)."""

from __future__ import annotations

import pytest

from .test_study import answer_current, click, open_page, questions_of, run_of, start_quiz_on


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
