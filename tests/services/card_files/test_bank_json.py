"""Bank documents as JSON: what mongoexport writes comes in with its _id, and goes back out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from studygame.domain.card_drafts import MAX_CARDS_PER_FILE, BadCardFile
from studygame.services.card_files.bank_json import read_bank_json, write_bank_json
from studygame.services.own_cards import (
    cards_for_export,
    delete_cards,
    import_cards,
    own_cards_bank,
)

NOW = datetime(2026, 12, 4, tzinfo=UTC)
SPANISH = {
    "_id": {"$oid": "65f0c0ffee0000000000a001"},
    "set": "Spanish",
    "question": "How do you say 'thank you'?",
    "options": ["gracias", "hola", "adiós"],
    "correct_index": 0,
}


def test_mongoexport_lines_and_arrays_and_deck_files_are_read_alike():
    lines = "\n".join(json.dumps(d) for d in [SPANISH, {**SPANISH, "_id": "es-2"}]).encode()
    array = json.dumps([SPANISH, {**SPANISH, "_id": "es-2"}]).encode()
    deck = json.dumps(
        {"deck": "Spanish", "questions": [{k: v for k, v in SPANISH.items() if k != "set"}]}
    ).encode()
    assert [d.id for d in read_bank_json(lines).drafts] == ["65f0c0ffee0000000000a001", "es-2"]
    assert read_bank_json(array).drafts == read_bank_json(lines).drafts
    (from_deck,) = read_bank_json(deck).drafts
    assert from_deck.id == "65f0c0ffee0000000000a001" and from_deck.document["deck"] == "Spanish"


def test_a_document_the_bank_would_skip_is_skipped_with_its_reason():
    card_file = read_bank_json(json.dumps([SPANISH, {"_id": "x", "prompt": "?"}, [1]]).encode())
    assert len(card_file.drafts) == 1
    assert [(s.where, s.reason) for s in card_file.skipped] == [
        ("document 2", "The document has no answer (answer, correct, correct_answer or back)."),
        ("document 3", "The document is not an object."),
    ]


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b"{not json\n", "line 1 cannot be read"),
        (b"42", "neither a document nor a list"),
        (json.dumps([{}] * (MAX_CARDS_PER_FILE + 1)).encode(), "at most 50,000"),
    ],
)
def test_a_file_that_is_not_bank_json_is_refused_in_one_sentence(data, sentence):
    with pytest.raises(BadCardFile, match=sentence):
        read_bank_json(data)


@pytest.mark.parametrize("db", ["session", "sqlite_session"])
def test_a_card_keeps_its_id_across_a_round_trip_and_comes_in_once(request, db):
    session = request.getfixturevalue(db)
    first = import_cards(session, read_bank_json(json.dumps([SPANISH]).encode()), now=NOW)
    assert first.added == 1
    (question,) = own_cards_bank(session).questions
    assert question.id == "65f0c0ffee0000000000a001" and question.answer == "gracias"

    exported = write_bank_json(cards_for_export(session, with_media=False).cards)
    assert json.loads(exported)[0]["_id"] == "65f0c0ffee0000000000a001"
    again = import_cards(session, read_bank_json(exported), now=NOW)
    assert (again.added, again.already_there) == (0, 1)
    delete_cards(session, [question.id], now=NOW)
    assert import_cards(session, read_bank_json(exported), now=NOW).added == 0
