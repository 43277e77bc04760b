"""Cards written as CSV, and read back by the table reader as the same cards."""

from __future__ import annotations

from studygame.services.card_files.csv_export import write_csv
from studygame.services.card_files.tables import card_file, read_table, suggest_mapping


def test_cards_written_as_csv_read_back_as_the_same_documents():
    cards = [
        {
            "id": "own-1",
            "deck": 'Tricky, "quoted" deck',
            "topic": "Line\nbreaks",
            "type": "mcq",
            "prompt": "Which one?\tTabbed; and, commas",
            "choices": ["a, b", 'say "hi"', "日本 ✓"],
            "answer": 'say "hi"',
            "explanation": "Because <b>it</b> is.",
            "tags": ["x", "y z"],
        },
        {
            "deck": "Spanish",
            "type": "typed",
            "prompt": "thanks",
            "answer": "gracias",
            "accepted": ["muchas gracias"],
        },
        {
            "deck": "Spanish",
            "type": "flashcard",
            "prompt": "hola",
            "answer": "hello",
            "image": "https://example.org/hola.png",
        },
        {"deck": "Spanish", "type": "truefalse", "prompt": "Sí means yes", "answer": "True"},
    ]

    data = write_csv(cards)

    # Excel reads a CSV as the local code page unless it starts with a UTF-8 byte-order mark.
    assert data.startswith("\ufeff".encode())
    table = read_table(data)
    assert table.header[:4] == ("deck", "topic", "type", "prompt")
    back = card_file(table, suggest_mapping(table), deck="Unused")
    assert back.skipped == ()
    assert [d.document for d in back.drafts] == [
        {k: v for k, v in card.items() if k != "id"} for card in cards
    ]


def test_cards_in_the_bank_aliases_are_written_with_the_canonical_names():
    data = write_csv(
        [
            {
                "_id": "q1",
                "set": "Geo",
                "question": "Largest?",
                "options": ["A", "B"],
                "correct_index": 1,
            }
        ]
    )

    table = read_table(data)
    [draft] = card_file(table, suggest_mapping(table), deck="Unused").drafts
    assert draft.document == {
        "deck": "Geo",
        "type": "mcq",
        "prompt": "Largest?",
        "choices": ["A", "B"],
        "answer": "B",
    }
