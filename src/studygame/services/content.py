"""The question bank: one interface, two sources (MongoDB, or the decks bundled in the package).

Loading reads every document once; a document that cannot be read is skipped with its reason,
never raised. A source that cannot be read to the end raises ContentUnavailable, whatever the
error, so the app can fall back on its last good bank.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple, Protocol

from studygame.config import Settings, redact_url
from studygame.domain.questions import QUESTION_TYPES, BadQuestion, Question, parse_question
from studygame.models import Attempt

if TYPE_CHECKING:
    from pymongo import MongoClient

# Atlas answers in well under a second; an outage must not keep a page waiting long.
MONGO_TIMEOUT_MS = 3000
BUNDLED_SOURCE = "bundled sample decks"
# A question is only playable if its answers can be saved: the attempts columns set the limits.
MAX_ID_CHARS = Attempt.__table__.c.question_id.type.length
MAX_DECK_CHARS = Attempt.__table__.c.deck.type.length
MAX_TOPIC_CHARS = Attempt.__table__.c.topic.type.length


class ContentUnavailable(RuntimeError):
    """The question source could not be read at all; the message is one redacted sentence."""


class Skipped(NamedTuple):
    """A document left out of the bank, and why."""

    id: str
    reason: str


@dataclass(frozen=True)
class QuestionBank:
    """Every readable question of one source, held in memory; answering never reads the source."""

    source: str
    questions: tuple[Question, ...]
    skipped: tuple[Skipped, ...] = ()

    @functools.cached_property
    def by_id(self) -> dict[str, Question]:
        """Question id -> question."""
        return {q.id: q for q in self.questions}

    @functools.cached_property
    def decks(self) -> dict[str, int]:
        """Deck name -> number of questions, by name."""
        return dict(sorted(Counter(q.deck for q in self.questions).items()))

    @functools.cached_property
    def types(self) -> dict[str, int]:
        """Question type -> number of questions, every type listed."""
        counts = Counter(q.type for q in self.questions)
        return {kind: counts[kind] for kind in QUESTION_TYPES}

    def topics(self, deck: str) -> list[str]:
        """The topics of one deck, by name."""
        return sorted({q.topic for q in self.questions if q.deck == deck and q.topic})

    def deck_types(self) -> dict[str, dict[str, int]]:
        """Deck -> question type -> number of questions, for the content-health table."""
        table = {deck: dict.fromkeys(QUESTION_TYPES, 0) for deck in self.decks}
        for q in self.questions:
            table[q.deck][q.type] += 1
        return table

    def select(
        self,
        *,
        decks: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
        types: Iterable[str] | None = None,
    ) -> tuple[Question, ...]:
        """The questions in these decks, topics and types (None: any), in bank order."""
        decks, topics, types = (None if f is None else set(f) for f in (decks, topics, types))
        return tuple(
            q
            for q in self.questions
            if (decks is None or q.deck in decks)
            and (topics is None or q.topic in topics)
            and (types is None or q.type in types)
        )

    def with_own_cards(self, own: QuestionBank) -> QuestionBank:
        """This bank and the learner's own cards studied as one; the bank's ids come first."""
        if not own.questions and not own.skipped:
            return self
        ids = self.by_id
        clashes = tuple(
            Skipped(q.id, "A question of the bank has the same id.")
            for q in own.questions
            if q.id in ids
        )
        return QuestionBank(
            f"{self.source} and your cards",
            self.questions + tuple(q for q in own.questions if q.id not in ids),
            self.skipped + own.skipped + clashes,
        )


class QuestionSource(Protocol):
    """Where question documents come from."""

    name: str

    def documents(self) -> list[Mapping]:
        """Every document; raise ContentUnavailable when the source cannot be read."""
        ...


class BundledDecks:
    """The sample decks shipped inside the package (studygame/decks/*.json)."""

    name = BUNDLED_SOURCE

    def documents(self) -> list[Mapping]:
        """Every question of every bundled deck; a deck file names its deck once, at the top."""
        docs: list[Mapping] = []
        for path in sorted(resources.files("studygame").joinpath("decks").iterdir(), key=str):
            if path.name.endswith(".json"):
                deck = json.loads(path.read_text(encoding="utf-8"))
                docs.extend({"deck": deck["deck"], **doc} for doc in deck["questions"])
        return docs


def mongo_client(uri: str) -> MongoClient:
    """The one place a MongoDB client is made (tests swap in mongomock here)."""
    # Imported at the first read from MongoDB: pymongo takes ~0.2 s to import, and every
    # page's first paint would pay it even with the bundled decks (docs/performance.md).
    from pymongo import MongoClient

    return MongoClient(
        uri, serverSelectionTimeoutMS=MONGO_TIMEOUT_MS, connectTimeoutMS=MONGO_TIMEOUT_MS
    )


@dataclass(frozen=True)
class MongoQuestions:
    """One MongoDB collection of question documents (Atlas in production)."""

    uri: str = field(repr=False)  # it holds the password
    database: str
    collection: str

    @property
    def name(self) -> str:
        return f"MongoDB {self.database}.{self.collection}"

    def documents(self) -> list[Mapping]:
        """Every document of the collection, read in one pass."""
        try:
            with mongo_client(self.uri) as client:
                return list(client[self.database][self.collection].find())
        # Not only PyMongoError: a cursor can also fail midway on a document bson cannot decode.
        except Exception as exc:  # any failure means "no bank from this load"
            raise ContentUnavailable(
                f"Could not read the question bank from {redact_url(self.uri)}: {_gist(exc)}."
            ) from None


def _gist(exc: Exception) -> str:
    from pymongo.errors import PyMongoError  # only a failed MongoDB read gets here

    if not isinstance(exc, PyMongoError):
        # Other errors' text may quote document content or a URI: the class name is enough.
        return f"the read failed midway ({type(exc).__name__})"
    # pymongo appends timeouts and a whole topology description: keep the first clause.
    lines = str(exc).strip().splitlines()
    gist = lines[0] if lines else type(exc).__name__
    for tail in (" (configured timeouts", ", Timeout:"):
        gist = gist.split(tail)[0]
    return gist.rstrip(". ")


def question_source(settings: Settings) -> QuestionSource:
    """MongoDB when MONGODB_URI is set, else the bundled sample decks."""
    if settings.mongodb_uri is None:
        return BundledDecks()
    return MongoQuestions(
        settings.mongodb_uri.get_secret_value(), settings.mongodb_db, settings.mongodb_collection
    )


def build_bank(source: str, documents: Iterable[object]) -> QuestionBank:
    """Parse every document; skip (with the reason) the unreadable ones and repeated ids."""
    questions: list[Question] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for doc in documents:
        doc_id = _shown_id(doc)
        try:
            question = read_question(doc)
        except BadQuestion as exc:
            skipped.append(Skipped(doc_id, exc.reason))
            continue
        # A parsing bug must cost one document, not the whole bank.
        except Exception as exc:
            skipped.append(
                Skipped(doc_id, f"The document could not be read ({type(exc).__name__}).")
            )
            continue
        if question.id in seen:
            skipped.append(Skipped(doc_id, "Another document has the same _id."))
            continue
        seen.add(question.id)
        questions.append(question)
    return QuestionBank(source, tuple(questions), tuple(skipped))


def _shown_id(doc: object) -> str:
    """The id a skipped document is listed under, whatever its _id holds."""
    try:
        raw_id = doc.get("_id") if isinstance(doc, Mapping) else None
        shown = "(no _id)" if raw_id is None else str(raw_id)
    except Exception:  # an _id whose str() fails is still one skipped document
        return "(unreadable _id)"
    # Listed on a page and in a terminal: a control or invisible character is spelled out, so
    # an _id cannot clear a screen (ESC sequences) or hide what it is.
    shown = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in shown)
    return shown if len(shown) <= MAX_ID_CHARS else shown[:MAX_ID_CHARS] + "…"


def read_question(doc: object) -> Question:
    """One document as a playable question: DESIGN.md's shape, and it fits the tables."""
    question = parse_question(doc)
    if len(question.id) > MAX_ID_CHARS:
        raise BadQuestion(f"The _id is longer than {MAX_ID_CHARS} characters.")
    if len(question.deck) > MAX_DECK_CHARS:
        raise BadQuestion(f"The deck is longer than {MAX_DECK_CHARS} characters.")
    if question.topic is not None and len(question.topic) > MAX_TOPIC_CHARS:
        raise BadQuestion(f"The topic is longer than {MAX_TOPIC_CHARS} characters.")
    return question


def load_bank(settings: Settings) -> QuestionBank:
    """Read the configured source into memory; raise ContentUnavailable if it cannot be read."""
    source = question_source(settings)
    try:
        return build_bank(source.name, source.documents())
    except ContentUnavailable as exc:
        raise ContentUnavailable(settings.redact(str(exc))) from None
    except Exception as exc:  # whatever broke, the last good bank stands in
        raise ContentUnavailable(
            f"Could not read the question bank from {source.name}: "
            f"the read failed midway ({type(exc).__name__})."
        ) from None
