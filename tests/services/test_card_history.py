"""Imported review history: kept once as answers from before StudyGame, and the schedule follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from studygame.domain.card_drafts import CardDraft, CardFile, ReviewRecord
from studygame.domain.rating import Rating
from studygame.models import Attempt, CardState
from studygame.services.own_cards import import_cards, own_cards_bank

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
CARD = CardDraft("anki:Xy12:0", {"deck": "Spanish", "prompt": "el perro", "answer": "the dog"})


def reviewed(*records: ReviewRecord) -> CardFile:
    return CardFile("apkg", (CARD,), reviews=records)


def review(days_ago: float, rating: Rating, key: str = CARD.key) -> ReviewRecord:
    return ReviewRecord(key, NOW - timedelta(days=days_ago), rating, 4200)


@pytest.fixture(params=["session", "sqlite_session"])
def db(request):
    return request.getfixturevalue(request.param)


def test_reviews_become_answers_from_before_studygame_and_schedule_the_card(db):
    history = reviewed(
        review(60, Rating.GOOD),
        review(59, Rating.GOOD),
        review(20, Rating.AGAIN),
        review(19, Rating.GOOD),
    )
    report = import_cards(db, history, now=NOW)
    assert (report.added, report.reviews, report.skipped) == (1, 4, ())
    (card,) = own_cards_bank(db).questions
    answers = db.scalars(select(Attempt).order_by(Attempt.answered_at)).all()
    assert [(a.question_id, a.rating, a.is_correct, a.mode, a.source) for a in answers] == [
        (card.id, 3, True, "review", "legacy"),
        (card.id, 3, True, "review", "legacy"),
        (card.id, 1, False, "review", "legacy"),
        (card.id, 3, True, "review", "legacy"),
    ]
    state = db.get(CardState, card.id)
    assert (state.reps, state.lapses) == (4, 1)
    assert state.last_review == NOW - timedelta(days=19)
    assert state.due > NOW - timedelta(days=19)


def test_the_same_history_twice_adds_nothing_and_new_reviews_add_only_themselves(db):
    import_cards(db, reviewed(review(30, Rating.GOOD)), now=NOW)
    again = import_cards(db, reviewed(review(30, Rating.GOOD), review(2, Rating.EASY)), now=NOW)
    assert (again.added, again.already_there, again.reviews) == (0, 1, 1)
    assert len(db.scalars(select(Attempt)).all()) == 2


def test_reviews_dated_outside_the_answer_window_or_of_no_imported_card_are_left_out(db):
    report = import_cards(
        db,
        reviewed(
            review(10_000, Rating.GOOD),  # 1999
            review(-1, Rating.GOOD),  # tomorrow: a wrong clock
            review(1, Rating.HARD),
            review(3, Rating.GOOD, key="anki:gone:0"),
            review(4, Rating.GOOD, key="anki:gone:0"),
        ),
        now=NOW,
    )
    assert report.reviews == 1
    assert [(s.where, s.reason.split(":")[0]) for s in report.skipped] == [
        ("review of card anki:Xy12:0", "Not kept"),
        ("review of card anki:Xy12:0", "Not kept"),
        ("reviews of card anki:gone:0", "Their card was not imported."),
    ]
    assert "before 2000-01-01" in report.skipped[0].reason
    assert "ahead of the server's clock" in report.skipped[1].reason
