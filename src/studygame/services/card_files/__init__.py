"""Card files (CSV, TSV, Quizlet's export, Anki packages): bytes in, CardFile out; bytes out.

Nothing here touches the database: a page shows what a file holds (and what it would skip)
before the store in services/own_cards.py writes anything.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from studygame.domain.card_drafts import CardFile
from studygame.services.card_files.anki_read import read_anki_package
from studygame.services.card_files.anki_write import write_anki_package
from studygame.services.card_files.bank_json import read_bank_json, write_bank_json
from studygame.services.card_files.csv_export import write_csv
from studygame.services.card_files.tables import card_file, read_table, suggest_mapping

JSON_SUFFIXES = (".json", ".jsonl")
ANKI_SUFFIXES = (".apkg", ".colpkg")
# Every zip file starts so: an Anki package renamed (or saved as .zip) is still one.
ZIP_MAGIC = b"PK\x03\x04"
# What the learner's cards can be written as; only a package carries their images.
EXPORT_FORMATS = ("csv", "apkg", "json")
WITH_MEDIA = frozenset({"apkg"})


def is_anki_package(name: str, data: bytes) -> bool:
    """An .apkg or .colpkg by name, or any zip (a package renamed or saved as .zip)."""
    return PurePath(name).suffix.lower() in ANKI_SUFFIXES or data.startswith(ZIP_MAGIC)


def is_bank_json(name: str) -> bool:
    """Bank documents as JSON (mongoexport's output, a bundled deck)."""
    return PurePath(name).suffix.lower() in JSON_SUFFIXES


def read_card_file(
    name: str, data: bytes, *, deck: str | None = None, with_history: bool = False
) -> CardFile:
    """Whatever card file this is, read with its suggested mapping (the CLI's one step).

    A text table's cards go to `deck` when it has no deck column (default: the file's name);
    an Anki package brings its review history too when asked.
    """
    if is_anki_package(name, data):
        package = io.BytesIO(data)
        package.name = name  # tells a .colpkg from an .apkg
        return read_anki_package(package, with_history=with_history)
    if is_bank_json(name):
        return read_bank_json(data)
    table = read_table(data)
    return card_file(table, suggest_mapping(table), deck=deck or PurePath(name).stem)


def write_card_file(
    file_format: str,
    cards: Sequence[tuple[str, Mapping[str, Any]]],
    media: Mapping[str, bytes],
) -> bytes:
    """The cards (question id, document) as one of EXPORT_FORMATS; `media` for a package."""
    if file_format == "csv":
        return write_csv(document for _, document in cards)
    if file_format == "apkg":
        return write_anki_package(cards, media)
    return write_bank_json(cards)
