"""Cards written as CSV, and read back by the table reader as the same cards."""

from __future__ import annotations

import csv

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


def round_trip(cards: list[dict]) -> list[dict]:
    table = read_table(write_csv(cards))
    back = card_file(table, suggest_mapping(table), deck="Unused")
    assert back.skipped == ()
    return [d.document for d in back.drafts]


def test_a_choice_with_the_separator_in_it_comes_back_as_one_choice():
    cards = [
        {
            "deck": "Shell",
            "type": "mcq",
            "prompt": "Count the files?",
            "choices": ["ls | wc -l", "ls -c", '["a", "b"]'],
            "answer": "ls | wc -l",
            "tags": ["pipes | filters"],
        },
        {
            "deck": "Shell",
            "type": "mcq",
            "prompt": "A list?",
            "choices": ["[1, 2]", "(1, 2)"],
            "answer": "[1, 2]",
        },
    ]
    assert round_trip(cards) == cards


FORMULAS = ['=HYPERLINK("https://example.org","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text_and_read_back_as_written():
    cards = [
        {"deck": "Sheets", "type": "typed", "prompt": text, "answer": text}
        for text in [*FORMULAS, "'=A1", "''=A1", "'quoted", "-5", "+3.5", "'-5"]
    ]
    data = write_csv(cards).decode("utf-8-sig")
    for line in data.splitlines()[1:]:
        for cell in next(csv.reader([line]))[3:5]:
            # A spreadsheet shows a cell that starts with an apostrophe as text, never runs it.
            assert cell[:1] not in ("=", "+", "-", "@") or cell in ("-5", "+3.5"), cell
    assert round_trip(cards) == cards


def test_a_hand_written_list_cell_in_brackets_is_read_as_its_items_only_when_it_is_a_json_list():
    table = read_table(
        'type,prompt,choices,answer\nmcq,Q1,"[""a | b"", ""c""]",c\nmcq,Q2,[1] | [2],[2]\n'
    )
    drafts = card_file(table, suggest_mapping(table), deck="D").drafts
    assert [d.document["choices"] for d in drafts] == [["a | b", "c"], ["[1]", "[2]"]]
