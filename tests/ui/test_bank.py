"""The cached bank and the Content health page: counts, skipped documents, outages, Refresh."""

from pathlib import Path

import mongomock
import pytest
from pymongo.errors import ServerSelectionTimeoutError
from streamlit.testing.v1 import AppTest

from studygame.services import content
from studygame.ui import bank
from studygame.ui.engine import app_engine

PAGE = Path(__file__).resolve().parents[2] / "pages" / "8_Content_health.py"
MONGO_URI = "mongodb://reader:s3cretpw@cluster0.example.net/"
DOCS = [
    {"_id": "es-1", "deck": "Spanish", "question": "'Dog'?", "answer": "perro"},
    {"_id": "es-2", "deck": "Spanish", "front": "el gato", "back": "the cat"},
    {"_id": "es-3", "deck": "Spanish", "prompt": "Pick", "options": ["sí", "no"], "answer": 5},
]


@pytest.fixture(autouse=True)
def fresh_caches():
    for cached in (app_engine, bank._load, bank._last_good):
        cached.clear()
    yield
    for cached in (app_engine, bank._load, bank._last_good):
        cached.clear()


@pytest.fixture
def mongo(monkeypatch):
    """MONGODB_URI set, with a mongomock server behind the one client factory."""
    client = mongomock.MongoClient()
    client["studygame"]["questions"].insert_many(DOCS)
    monkeypatch.setattr(content, "mongo_client", lambda uri: client)
    monkeypatch.setenv("MONGODB_URI", MONGO_URI)
    return client


def mongo_goes_down(monkeypatch):
    def unreachable(uri):
        raise ServerSelectionTimeoutError("cluster0.example.net:27017: timed out, Timeout: 3.0s")

    monkeypatch.setattr(content, "mongo_client", unreachable)


def render() -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def everything_shown(app: AppTest) -> str:
    kinds = ("title", "subheader", "caption", "markdown", "error", "warning", "info", "success")
    return "\n".join(str(e.value) for kind in kinds for e in getattr(app, kind))


def skipped_rows(app: AppTest) -> list[tuple[str, str]]:
    table = app.dataframe[0].value
    return list(zip(table["_id"], table["reason"], strict=True))


def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def test_the_bundled_decks_are_healthy():
    app = render()
    assert "bundled sample decks" in app.caption[0].value
    shown = metrics(app)
    assert int(shown["Questions"]) >= 150
    assert (int(shown["Decks"]), shown["Skipped"]) == (3, "0")
    decks = [m.value for m in app.markdown if m.value.startswith("**")]
    assert [d.split("**")[1] for d in decks] == [
        "Python Basics",
        "Science in Everyday Life",
        "World Geography",
    ]
    assert sum(int(d.split(": ")[1].split(" ")[0]) for d in decks) == int(shown["Questions"])
    assert "multiple choice" in decks[0] and "flashcards" in decks[0]
    assert [s.value for s in app.success] == ["Every document was read."]


def test_skipped_documents_are_listed_with_id_and_reason(mongo):
    app = render()
    assert "MongoDB studygame.questions" in app.caption[0].value
    assert metrics(app) == {"Questions": "2", "Decks": "1", "Skipped": "1"}
    shown = [m.value for m in app.markdown]
    assert "**Spanish**: 2 (1 typed · 1 flashcards)" in shown
    assert skipped_rows(app) == [("es-3", "The answer index 5 is out of range: 2 choices.")]


def test_an_outage_keeps_the_last_good_bank_and_says_so(mongo, monkeypatch):
    app = render()
    mongo_goes_down(monkeypatch)
    app.button[0].click().run()
    assert not app.exception
    warning = app.warning[-1].value
    assert warning.startswith(
        "Could not read the question bank from mongodb://reader:***@cluster0.example.net/: "
        "cluster0.example.net:27017: timed out."
    )
    assert "Still using the questions loaded at" in warning
    assert [row[0] for row in skipped_rows(app)] == ["es-3"]
    assert metrics(app)["Questions"] == "2"
    assert "s3cretpw" not in everything_shown(app)


def test_an_outage_with_nothing_loaded_is_one_error_and_the_next_run_retries(mongo, monkeypatch):
    mongo_goes_down(monkeypatch)
    app = render()
    assert app.error[0].value.startswith(
        "Could not read the question bank from mongodb://reader:***@"
    )
    assert "No questions can be shown until it is back" in app.error[0].value
    assert not app.metric
    assert "s3cretpw" not in everything_shown(app)
    monkeypatch.setattr(content, "mongo_client", lambda uri: mongo)
    app.run()
    assert not app.error
    assert metrics(app)["Questions"] == "2"


def test_refresh_reads_the_source_again(mongo):
    app = render()
    mongo["studygame"]["questions"].insert_one(
        {"_id": "es-4", "deck": "Verbs", "prompt": "'To be' (permanent)?", "answer": "ser"}
    )
    app.run()
    assert metrics(app)["Questions"] == "2"  # cached: a rerun does not read MongoDB
    app.button[0].click().run()
    assert metrics(app) == {"Questions": "3", "Decks": "2", "Skipped": "1"}


class FailsMidway:
    """A cursor that yields one document and then breaks on the next (bad BSON, say)."""

    def __iter__(self):
        yield DOCS[0]
        raise ValueError("cannot decode document es-2")


def test_a_load_that_breaks_midway_keeps_the_last_good_bank(mongo, monkeypatch):
    app = render()
    monkeypatch.setattr(mongomock.Collection, "find", lambda *a, **k: FailsMidway())
    app.button[0].click().run()
    assert not app.exception
    warning = app.warning[-1].value
    assert warning.startswith(
        "Could not read the question bank from mongodb://reader:***@cluster0.example.net/: "
        "the read failed midway (ValueError)."
    )
    assert "Still using the questions loaded at" in warning
    assert metrics(app)["Questions"] == "2"


def test_a_load_that_breaks_with_nothing_loaded_is_one_error(mongo, monkeypatch):
    monkeypatch.setattr(mongomock.Collection, "find", lambda *a, **k: FailsMidway())
    app = render()
    assert [e.value for e in app.error] == [
        "Could not read the question bank from mongodb://reader:***@cluster0.example.net/: "
        "the read failed midway (ValueError). No questions can be shown until it is back: "
        "reload the page to try again."
    ]
    assert not app.metric


def test_a_document_that_used_to_crash_the_page_is_listed_as_skipped(mongo):
    mongo["studygame"]["questions"].insert_one(
        {"_id": "es-9", "prompt": "Squared?", "answer": "x", "difficulty": "²"}
    )
    app = render()
    assert metrics(app)["Skipped"] == "2"
    assert ("es-9", "The difficulty '²' is not 1 to 5, easy, medium or hard.") in skipped_rows(app)


def test_skipped_ids_and_reasons_are_shown_literally(mongo):
    mongo["studygame"]["questions"].insert_one(
        {"_id": "**bold**![t](http://x/t.png)", "prompt": "P", "answer": "a", "type": "essay"}
    )
    app = render()
    assert (
        "**bold**![t](http://x/t.png)",
        "The type 'essay' is not mcq, truefalse, typed or flashcard.",
    ) in skipped_rows(app)
