"""Card states on the real Postgres: saved and read back, and rebuilt from the answers."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from studygame.domain.modes import Mode
from studygame.domain.rating import Rating
from studygame.domain.scheduling import DEFAULT_PARAMETERS, review
from studygame.models import Attempt
from studygame.services.schedule import (
    current_parameters,
    due_date_changes,
    load_card,
    rebuild_card_states,
    save_card,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def answered(session, question_id: str, at: datetime, rating: Rating, mode: Mode) -> None:
    session.execute(
        insert(Attempt).values(
            id=uuid.uuid4(), question_id=question_id, deck="Geo", mode=mode, is_correct=True,
            rating=rating, points=0, answered_at=at, source="app",
        )
    )  # fmt: skip


def test_a_saved_card_reads_back_as_it_was_saved(session):
    card = review(None, rating=Rating.GOOD, now=NOW, desired_retention=0.9)
    save_card(session, question_id="q1", deck="Geo", card=card, now=NOW)
    assert load_card(session, question_id="q1", for_update=False) == card
    assert load_card(session, question_id="never-answered") is None


def test_a_rebuild_replays_what_moves_the_schedule_and_leaves_practice_out(session):
    answered(session, "q1", NOW, Rating.GOOD, Mode.QUIZ)
    answered(session, "q1", NOW + timedelta(days=3), Rating.EASY, Mode.REVIEW)
    answered(session, "q1", NOW + timedelta(days=4), Rating.AGAIN, Mode.CRAM)  # practice
    answered(session, "q2", NOW, Rating.AGAIN, Mode.CRAM)  # practice only: no card at all

    assert rebuild_card_states(session, desired_retention=0.9, now=NOW) == 1

    first = review(None, rating=Rating.GOOD, now=NOW, desired_retention=0.9)
    expected = review(first, rating=Rating.EASY, now=NOW + timedelta(days=3), desired_retention=0.9)
    assert load_card(session, question_id="q1", for_update=False) == expected
    assert load_card(session, question_id="q2", for_update=False) is None


def test_without_a_fit_the_defaults_drive_the_schedule_and_change_nothing(session):
    answered(session, "q1", NOW, Rating.GOOD, Mode.REVIEW)
    rebuild_card_states(session, desired_retention=0.9, now=NOW)
    assert current_parameters(session) == DEFAULT_PARAMETERS
    changes = due_date_changes(session, desired_retention=0.9, parameters=DEFAULT_PARAMETERS)
    assert changes == (0, 0)
