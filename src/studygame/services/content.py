"""The question bank: one interface, two sources (MongoDB, or the decks bundled in the package).

Loading reads every document once; a document that cannot be read is skipped with its reason,
never raised. Only an unreachable source raises, as ContentUnavailable.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import NamedTuple, Protocol

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from studygame.config import Settings, redact_url
from studygame.domain.questions import QUESTION_TYPES, BadQuestion, Question, parse_question

# Atlas answers in well under a second; an outage must not keep a page waiting long.
MONGO_TIMEOUT_MS = 3000
BUNDLED_SOURCE = "bundled sample decks"


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
        except PyMongoError as exc:
            raise ContentUnavailable(
                f"Could not read the question bank from {redact_url(self.uri)}: {_gist(exc)}."
            ) from None


def _gist(exc: PyMongoError) -> str:
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
        raw_id = doc.get("_id") if isinstance(doc, Mapping) else None
        doc_id = "(no _id)" if raw_id is None else str(raw_id)
        try:
            question = parse_question(doc)
        except BadQuestion as exc:
            skipped.append(Skipped(doc_id, exc.reason))
            continue
        if question.id in seen:
            skipped.append(Skipped(doc_id, "Another document has the same _id."))
            continue
        seen.add(question.id)
        questions.append(question)
    return QuestionBank(source, tuple(questions), tuple(skipped))


def load_bank(settings: Settings) -> QuestionBank:
    """Read the configured source into memory; raise ContentUnavailable if it cannot be read."""
    source = question_source(settings)
    try:
        documents = source.documents()
    except ContentUnavailable as exc:
        raise ContentUnavailable(settings.redact(str(exc))) from None
    return build_bank(source.name, documents)
