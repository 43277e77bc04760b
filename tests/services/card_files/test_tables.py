"""Text tables (CSV, TSV, Quizlet's export) read into card drafts, and cards written back."""

from __future__ import annotations

import time

import pytest

from studygame.domain.card_drafts import MAX_CARDS_PER_FILE, MAX_KEY_CHARS, BadCardFile
from studygame.domain.markup import safe_markdown
from studygame.domain.questions import MAX_TEXT_CHARS
from studygame.services.card_files.tables import (
    CHOICE_SEPARATOR,
    ColumnMapping,
    card_file,
    read_table,
    suggest_mapping,
)

QUIZLET_EXPORT = "cat\tle chat\ndog\tle chien, un ami\nbird\tl'oiseau\n"


def drafts_of(data, *, deck="French", **separators):
    table = read_table(data, **separators)
    return card_file(table, suggest_mapping(table), deck=deck)


def test_a_quizlet_export_is_term_tab_definition_per_line_and_each_row_a_flashcard():
    table = read_table(QUIZLET_EXPORT.encode())

    assert table.separator == "\t"
    assert table.header is None
    assert [row.line for row in table.rows] == [1, 2, 3]
    assert suggest_mapping(table) == ColumnMapping(prompt=0, answer=1)
    cards = card_file(table, suggest_mapping(table), deck="French")
    assert cards.format == "tsv"
    assert cards.skipped == ()
    assert [d.document for d in cards.drafts] == [
        {"deck": "French", "prompt": "cat", "answer": "le chat", "type": "flashcard"},
        {"deck": "French", "prompt": "dog", "answer": "le chien, un ami", "type": "flashcard"},
        {"deck": "French", "prompt": "bird", "answer": "l'oiseau", "type": "flashcard"},
    ]


def test_quizlet_never_quotes_so_a_term_that_starts_with_a_quote_is_kept_as_written():
    cards = drafts_of('"Hello" in French\tBonjour\n"Bye"\tSalut\n')

    assert [d.document["prompt"] for d in cards.drafts] == ['"Hello" in French', '"Bye"']


def test_quizlet_custom_separators_between_term_and_definition_and_between_cards():
    data = "cat - le chat;dog - le chien;\nbird;"

    table = read_table(data, field_separator=" - ", row_separator=";")
    cards = card_file(table, suggest_mapping(table), deck="French")

    assert table.separator == " - "
    assert [(d.document["prompt"], d.document["answer"]) for d in cards.drafts] == [
        ("cat", "le chat"),
        ("dog", "le chien"),
    ]
    [skipped] = cards.skipped
    assert skipped.where == "card 3 on line 2"
    assert "no answer" in skipped.reason


def test_a_header_in_any_order_names_the_columns_by_the_bank_names_and_aliases():
    data = (
        "Answer,Deck,Question,Category,Notes\n"
        "Paris,Geography,Capital of France?,Europe,ignored\n"
        "Rome,,Capital of Italy?,,\n"
    )

    table = read_table(data)
    cards = card_file(table, suggest_mapping(table), deck="Imported")

    assert table.header == ("Answer", "Deck", "Question", "Category", "Notes")
    assert [row.line for row in table.rows] == [2, 3]
    assert suggest_mapping(table) == ColumnMapping(prompt=2, answer=0, deck=1, topic=3)
    assert [d.document for d in cards.drafts] == [
        {
            "deck": "Geography",
            "topic": "Europe",
            "prompt": "Capital of France?",
            "answer": "Paris",
            "type": "flashcard",
        },
        {"deck": "Imported", "prompt": "Capital of Italy?", "answer": "Rome", "type": "flashcard"},
    ]


def test_quizlet_names_term_and_definition_and_a_semicolon_separated_file_is_sniffed():
    table = read_table("Term;Definition\nHund;dog\nKatze;cat\n")

    assert table.separator == ";"
    assert table.header == ("Term", "Definition")
    assert suggest_mapping(table) == ColumnMapping(prompt=0, answer=1)


def test_a_csv_without_header_is_term_then_definition():
    table = read_table('Paris,"capital of France, on the Seine"\nRome,capital of Italy\n')

    assert table.separator == ","
    assert table.header is None
    assert table.rows[0].cells == ("Paris", "capital of France, on the Seine")
    assert suggest_mapping(table) == ColumnMapping(prompt=0, answer=1)


def test_utf8_with_a_byte_order_mark_still_has_its_header():
    table = read_table("\ufeffprompt,answer\nÉté,summer\n".encode())

    assert table.header == ("prompt", "answer")
    assert table.rows[0].cells == ("Été", "summer")


def test_utf16_with_its_byte_order_mark_is_read():
    table = read_table("front\tback\n日本\tJapan\n".encode("utf-16"))

    assert table.header == ("front", "back")
    assert table.rows[0].cells == ("日本", "Japan")


def test_a_quoted_field_keeps_its_line_breaks_and_separators_and_lines_are_counted_right():
    data = b'prompt,answer\r\n"Line one\r\nline two, with a comma",yes\r\n\r\nnext,row\r\n'

    table = read_table(data)

    assert [row.cells for row in table.rows] == [
        ("Line one\nline two, with a comma", "yes"),
        ("next", "row"),
    ]
    assert [row.line for row in table.rows] == [2, 5]


def test_old_mac_line_endings_and_a_nul_in_a_field_read_as_lines_and_a_skipped_row():
    cards = drafts_of(b"a\x00b\tc\rd\te\r")

    assert [d.document["prompt"] for d in cards.drafts] == ["d"]
    assert [s.where for s in cards.skipped] == ["line 1"]
    assert "U+0000" in cards.skipped[0].reason


def test_a_csv_whose_quotes_do_not_pair_up_is_read_with_every_quote_as_text():
    table = read_table('x,"y" z\nw,v\n')

    assert [row.cells for row in table.rows] == [("x", '"y" z'), ("w", "v")]


def test_bytes_that_are_not_text_are_refused_in_one_sentence_naming_the_line():
    with pytest.raises(BadCardFile) as refused:
        read_table(b"cat\tchat\ngoat\tch\xe8vre\n")

    message = str(refused.value)
    assert "line 2" in message
    assert message.count(".") == 1 and message.endswith(".")


@pytest.mark.parametrize("data", [b"", "  \n\n", "\ufeff"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(BadCardFile, match="no cards"):
        read_table(data)


def test_one_column_with_no_separator_is_refused():
    with pytest.raises(BadCardFile, match="separat"):
        read_table("cat\ndog\nbird\n")


def test_more_rows_than_a_file_may_hold_are_refused_before_any_card_is_built():
    data = ("prompt,answer\n" + "term,definition\n" * 100_001).encode()

    started = time.perf_counter()
    with pytest.raises(BadCardFile, match=f"{MAX_CARDS_PER_FILE:,}"):
        read_table(data)
    # Counted while reading, so the refusal costs far less than reading every row would.
    assert time.perf_counter() - started < 2


def test_as_many_rows_as_a_file_may_hold_are_read():
    data = "prompt,answer\n" + "term,definition\n" * MAX_CARDS_PER_FILE

    assert len(read_table(data).rows) == MAX_CARDS_PER_FILE


def test_blank_lines_are_ignored_and_short_rows_are_skipped_with_the_bank_reason():
    cards = drafts_of("cat\tchat\n\n\t\ndog\n   \n\tno prompt\nbird\toiseau\n")

    assert [d.document["prompt"] for d in cards.drafts] == ["cat", "bird"]
    assert [(s.where, s.reason) for s in cards.skipped] == [
        ("line 4", "The document has no answer (answer, correct, correct_answer or back)."),
        ("line 6", "The document has no prompt (prompt, question, front or text)."),
    ]


def test_a_field_over_the_bank_length_limit_skips_its_row():
    cards = drafts_of(f"cat\tchat\nlong\t{'x' * (MAX_TEXT_CHARS + 1)}\n")

    assert len(cards.drafts) == 1
    assert cards.skipped[0].where == "line 2"
    assert str(MAX_TEXT_CHARS) in cards.skipped[0].reason


def test_the_same_card_twice_in_a_file_is_skipped_the_second_time():
    cards = drafts_of("cat\tchat\ndog\tchien\ncat \t chat\n")

    assert len(cards.drafts) == 2
    assert [(s.where, s.reason) for s in cards.skipped] == [
        ("line 3", "The same card is on line 1.")
    ]


def test_keys_name_a_row_by_its_content_so_importing_twice_adds_nothing():
    first = drafts_of(QUIZLET_EXPORT)
    again = drafts_of(QUIZLET_EXPORT.encode("utf-16"))
    as_csv = drafts_of('term,definition\nbird,l\'oiseau\ncat,le chat\ndog,"le chien, un ami"\n')
    changed = drafts_of(QUIZLET_EXPORT.replace("le chat", "un chat"))
    other_deck = drafts_of(QUIZLET_EXPORT, deck="Animals")

    keys = [d.key for d in first.drafts]
    assert [d.key for d in again.drafts] == keys
    assert sorted(d.key for d in as_csv.drafts) == sorted(keys)
    assert [d.key for d in changed.drafts][1:] == keys[1:]
    assert changed.drafts[0].key != keys[0]
    assert not set(keys) & {d.key for d in other_deck.drafts}
    assert all(k.startswith("csv:") and len(k) <= MAX_KEY_CHARS for k in keys)


def test_html_and_script_stay_literal_text_and_the_app_shows_them_inert():
    cards = drafts_of("<script>alert(1)</script>\t<b>bold</b> <img src=x onerror=alert(1)>\n")

    [draft] = cards.drafts
    assert draft.document["prompt"] == "<script>alert(1)</script>"
    assert draft.document["answer"] == "<b>bold</b> <img src=x onerror=alert(1)>"
    assert "<script>" not in safe_markdown(draft.document["prompt"])


def test_choices_are_split_on_the_choice_separator_and_make_a_multiple_choice_question():
    data = f"prompt,choices,answer\nCapital of France?,Paris{CHOICE_SEPARATOR}Lyon | Nice,Paris\n"

    [draft] = drafts_of(data).drafts

    assert draft.document["choices"] == ["Paris", "Lyon", "Nice"]
    assert "type" not in draft.document  # inferred: mcq


def test_a_mapping_without_prompt_or_answer_is_refused():
    table = read_table("Word,Meaning\nchat,cat\n")

    with pytest.raises(BadCardFile, match="answer"):
        card_file(table, ColumnMapping(prompt=0), deck="French")
    with pytest.raises(BadCardFile, match="column"):
        card_file(table, ColumnMapping(prompt=0, answer=5), deck="French")


def test_preview_shows_the_first_rows():
    table = read_table(QUIZLET_EXPORT)

    assert [row.cells for row in table.preview(2)] == [
        ("cat", "le chat"),
        ("dog", "le chien, un ami"),
    ]
