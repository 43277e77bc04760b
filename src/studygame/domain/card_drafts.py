"""What a card file (CSV, Quizlet, Anki) is read into, before anything is written.

A draft is a question-bank document without its `_id` (the shape in docs/question-bank.md,
read by `domain.questions.parse_question`), so an imported card obeys the same rules as a bank
question. Its key names it within its source, which makes importing one file twice a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from studygame.domain.rating import Rating

# An image a card document points at: an https URL, or media stored beside the cards.
MEDIA_PREFIX = "media:"
# The document fields that name an image: the prompt's, and the explanation's.
IMAGE_FIELDS = ("image", "explanation_image")
# A deck of tens of thousands of cards is real (Anki's shared decks); one of 100k rows is a
# pasted accident or an attack on the database's time, and is refused whole.
MAX_CARDS_PER_FILE = 50_000
# An image is stored at most this big, after downscaling: a phone shows it at ~400 px wide,
# and the free Postgres tiers count every byte.
MAX_MEDIA_BYTES = 1024 * 1024
# The longest draft key: Anki's guid is 10 characters, a content hash 64.
MAX_KEY_CHARS = 100


class BadCardFile(ValueError):
    """A file that cannot be imported at all: one sentence, and nothing is written."""


@dataclass(frozen=True)
class CardDraft:
    """One card as its file describes it."""

    # Stable within the source (an Anki note's guid and card, a CSV row's content), at most
    # MAX_KEY_CHARS, so the store can keep it beside the card.
    key: str
    # Bank-shaped: deck, topic, tags, type, prompt, choices, answer, accepted, explanation,
    # image and explanation_image ("media:<file name in CardFile.media>" or an https URL).
    document: Mapping[str, Any]
    # The question id to keep, when the file has one (a bank document's _id): the card's
    # answers and schedule follow it from the bank. None: the card gets a new id.
    id: str | None = None


@dataclass(frozen=True)
class ReviewRecord:
    """One past review of a drafted card (Anki's revlog), so scheduling can start from it."""

    card_key: str
    answered_at: datetime  # aware, UTC
    rating: Rating
    response_ms: int | None


@dataclass(frozen=True)
class SkippedRow:
    """A row or note of the file left out, and why (one sentence)."""

    where: str  # "line 12", "note 1690000000000"
    reason: str


@dataclass(frozen=True)
class CardFile:
    """Everything one file holds: cards, their media by file name, history, and what was left."""

    format: str  # "csv", "tsv", "apkg", "colpkg"
    drafts: tuple[CardDraft, ...]
    media: Mapping[str, bytes] = field(default_factory=dict)
    reviews: tuple[ReviewRecord, ...] = ()
    skipped: tuple[SkippedRow, ...] = ()
