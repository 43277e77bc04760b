"""Cards written as a CSV file: the columns `tables.read_table` reads back into the same cards."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from studygame.domain.questions import Question, parse_question
from studygame.services.card_files.tables import COLUMN_NAMES, cell_text, list_cell


def write_csv(cards: Iterable[Mapping[str, Any]]) -> bytes:
    """Bank-shaped documents as a CSV file, one card a row under a header of canonical names.

    Aliases are written under the canonical names; an `id` or `_id` is left out (importing
    makes new cards). A document the bank cannot read raises BadQuestion.
    """
    out = io.StringIO()
    writer = csv.writer(out)  # \r\n between rows, as RFC 4180 and Excel have it
    writer.writerow(COLUMN_NAMES)
    for card in cards:
        writer.writerow(_cells(parse_question({**card, "_id": "export"})))
    # With a byte-order mark Excel knows the file is UTF-8; without one it reads it in the
    # computer's legacy code page and garbles every accent and every non-Latin script.
    return out.getvalue().encode("utf-8-sig")


def _cells(question: Question) -> list[str]:
    values: dict[str, str | tuple[str, ...] | None] = {
        "deck": question.deck,
        "topic": question.topic,
        "type": question.type,
        "prompt": question.prompt,
        # True/false choices are implied by the type; only a multiple choice lists its own.
        "choices": question.choices if question.type == "mcq" else (),
        "answer": question.answer,
        "accepted": question.accepted,
        "explanation": question.explanation,
        "tags": question.tags,
        "image": question.image,
        "explanation_image": question.explanation_image,
    }
    return [
        cell_text(list_cell(value) if isinstance(value, tuple) else value or "")
        for value in (values[name] for name in COLUMN_NAMES)
    ]
