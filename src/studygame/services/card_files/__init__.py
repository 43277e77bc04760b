"""Card files (CSV, TSV, Quizlet's export, Anki packages): bytes in, CardFile out; bytes out.

Nothing here touches the database: a page shows what a file holds (and what it would skip)
before the store in services/own_cards.py writes anything.
"""

from __future__ import annotations

from pathlib import PurePath

from studygame.domain.card_drafts import CardFile
from studygame.services.card_files.bank_json import read_bank_json
from studygame.services.card_files.tables import card_file, read_table, suggest_mapping

JSON_SUFFIXES = (".json", ".jsonl")


def read_card_file(name: str, data: bytes, *, deck: str | None = None) -> CardFile:
    """Whatever card file this is, read with its suggested mapping (the CLI's one step).

    A text table's cards go to `deck` when it has no deck column (default: the file's name).
    """
    if PurePath(name).suffix.lower() in JSON_SUFFIXES:
        return read_bank_json(data)
    table = read_table(data)
    return card_file(table, suggest_mapping(table), deck=deck or PurePath(name).stem)
