"""Card files (CSV, TSV, Quizlet's export, Anki packages): bytes in, CardFile out; bytes out.

Nothing here touches the database: a page shows what a file holds (and what it would skip)
before the store in services/own_cards.py writes anything.
"""

from __future__ import annotations

import io
from pathlib import PurePath

from studygame.domain.card_drafts import CardFile
from studygame.services.card_files.anki_read import read_anki_package
from studygame.services.card_files.bank_json import read_bank_json
from studygame.services.card_files.tables import card_file, read_table, suggest_mapping

JSON_SUFFIXES = (".json", ".jsonl")
ANKI_SUFFIXES = (".apkg", ".colpkg")
# Every zip file starts so: an Anki package renamed (or saved as .zip) is still one.
ZIP_MAGIC = b"PK\x03\x04"


def read_card_file(
    name: str, data: bytes, *, deck: str | None = None, with_history: bool = False
) -> CardFile:
    """Whatever card file this is, read with its suggested mapping (the CLI's one step).

    A text table's cards go to `deck` when it has no deck column (default: the file's name);
    an Anki package brings its review history too when asked.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix in ANKI_SUFFIXES or data.startswith(ZIP_MAGIC):
        package = io.BytesIO(data)
        package.name = name  # tells a .colpkg from an .apkg
        return read_anki_package(package, with_history=with_history)
    if suffix in JSON_SUFFIXES:
        return read_bank_json(data)
    table = read_table(data)
    return card_file(table, suggest_mapping(table), deck=deck or PurePath(name).stem)
