"""Reviews that came with imported cards (Anki's revlog), kept as answers so FSRS starts from them.

They are history from before StudyGame, so they are stored as the old app's answers are
(`source = 'legacy'`): Progress shows them with the imported history, and the schedule and
the memory-model fit replay them like any review. Each gets an id made from its card and its
time, so importing the same history twice adds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.answer_time import answer_time_problem
from studygame.domain.card_drafts import ReviewRecord, SkippedRow
from studygame.domain.modes import Mode
from studygame.domain.questions import DEFAULT_DECK
from studygame.models import Attempt, OwnCard
from studygame.services.learner import get_learner_settings
from studygame.services.schedule import rebuild_card_states

# Fixed forever: a review's id is uuid5(this, card key and time), the same on every import.
REVIEW_IDS = uuid.UUID("6f1d3c52-27a4-4d0e-9a57-3c1f0e2b8d41")
# Keys per lookup and rows per INSERT: inside SQLite's bound-parameter limit.
BATCH = 500


def import_reviews(
    session: Session, reviews: Sequence[ReviewRecord], *, now: datetime
) -> tuple[int, list[SkippedRow]]:
    """Store the reviews of stored cards not stored before; how many, and what was left out.

    The cards they touch are then rescheduled from their whole history.
    """
    cards = _cards_by_key(session, {review.card_key for review in reviews})
    rows = []
    skipped: list[SkippedRow] = []
    missing: set[str] = set()
    for review in reviews:
        card = cards.get(review.card_key)
        if card is None:
            missing.add(review.card_key)
            continue
        problem = answer_time_problem(review.answered_at, now=now)
        if problem is not None:
            skipped.append(SkippedRow(f"review of card {review.card_key}", f"Not kept: {problem}."))
            continue
        card_id, document = card
        rows.append(
            {
                "id": uuid.uuid5(REVIEW_IDS, f"{review.card_key}@{review.answered_at.isoformat()}"),
                "question_id": card_id,
                "deck": document.get("deck") or DEFAULT_DECK,
                "topic": document.get("topic"),
                "mode": Mode.REVIEW.value,
                "is_correct": review.rating.recalled,
                "rating": int(review.rating),
                "response_ms": review.response_ms,
                "answered_at": review.answered_at,
                "source": "legacy",
                "legacy_extra": {"from": "anki"},
            }
        )
    skipped += [
        SkippedRow(f"reviews of card {key}", "Their card was not imported.")
        for key in sorted(missing)
    ]
    added: list[str] = []  # the card of each review stored now
    for start in range(0, len(rows), BATCH):
        added += session.execute(
            dialect_insert(session)(Attempt)
            .values(rows[start : start + BATCH])
            .on_conflict_do_nothing(index_elements=[Attempt.id])
            .returning(Attempt.question_id)
        ).scalars()
    if added:
        rebuild_card_states(
            session,
            question_ids=sorted(set(added)),
            desired_retention=get_learner_settings(session).desired_retention,
            now=now,
        )
    return len(added), skipped


def _cards_by_key(session: Session, keys: set[str]) -> dict[str, tuple[str, dict]]:
    ordered = sorted(keys)
    found: dict[str, tuple[str, dict]] = {}
    for start in range(0, len(ordered), BATCH):
        for card_id, key, document in session.execute(
            select(OwnCard.id, OwnCard.source_key, OwnCard.document).where(
                OwnCard.source_key.in_(ordered[start : start + BATCH]),
                OwnCard.deleted_at.is_(None),
            )
        ):
            found[key] = (card_id, document)
    return found
