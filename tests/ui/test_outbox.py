"""save_answer and the pending badge, as a study page uses them, through a cuttable proxy."""

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select
from streamlit.testing.v1 import AppTest

from studygame.domain.attempt import NewAttempt
from studygame.models import Attempt, CardState, StudySession
from studygame.services.outbox import OUTBOX_FILE, Outbox
from studygame.ui.engine import app_engine
from studygame.ui.outbox import app_outbox

ROOT = Path(__file__).resolve().parents[2]


def study_page():
    """A stand-in study page: answers one question per run, shows the badge."""
    import os
    import uuid
    from datetime import UTC, datetime

    import streamlit as st

    from studygame.domain.attempt import NewAttempt
    from studygame.ui.outbox import pending_badge, save_answer

    attempt = NewAttempt(
        id=uuid.uuid4(),
        session_id=None,
        question_id=os.environ["TEST_QUESTION_ID"],
        deck="Geography",
        topic=None,
        mode="quiz",
        given_answer="Paris",
        is_correct=True,
        rating=3,
        response_ms=2500,
        points=875,
        answered_at=datetime.now(UTC),
    )
    outcome = save_answer(attempt, desired_retention=0.9)
    st.write(f"saved={outcome.saved} flushed={outcome.flushed} pending={outcome.pending}")
    pending_badge()


@pytest.fixture
def question_id(own_database_url, monkeypatch):
    question = f"t-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("TEST_QUESTION_ID", question)
    yield question
    engine = create_engine(own_database_url)
    with engine.begin() as connection:
        connection.execute(delete(Attempt).where(Attempt.question_id == question))
        connection.execute(delete(CardState).where(CardState.question_id == question))
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_caches():
    app_engine.clear()
    app_outbox.clear()
    yield
    app_engine.clear()
    app_outbox.clear()


def saved_count(own_database_url, question_id) -> int:
    engine = create_engine(own_database_url)
    with engine.connect() as connection:
        query = select(func.count()).where(Attempt.question_id == question_id)
        count = connection.execute(query).scalar_one()
    engine.dispose()
    return count


def test_answers_wait_visibly_during_an_outage_and_are_saved_after_it(
    tcp_proxy, own_database_url, question_id, monkeypatch
):
    monkeypatch.setenv("DATABASE_URL", tcp_proxy.url(own_database_url))
    app = AppTest.from_function(study_page, default_timeout=30)

    app.run()
    assert app.markdown[0].value == "saved=True flushed=0 pending=0"
    assert not app.warning

    tcp_proxy.cut()
    app.run()
    app.run()
    assert app.markdown[0].value == "saved=False flushed=0 pending=2"
    assert app.warning[0].value.startswith("2 answers waiting to be saved")

    tcp_proxy.restore()
    app.run()
    assert app.markdown[0].value == "saved=True flushed=2 pending=0"
    assert not app.warning
    assert saved_count(own_database_url, question_id) == 4


def test_answers_left_by_a_previous_process_are_saved_on_the_first_page_view(
    app_database, question_id
):
    # A restart on the same disk: the last process queued an answer and stopped.
    data_dir = Path(os.environ["STUDYGAME_DATA_DIR"])
    Outbox(data_dir / OUTBOX_FILE).add(
        NewAttempt(
            id=uuid.uuid4(), session_id=None, question_id=question_id, deck=None, topic=None,
            mode="review", given_answer=None, is_correct=False, rating=1, response_ms=None,
            points=0, answered_at=datetime(2026, 11, 24, 20, 0, tzinfo=UTC),
        )
    )  # fmt: skip

    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)
    app.run()

    assert not app.exception, app.exception
    assert not [w for w in app.warning if "waiting to be saved" in w.value]
    assert saved_count(app_database, question_id) == 1
    assert (data_dir / OUTBOX_FILE).read_text() == ""


def answer_and_go_on(app: AppTest) -> None:
    """Answer the question on screen (any answer), then press "Next question"."""
    if app.text_input:
        app.text_input[0].input("x")
        next(b for b in app.button if b.label == "Check").click().run()
    else:
        app.button[0].click().run()  # the first choice
    assert not app.exception, app.exception
    next(b for b in app.button if b.label == "Next question").click().run()
    assert not app.exception, app.exception


@pytest.fixture
def quiz(tcp_proxy, own_database_url, monkeypatch):
    """The Quiz page, its database reached through the proxy the test cuts; and an engine
    straight to the database, to see what arrived."""
    monkeypatch.setenv("DATABASE_URL", tcp_proxy.url(own_database_url))
    engine = create_engine(own_database_url)
    app = AppTest.from_file(str(ROOT / "pages" / "2_Quiz.py"), default_timeout=30)
    app.run()
    yield app, engine
    engine.dispose()


def test_a_quiz_goes_on_through_an_outage_and_its_answers_arrive_exactly_once(quiz, tcp_proxy):
    app, engine = quiz
    app.radio(key="quiz-length").set_value(10)
    next(b for b in app.button if b.label == "Start").click().run()
    answer_and_go_on(app)  # saved at once

    tcp_proxy.cut()
    for _ in range(5):
        answer_and_go_on(app)
    waiting = [w.value for w in app.warning if "waiting to be saved" in w.value]
    assert waiting and waiting[0].startswith("5 answers waiting to be saved")
    assert not app.error or all("Not quite" in e.value for e in app.error)

    tcp_proxy.restore()
    answer_and_go_on(app)  # the outbox goes first, then this answer

    assert not [w for w in app.warning if "waiting to be saved" in w.value]
    with engine.connect() as connection:
        rows = connection.execute(select(Attempt.id, Attempt.session_id)).all()
    assert len(rows) == 7 and len({row.id for row in rows}) == 7
    assert len({row.session_id for row in rows}) == 1


def test_a_sitting_that_ends_during_an_outage_is_closed_with_all_its_answers_after_it(
    quiz, tcp_proxy
):
    app, engine = quiz
    next(b for b in app.button if b.label == "Start").click().run()
    answer_and_go_on(app)
    tcp_proxy.cut()
    for _ in range(4):
        answer_and_go_on(app)  # the last one leads to the summary
    assert [s.value for s in app.subheader] == ["Done!"]

    tcp_proxy.restore()
    app.run()

    with engine.connect() as connection:
        sitting = connection.execute(select(StudySession.answered, StudySession.ended_at)).one()
    assert sitting.answered == 5 and sitting.ended_at is not None
