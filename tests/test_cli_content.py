"""`studygame content check`: the text report, the exact --json shape, and an unreachable source."""

import json

import mongomock
import pytest
from click.testing import CliRunner

from studygame.cli import main
from studygame.services import content

DOCS = [
    {"_id": "es-1", "deck": "Spanish", "question": "'Dog'?", "answer": "perro"},
    {"_id": "es-2", "subject": "Spanish", "front": "el gato", "back": "the cat"},
    {"_id": "es-3", "deck": "Verbs", "prompt": "'To be'?", "options": ["ser", "no"], "answer": 5},
]


def run(*args: str):
    return CliRunner().invoke(main, ["content", "check", *args])


@pytest.fixture
def mongo(monkeypatch):
    client = mongomock.MongoClient()
    client["studygame"]["questions"].insert_many(DOCS)
    monkeypatch.setattr(content, "mongo_client", lambda uri: client)
    monkeypatch.setenv("MONGODB_URI", "mongodb://reader:s3cretpw@cluster0.example.net/")


def test_check_reports_the_bundled_decks():
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Source: bundled sample decks"
    assert int(lines[1].removeprefix("Questions: ")) >= 150
    assert lines[2] == "Decks: 3"
    assert lines[3].strip().endswith("Python Basics")
    assert lines[6].startswith("Types: mcq ")
    assert lines[-1] == "Skipped documents: 0"


def test_check_lists_every_skipped_document_with_its_reason(mongo):
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Source: MongoDB studygame.questions",
        "Questions: 2",
        "Decks: 1",
        "      2  Spanish",
        "Types: mcq 0, truefalse 0, typed 1, flashcard 1",
        "Skipped documents: 1",
        "  es-3: The answer index 5 is out of range: 2 choices.",
    ]


def test_check_json_has_exactly_the_documented_shape(mongo):
    result = run("--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "source": "MongoDB studygame.questions",
        "questions": 2,
        "decks": {"Spanish": 2},
        "skipped": [{"id": "es-3", "reason": "The answer index 5 is out of range: 2 choices."}],
    }


def test_check_json_on_the_bundled_decks():
    report = json.loads(run("--json").output)
    assert report["source"] == "bundled sample decks"
    assert report["questions"] == sum(report["decks"].values()) >= 150
    assert report["skipped"] == []


@pytest.mark.parametrize("flag", [(), ("--json",)])
def test_an_unreachable_source_exits_1_with_one_sentence(monkeypatch, flag):
    monkeypatch.setattr(content, "MONGO_TIMEOUT_MS", 50)
    monkeypatch.setenv("MONGODB_URI", "mongodb://reader:s3cretpw@127.0.0.1:1/")
    result = run(*flag)
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: Could not read the question bank from mongodb://reader:***@127.0.0.1:1/: "
    )
    assert len(result.output.strip().splitlines()) == 1
    assert "s3cretpw" not in result.output


def test_check_lists_what_the_database_could_not_store_and_spells_out_hidden_characters(
    mongo, monkeypatch
):
    client = content.mongo_client("")
    client["studygame"]["questions"].insert_many(
        [
            {"_id": "q" * 65, "deck": "Spanish", "prompt": "P", "answer": "a"},
            {"_id": "es-4", "deck": "D" * 201, "prompt": "P", "answer": "a"},
            {"_id": "es-\x1b[2J", "deck": "Spanish", "prompt": "P", "answer": "a"},
            {"_id": "es-6", "deck": "Spanish", "prompt": "P", "answer": "a", "difficulty": "²"},
        ]
    )
    result = run()
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-4:] == [
        f"  {'q' * 64}…: The _id is longer than 64 characters.",
        "  es-4: The deck is longer than 200 characters.",
        "  es-\\u001b[2J: There is a control character (U+001B) in the _id.",
        "  es-6: The difficulty '²' is not 1 to 5, easy, medium or hard.",
    ]
