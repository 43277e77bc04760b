"""The learner's own cards: add, edit, hide, move and import them; read them for the bank.

A card is a question-bank document kept in Postgres under a stable id, so its answers and
schedule survive every edit. Each write is checked by the bank's own rules
(`content.read_question`) before it happens: a card the bank would skip is never stored.
Nothing here commits: a page or the CLI commits the transaction, so an import is all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.card_drafts import IMAGE_FIELDS, MEDIA_PREFIX, CardFile, SkippedRow
from studygame.domain.questions import BadQuestion
from studygame.models import OwnCard
from studygame.services.card_history import import_reviews
from studygame.services.card_media import BadImage, store_image, stored_image
from studygame.services.content import QuestionBank, build_bank, read_question

OWN_CARDS_SOURCE = "your cards"
# Own cards' question ids: the bank's hand-written ids never start like this.
ID_PREFIX = "own-"
# Rows per INSERT when importing: few round trips, each well inside a statement's bound.
IMPORT_BATCH = 1000
NO_SUCH_CARD = "That card is not among your cards (it may have been deleted in another tab)."


class CardRefused(ValueError):
    """A card write that would break a rule; the message is one sentence and nothing changed."""


@dataclass(frozen=True)
class ImportReport:
    """What one import did (or, in a dry run, would do)."""

    added: int
    already_there: int
    images: int
    skipped: tuple[SkippedRow, ...]
    # Past reviews kept (an Anki package read with its history), the cards' schedule rebuilt.
    reviews: int = 0


def new_card_id() -> str:
    """A fresh question id for an own card."""
    return ID_PREFIX + uuid.uuid4().hex


def checked_document(card_id: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """The document as stored (blank fields dropped), or CardRefused with the bank's reason."""
    stored = {k: v for k, v in document.items() if k != "_id" and v not in (None, "", [], ())}
    try:
        read_question({"_id": card_id, **stored})
    except BadQuestion as exc:
        raise CardRefused(exc.reason) from None
    return stored


def add_card(session: Session, document: Mapping[str, Any], *, now: datetime) -> str:
    """Store a new card; its question id."""
    card_id = new_card_id()
    stored = checked_document(card_id, document)
    session.add(OwnCard(id=card_id, document=stored, created_at=now, updated_at=now))
    session.flush()
    return card_id


def edit_card(
    session: Session, card_id: str, document: Mapping[str, Any], *, now: datetime
) -> None:
    """Replace a live card's document; its id, answers and schedule stay."""
    stored = checked_document(card_id, document)
    changed = session.execute(
        update(OwnCard)
        .where(OwnCard.id == card_id, OwnCard.deleted_at.is_(None))
        .values(document=stored, updated_at=now)
    ).rowcount
    if not changed:
        raise CardRefused(NO_SUCH_CARD)


def delete_cards(session: Session, card_ids: Iterable[str], *, now: datetime) -> int:
    """Hide these cards from study; their answers stay. How many were hidden."""
    return session.execute(
        update(OwnCard)
        .where(OwnCard.id.in_(list(card_ids)), OwnCard.deleted_at.is_(None))
        .values(deleted_at=now, updated_at=now)
    ).rowcount


def move_cards(session: Session, card_ids: Iterable[str], deck: str, *, now: datetime) -> int:
    """Put these cards in another deck; how many moved. Refused whole if one would break."""
    cards = _live(session, card_ids)
    for card in cards:
        card.document = checked_document(card.id, {**card.document, "deck": deck})
        card.updated_at = now
    session.flush()
    return len(cards)


def _live(session: Session, card_ids: Iterable[str]) -> Sequence[OwnCard]:
    return (
        session.execute(
            select(OwnCard).where(OwnCard.id.in_(list(card_ids)), OwnCard.deleted_at.is_(None))
        )
        .scalars()
        .all()
    )


def own_cards_bank(session: Session) -> QuestionBank:
    """Every live card as a bank, oldest first, read by the bank's rules."""
    rows = session.execute(
        select(OwnCard.id, OwnCard.document)
        .where(OwnCard.deleted_at.is_(None))
        .order_by(OwnCard.created_at, OwnCard.id)
    )
    return build_bank(OWN_CARDS_SOURCE, ({"_id": card_id, **doc} for card_id, doc in rows))


def _stored_images(session: Session, document: dict[str, Any], images: dict[str, str]) -> str:
    """Point the document's images at the stored ones; the name of one that is not there."""
    for field in IMAGE_FIELDS:
        image = document.get(field)
        if isinstance(image, str) and image.startswith(MEDIA_PREFIX):
            # An image the file carries, or (a CSV exported from this app) one stored already.
            stored = images.get(image.removeprefix(MEDIA_PREFIX))
            if stored is None and stored_image(session, image) is None:
                return image.removeprefix(MEDIA_PREFIX)
            document[field] = stored or image
    return ""


@dataclass(frozen=True)
class CardsExport:
    """Every live card (id, document) and the images they show, by file name."""

    cards: tuple[tuple[str, dict[str, Any]], ...]
    media: dict[str, bytes]


def cards_for_export(session: Session, *, with_media: bool) -> CardsExport:
    """The learner's cards to write out; `with_media` (a package) carries their images too.

    In a package each image travels as a file its card names; without (a CSV) a card keeps
    pointing at the image stored here, which importing it back into this app finds again.
    """
    cards = []
    media: dict[str, bytes] = {}
    for card in session.execute(
        select(OwnCard).where(OwnCard.deleted_at.is_(None)).order_by(OwnCard.created_at, OwnCard.id)
    ).scalars():
        document = dict(card.document)
        for field in IMAGE_FIELDS if with_media else ():
            image = document.get(field, "")
            found = stored_image(session, image) if image.startswith(MEDIA_PREFIX) else None
            if found is not None:
                data, mime = found
                name = f"{image.removeprefix(MEDIA_PREFIX)}.{mime.removeprefix('image/')}"
                media[name] = data
                document[field] = MEDIA_PREFIX + name
        cards.append((card.id, document))
    return CardsExport(tuple(cards), media)


def import_cards(session: Session, card_file: CardFile, *, now: datetime) -> ImportReport:
    """Store every card of the file not stored before, with its images, in this transaction.

    A draft the bank's rules refuse, or whose image cannot be kept, is skipped with its
    reason; the rest go in. The caller commits (or, for a dry run, rolls back).
    """
    skipped = list(card_file.skipped)
    images: dict[str, str] = {}
    for name, data in card_file.media.items():
        try:
            images[name] = store_image(session, data, now=now)
        except BadImage as exc:
            skipped.append(SkippedRow(f"image {name}", str(exc)))
    rows = []
    for draft in card_file.drafts:
        card_id = draft.id or new_card_id()
        document = dict(draft.document)
        missing = _stored_images(session, document, images)
        if missing:
            reason = f"Its image {missing} is not in the file."
            skipped.append(SkippedRow(f"card {draft.key}", reason))
            continue
        try:
            document = checked_document(card_id, document)
        except CardRefused as exc:
            skipped.append(SkippedRow(f"card {draft.key}", str(exc)))
            continue
        # A microsecond apart: the cards keep the file's order wherever they are listed.
        created_at = now + timedelta(microseconds=len(rows))
        rows.append(
            {
                "id": card_id,
                "document": document,
                "source_key": draft.key,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
    added = 0
    for start in range(0, len(rows), IMPORT_BATCH):
        added += len(
            session.execute(
                dialect_insert(session)(OwnCard)
                .values(rows[start : start + IMPORT_BATCH])
                # A card already there by its key or, for a bank document, by its id.
                .on_conflict_do_nothing()
                .returning(OwnCard.id)
            ).all()
        )
    reviews, left_out = import_reviews(session, card_file.reviews, now=now)
    return ImportReport(
        added=added,
        already_there=len(rows) - added,
        images=len(images),
        skipped=(*skipped, *left_out),
        reviews=reviews,
    )
