"""load_bank: the bundled decks, the MongoDB path (mongomock), skipped documents, outages."""

from pathlib import Path

import mongomock
import pytest
from bson import ObjectId
from pymongo.errors import PyMongoError

from studygame.config import get_settings
from studygame.domain.grading import grade_typed
from studygame.domain.questions import MAX_TEXT_CHARS, QUESTION_TYPES
from studygame.models import Attempt
from studygame.services import content
from studygame.services.content import (
    ContentUnavailable,
    QuestionBank,
    Skipped,
    build_bank,
    load_bank,
    question_source,
)

MONGO_URI = "mongodb://reader:s3cretpw@cluster0.example.net/"
GOOD_ID = ObjectId("65f0c0ffee0000000000a001")
GOOD_DOCS = [
    {
        "_id": GOOD_ID,
        "set": "Spanish",
        "category": "Greetings",
        "question": "How do you say 'thank you'?",
        "options": ["gracias", "hola", "adiós"],
        "correct_index": 0,
        "difficulty": "easy",
    },
    {"_id": "es-2", "subject": "Spanish", "front": "el perro", "back": "the dog"},
    {"_id": "es-3", "deck": "Spanish", "text": "'Hola' means hello.", "correct": True},
    {
        "_id": "es-4",
        "deck": "Spanish",
        "prompt": "'Cat' in Spanish?",
        "answer": ["gato", "el gato"],
    },
]
BROKEN_DOCS = [
    {"_id": "es-5", "deck": "Spanish", "answer": "sí"},
    {"_id": "es-6", "deck": "Spanish", "prompt": "Pick one", "choices": ["a", "b"], "answer": 4},
    {"_id": "es-7", "deck": ["Spanish"], "prompt": "Deck as a list", "answer": "x"},
    # The same id once as an ObjectId and once as its string: one id in Postgres.
    {"_id": str(GOOD_ID), "deck": "Spanish", "prompt": "Same id again", "answer": "x"},
]


def settings_for(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def mongo(monkeypatch):
    """A mongomock server behind content.mongo_client, the one place clients are made."""
    client = mongomock.MongoClient()
    monkeypatch.setattr(content, "mongo_client", lambda uri: client)
    return client


def test_the_bundled_decks_are_the_default_source():
    bank = load_bank(get_settings())
    assert bank.source == "bundled sample decks"
    assert len(bank.questions) >= 150
    assert len(bank.decks) >= 3
    assert all(count >= 50 for count in bank.decks.values()), bank.decks
    assert all(bank.types[kind] >= 20 for kind in QUESTION_TYPES), bank.types
    assert bank.skipped == ()


def test_bundled_questions_have_unique_stable_ids_and_explanations():
    bank = load_bank(get_settings())
    ids = [q.id for q in bank.questions]
    assert len(set(ids)) == len(ids)
    prefixes = {
        "Python Basics": "py-",
        "Science in Everyday Life": "sci-",
        "World Geography": "geo-",
    }
    assert all(q.id.startswith(prefixes[q.deck]) for q in bank.questions)
    assert all(q.topic and q.difficulty for q in bank.questions)
    missing = [q.id for q in bank.questions if q.type != "flashcard" and not q.explanation]
    assert missing == []


def test_bundled_typed_answers_are_short():
    typed = [q for q in load_bank(get_settings()).questions if q.type == "typed"]
    assert [q.id for q in typed if len(q.answer.split()) > 3] == []


def test_mongodb_documents_with_aliases_become_questions(monkeypatch, mongo):
    mongo["studygame"]["questions"].insert_many(GOOD_DOCS)
    bank = load_bank(settings_for(monkeypatch, MONGODB_URI=MONGO_URI))
    assert bank.source == "MongoDB studygame.questions"
    assert bank.skipped == ()
    assert bank.decks == {"Spanish": 4}
    assert [q.type for q in bank.questions] == ["mcq", "flashcard", "truefalse", "typed"]
    first = bank.by_id[str(GOOD_ID)]
    assert (first.answer, first.topic, first.difficulty) == ("gracias", "Greetings", 1)
    assert bank.by_id["es-4"].accepted == ("el gato",)


def test_unreadable_documents_are_skipped_with_their_reason(monkeypatch, mongo):
    mongo["studydb"]["cards"].insert_many(GOOD_DOCS + BROKEN_DOCS)
    bank = load_bank(
        settings_for(
            monkeypatch, MONGODB_URI=MONGO_URI, MONGODB_DB="studydb", MONGODB_COLLECTION="cards"
        )
    )
    assert bank.source == "MongoDB studydb.cards"
    assert len(bank.questions) == 4
    assert bank.skipped == (
        Skipped("es-5", "The document has no prompt (prompt, question, front or text)."),
        Skipped("es-6", "The answer index 4 is out of range: 2 choices."),
        Skipped("es-7", "The deck (deck) is not text."),
        Skipped(str(GOOD_ID), "Another document has the same _id."),
    )
    assert bank.by_id[str(GOOD_ID)].prompt == "How do you say 'thank you'?"


def test_an_empty_collection_is_a_readable_empty_bank(monkeypatch, mongo):
    bank = load_bank(settings_for(monkeypatch, MONGODB_URI=MONGO_URI))
    assert (bank.questions, bank.skipped, bank.decks) == ((), (), {})


def test_an_unreachable_mongodb_is_one_sentence_without_the_password(monkeypatch):
    monkeypatch.setattr(content, "MONGO_TIMEOUT_MS", 50)
    uri = "mongodb://reader:s3cretpw@127.0.0.1:1/"
    with pytest.raises(ContentUnavailable) as raised:
        load_bank(settings_for(monkeypatch, MONGODB_URI=uri))
    message = str(raised.value)
    assert message.startswith(
        "Could not read the question bank from mongodb://reader:***@127.0.0.1:1/: "
    )
    assert message.endswith(".")
    assert "s3cretpw" not in message
    assert "\n" not in message
    assert "Topology" not in message


def test_the_mongodb_source_keeps_its_password_out_of_its_repr(monkeypatch):
    source = question_source(settings_for(monkeypatch, MONGODB_URI=MONGO_URI))
    assert source.name == "MongoDB studygame.questions"
    assert "s3cretpw" not in repr(source)


def test_a_malformed_mongodb_uri_is_one_sentence(monkeypatch):
    with pytest.raises(ContentUnavailable, match="Invalid URI scheme"):
        load_bank(settings_for(monkeypatch, MONGODB_URI="http://reader:s3cretpw@host/"))


def test_the_password_is_redacted_even_when_the_driver_repeats_it(monkeypatch, mongo):
    def failing_find(*args, **kwargs):
        raise PyMongoError("auth failed for reader:s3cretpw")

    monkeypatch.setattr(mongomock.Collection, "find", failing_find)
    with pytest.raises(ContentUnavailable) as raised:
        load_bank(settings_for(monkeypatch, MONGODB_URI=MONGO_URI))
    assert "s3cretpw" not in str(raised.value)
    assert "auth failed for reader:***" in str(raised.value)


def test_the_bank_counts_and_selects():
    bank = build_bank(
        "test",
        [
            {"_id": "a", "deck": "B", "topic": "t1", "prompt": "p", "answer": "x"},
            {"_id": "b", "deck": "A", "topic": "t2", "prompt": "p", "answer": True},
            {"_id": "c", "deck": "B", "topic": "t2", "prompt": "p", "back": "x"},
            "not a document",
        ],
    )
    assert bank.decks == {"A": 1, "B": 2}
    assert bank.types == {"mcq": 0, "truefalse": 1, "typed": 1, "flashcard": 1}
    assert bank.deck_types()["B"] == {"mcq": 0, "truefalse": 0, "typed": 1, "flashcard": 1}
    assert bank.topics("B") == ["t1", "t2"]
    assert [q.id for q in bank.select(decks=["B"])] == ["a", "c"]
    assert [q.id for q in bank.select(topics=["t2"], types=["flashcard"])] == ["c"]
    assert [q.id for q in bank.select()] == ["a", "b", "c"]
    assert bank.skipped == (Skipped("(no _id)", "The document is not an object."),)


def test_the_bank_is_frozen():
    bank = QuestionBank("test", ())
    with pytest.raises(AttributeError):
        bank.source = "other"


def mongo_settings(monkeypatch):
    return settings_for(monkeypatch, MONGODB_URI=MONGO_URI)


def test_a_document_that_used_to_crash_the_load_is_skipped(monkeypatch, mongo):
    mongo["studygame"]["questions"].insert_many(
        [*GOOD_DOCS, {"_id": "es-9", "prompt": "Squared?", "answer": "x", "difficulty": "²"}]
    )
    bank = load_bank(mongo_settings(monkeypatch))
    assert len(bank.questions) == 4
    assert bank.skipped == (
        Skipped("es-9", "The difficulty '²' is not 1 to 5, easy, medium or hard."),
    )


def test_a_parsing_bug_costs_one_document_not_the_bank(monkeypatch):
    real = content.parse_question

    def buggy(doc):
        if doc["_id"] == "es-2":
            raise KeyError("surprise")
        return real(doc)

    monkeypatch.setattr(content, "parse_question", buggy)
    bank = build_bank("test", GOOD_DOCS)
    assert len(bank.questions) == 3
    assert bank.skipped == (Skipped("es-2", "The document could not be read (KeyError)."),)


LONG = "x" * 201
# Documents the parser accepts but the attempts table could not store, and repeated ids.
UNSTORABLE = [
    ({"_id": "q" * 65, "prompt": "P", "answer": "a"}, "The _id is longer than 64 characters."),
    ({"_id": "u1", "deck": LONG, "prompt": "P", "answer": "a"}, "The deck is longer than 200"),
    ({"_id": "u2", "topic": LONG, "prompt": "P", "answer": "a"}, "The topic is longer than 200"),
]


@pytest.mark.parametrize(("doc", "reason"), UNSTORABLE, ids=[r for _, r in UNSTORABLE])
def test_what_the_database_cannot_store_is_refused(doc, reason):
    bank = build_bank("test", [doc])
    assert bank.questions == ()
    assert bank.skipped[0].reason.startswith(reason)
    assert len(bank.skipped[0].id) <= content.MAX_ID_CHARS + 1


def test_the_limits_come_from_the_attempts_columns():
    columns = Attempt.__table__.c
    assert (
        columns.question_id.type.length,
        columns.deck.type.length,
        columns.topic.type.length,
    ) == (content.MAX_ID_CHARS, content.MAX_DECK_CHARS, content.MAX_TOPIC_CHARS)
    fits = {"_id": "q" * 64, "deck": "d" * 200, "topic": "t" * 200, "prompt": "P", "answer": "a"}
    assert len(build_bank("test", [fits]).questions) == 1


def test_ids_that_are_equal_as_text_are_one_question():
    docs = [
        {"_id": 7, "prompt": "P", "answer": "a"},
        {"_id": "7", "prompt": "P again", "answer": "a"},
    ]
    bank = build_bank("test", docs)
    assert [q.id for q in bank.questions] == ["7"]
    assert bank.skipped == (Skipped("7", "Another document has the same _id."),)


class BrokenMidway:
    """A cursor that yields some documents, then fails (a dropped connection, bad BSON)."""

    def __init__(self, docs, error):
        self.docs, self.error = docs, error

    def __iter__(self):
        yield from self.docs
        raise self.error


@pytest.mark.parametrize(
    ("error", "gist"),
    [
        (PyMongoError("connection reset by peer"), "connection reset by peer"),
        (ValueError("bad bson in doc es-9"), "the read failed midway (ValueError)"),
        (MemoryError(), "the read failed midway (MemoryError)"),
    ],
)
def test_a_cursor_that_fails_midway_is_an_unreadable_source(monkeypatch, mongo, error, gist):
    monkeypatch.setattr(
        mongomock.Collection, "find", lambda *a, **k: BrokenMidway(GOOD_DOCS[:2], error)
    )
    with pytest.raises(ContentUnavailable) as raised:
        load_bank(mongo_settings(monkeypatch))
    assert str(raised.value) == (
        f"Could not read the question bank from mongodb://reader:***@cluster0.example.net/: {gist}."
    )


def test_any_failure_of_a_source_is_content_unavailable(monkeypatch):
    class Exploding:
        name = "exploding source"

        def documents(self):
            raise RuntimeError("boom")

    monkeypatch.setattr(content, "question_source", lambda settings: Exploding())
    with pytest.raises(ContentUnavailable) as raised:
        load_bank(get_settings())
    assert str(raised.value) == (
        "Could not read the question bank from exploding source: "
        "the read failed midway (RuntimeError)."
    )


def test_every_bundled_typed_question_accepts_its_own_answers():
    for q in load_bank(get_settings()).select(types=["typed"]):
        for given in (q.answer, *q.accepted):
            verdict = grade_typed(given, q.answer, q.accepted)
            assert (q.id, verdict.is_correct, verdict.was_fuzzy) == (q.id, True, False)


def test_the_documented_limits_are_the_code_limits():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "question-bank.md").read_text()
    assert f"an `_id` (as text) of at most {content.MAX_ID_CHARS} characters" in doc
    assert f"or topic of at most {content.MAX_DECK_CHARS} characters" in doc
    assert content.MAX_DECK_CHARS == content.MAX_TOPIC_CHARS
    assert f"A text field is at most {MAX_TEXT_CHARS} characters." in doc
