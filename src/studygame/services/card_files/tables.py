"""Text tables of cards (CSV, TSV, Quizlet's export) read into a CardFile.

Reading takes three steps, which the import page shows one by one: `read_table` (bytes to rows),
`suggest_mapping` (which column holds which field, for the learner to confirm) and `card_file`
(rows to drafts, each checked by the bank's own rules).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from itertools import islice
from typing import Any

from studygame.domain.card_drafts import (
    MAX_CARDS_PER_FILE,
    BadCardFile,
    CardDraft,
    CardFile,
    SkippedRow,
)
from studygame.domain.questions import (
    ACCEPTED_KEYS,
    ANSWER_KEYS,
    CHOICE_KEYS,
    DECK_KEYS,
    EXPLANATION_IMAGE_KEYS,
    IMAGE_KEYS,
    PROMPT_KEYS,
    TOPIC_KEYS,
    BadQuestion,
)
from studygame.services.content import read_question

# Between the choices (and the accepted answers, and the tags) in one cell. A bare "," or "|"
# turns up inside real choices ("1,000", "a|b" in a code deck); spaced bars hardly ever do,
# and a list with one in an item is written as a JSON list instead (`list_cell`).
CHOICE_SEPARATOR = " | "
# A spreadsheet runs a cell that starts with one of these as a formula (a stranger's deck can
# hold `=HYPERLINK(...)`). A leading apostrophe makes it text and is not part of the value,
# in Excel, LibreOffice and Google Sheets alike; a plain number is harmless and left alone.
FORMULA_STARTS = ("=", "+", "-", "@")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*")
# The separators looked for when none is named, preferred in this order when several fit:
# Quizlet exports a tab between term and definition unless told otherwise.
SNIFFED_SEPARATORS = ("\t", ",", ";")
# Enough rows to tell the separator, few enough to stay instant on a 50k-row file.
SNIFF_ROWS = 50
KEY_PREFIX = "csv:"
# The column names that mean each field: the bank's names and aliases, and Quizlet's words.
# The order is the order of an exported file's columns.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "deck": DECK_KEYS,
    "topic": TOPIC_KEYS,
    "type": ("type",),
    "prompt": (*PROMPT_KEYS, "term"),
    "choices": CHOICE_KEYS,
    "answer": (*ANSWER_KEYS, "definition"),
    "accepted": ACCEPTED_KEYS,
    "explanation": ("explanation",),
    "tags": ("tags",),
    "image": IMAGE_KEYS,
    "explanation_image": EXPLANATION_IMAGE_KEYS,
}
_LIST_FIELDS = frozenset({"choices", "accepted", "tags"})


@dataclass(frozen=True)
class Row:
    """One record of the file: its cells as written, and where it starts."""

    line: int  # 1-based, counting every line of the file (a quoted field may span several)
    cells: tuple[str, ...]
    card: int | None = None  # its place in the file when cards are not one a line

    @property
    def where(self) -> str:
        """Where the learner finds this row in the file, as a skipped row names it."""
        return f"line {self.line}" if self.card is None else f"card {self.card} on line {self.line}"


@dataclass(frozen=True)
class Table:
    """A text file read into rows, before anyone has said which column is which."""

    header: tuple[str, ...] | None
    rows: tuple[Row, ...]
    separator: str  # between fields

    @property
    def width(self) -> int:
        """The number of columns: the most cells any row (or the header) has."""
        return max(len(self.header or ()), *(len(row.cells) for row in self.rows))

    def preview(self, n: int = 5) -> tuple[Row, ...]:
        """The first rows, for the learner to check before importing."""
        return self.rows[:n]


@dataclass(frozen=True)
class ColumnMapping:
    """Which column (0-based) holds each field of a card; None: none does. Others are ignored."""

    deck: int | None = None
    topic: int | None = None
    type: int | None = None
    prompt: int | None = None
    choices: int | None = None
    answer: int | None = None
    accepted: int | None = None
    explanation: int | None = None
    tags: int | None = None
    image: int | None = None
    explanation_image: int | None = None


def read_table(
    data: bytes | str, *, field_separator: str | None = None, row_separator: str | None = None
) -> Table:
    """Rows of a pasted or uploaded table; BadCardFile (one sentence) if it cannot be one.

    Without a field separator, a tab, comma or semicolon is recognised; rows are lines unless
    `row_separator` says otherwise (Quizlet lets a set be exported with ";" between cards).
    """
    text = _decoded(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    # A \r kept in a quoted field would be refused by the bank as a control character.
    field_separator, row_separator, text = (
        None if s is None else _one_line_break(s) for s in (field_separator, row_separator, text)
    )
    row_separator = row_separator or "\n"
    if "" in (field_separator, row_separator) or field_separator == row_separator:
        raise BadCardFile("The separators must be two different, non-empty pieces of text.")
    if not text.strip():
        raise BadCardFile("The file has no cards in it.")
    separator = field_separator or _sniffed(text, row_separator)
    if row_separator != "\n" or separator not in SNIFFED_SEPARATORS:
        return _table(_literal_records(text, separator, row_separator), separator)
    try:
        return _table(_quoted_records(text, separator), separator)
    except csv.Error:
        # Quotes that do not pair up as CSV's: a file that never quotes, as Quizlet exports
        # it ('"Hello" in French<TAB>Bonjour'), where every quote is part of the text.
        return _table(_literal_records(text, separator, row_separator), separator)


def suggest_mapping(table: Table) -> ColumnMapping:
    """The columns as the header names them; without one, term then definition, as Quizlet."""
    if table.header is None:
        return ColumnMapping(prompt=0, answer=1)
    columns: dict[str, int] = {}
    for column, name in enumerate(table.header):
        field = _field_named(name)
        if field is not None:
            columns.setdefault(field, column)
    return ColumnMapping(**columns)


def card_file(table: Table, mapping: ColumnMapping, *, deck: str) -> CardFile:
    """One draft a row, checked by the bank's rules; a row they refuse is skipped with why.

    `deck` is the deck of a row with no deck of its own. BadCardFile if the mapping lacks a
    prompt or an answer column, or names a column the file does not have.
    """
    columns = {
        f.name: getattr(mapping, f.name)
        for f in fields(mapping)
        if getattr(mapping, f.name) is not None
    }
    for needed in ("prompt", "answer"):
        if needed not in columns:
            raise BadCardFile(f"Choose the column that holds the {needed}.")
    for column in columns.values():
        if not 0 <= column < table.width:
            raise BadCardFile(f"Column {column + 1} is not in the file: choose one of its columns.")
    drafts: list[CardDraft] = []
    skipped: list[SkippedRow] = []
    first_seen: dict[str, str] = {}
    for row in table.rows:
        document = _document(row.cells, columns, deck.strip())
        key = _key(document)
        if key in first_seen:
            skipped.append(SkippedRow(row.where, f"The same card is on {first_seen[key]}."))
            continue
        try:
            # The store checks every card with this rule too: a row it would refuse is
            # reported now, in the preview, rather than after the learner said "import".
            read_question({"_id": "x", **document})
        except BadQuestion as exc:
            skipped.append(SkippedRow(row.where, exc.reason))
            continue
        first_seen[key] = row.where
        drafts.append(CardDraft(key, document))
    return CardFile(
        format="tsv" if table.separator == "\t" else "csv",
        drafts=tuple(drafts),
        skipped=tuple(skipped),
    )


def _decoded(data: bytes) -> str:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encoding = "utf-16" if utf16 else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise BadCardFile(
            f"The file is not UTF-8 or UTF-16 text at line {line}: save it as UTF-8 and try again."
        ) from None


def _one_line_break(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _pieces(text: str, row_separator: str) -> Iterator[tuple[int, str]]:
    """Each piece of text between row separators, with the offset where it starts."""
    start = 0
    while (end := text.find(row_separator, start)) != -1:
        yield start, text[start:end]
        start = end + len(row_separator)
    yield start, text[start:]


def _sniffed(text: str, row_separator: str) -> str:
    pieces = (piece for _, piece in _pieces(text, row_separator) if piece.strip())
    sample = list(islice(pieces, SNIFF_ROWS))
    best, best_rows = None, 0
    for candidate in SNIFFED_SEPARATORS:
        # The most rows that agree on how many times the candidate splits them.
        counts = Counter(piece.count(candidate) for piece in sample)
        rows = max((n for times, n in counts.items() if times), default=0)
        if rows > best_rows:
            best, best_rows = candidate, rows
    if best is None:
        raise BadCardFile(
            "No tab, comma or semicolon separates the fields: name the separator the file uses."
        )
    return best


def _quoted_records(text: str, separator: str) -> Iterator[tuple[int, int | None, list[str]]]:
    # strict: a quote that does not pair up raises, and the file is read as unquoted instead.
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    line = 1
    for cells in reader:
        yield line, None, cells
        line = reader.line_num + 1


def _literal_records(
    text: str, separator: str, row_separator: str
) -> Iterator[tuple[int, int | None, list[str]]]:
    line, counted = 1, 0
    for number, (start, piece) in enumerate(_pieces(text, row_separator), 1):
        content = start + len(piece) - len(piece.lstrip())
        line += text.count("\n", counted, content)
        counted = content
        yield line, (None if row_separator == "\n" else number), piece.split(separator)


def _table(records: Iterator[tuple[int, int | None, list[str]]], separator: str) -> Table:
    header: tuple[str, ...] | None = None
    rows: list[Row] = []
    first = True
    for line, card, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if first and _names_columns(cells):
            header = tuple(cell.strip() for cell in cells)
        elif len(rows) == MAX_CARDS_PER_FILE:
            # Counted while reading: a 100k-row paste stops here, not after building 100k cards.
            raise BadCardFile(
                f"The file has more than {MAX_CARDS_PER_FILE:,} cards: split it into smaller files."
            )
        else:
            rows.append(Row(line, tuple(cells), card))
        first = False
    if not rows:
        raise BadCardFile("The file has no cards in it.")
    return Table(header=header, rows=tuple(rows), separator=separator)


def _field_named(name: str) -> str | None:
    spelling = "_".join(name.strip().lower().replace("-", " ").split())
    for field, names in COLUMN_NAMES.items():
        if spelling in names:
            return field
    return None


def _names_columns(cells: list[str]) -> bool:
    # Two different fields: one known word ("Text", "Set") is as likely to be a card.
    return len({_field_named(cell) for cell in cells} - {None}) >= 2


def cell_text(value: str) -> str:
    """`value` as a CSV cell a spreadsheet shows and never runs: an apostrophe before a formula
    (also before one already led by apostrophes, so that reading takes exactly one away)."""
    return "'" + value if _runs_as_formula(value.lstrip("'")) else value


def cell_value(cell: str) -> str:
    """What a cell holds: `cell_text` undone, as a spreadsheet reads a leading apostrophe."""
    return cell[1:] if cell.startswith("'") and _runs_as_formula(cell.lstrip("'")) else cell


def _runs_as_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def list_cell(items: tuple[str, ...]) -> str:
    """A list in one cell: between spaced bars, or as a JSON list when an item holds a bar or
    starts with "[" (which a cell in bars could not tell from a JSON list)."""
    if any(CHOICE_SEPARATOR in item or item.startswith("[") for item in items):
        return json.dumps(list(items), ensure_ascii=False)
    return CHOICE_SEPARATOR.join(items)


def _list_items(cell: str) -> list[str]:
    if cell.startswith("["):
        try:
            items = json.loads(cell)
        except ValueError:
            items = None  # "[1] | [2]": items in bars that happen to start with a bracket
        if isinstance(items, list) and all(isinstance(item, str) for item in items):
            return items
    return [part.strip() for part in cell.split(CHOICE_SEPARATOR)]


def _document(cells: tuple[str, ...], columns: dict[str, int], deck: str) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for field, column in columns.items():
        cell = cell_value(cells[column].strip()) if column < len(cells) else ""
        if cell and field in _LIST_FIELDS:
            document[field] = _list_items(cell)
        elif cell:
            document[field] = cell
    if deck:
        document.setdefault("deck", deck)
    # Without a type column a term/definition pair is a flashcard, as it was in Quizlet; a
    # row with choices is left for the bank to read as multiple choice or true/false.
    if "type" not in columns and "choices" not in document:
        document["type"] = "flashcard"
    return document


def _key(document: dict[str, Any]) -> str:
    # Sorted keys and one Unicode form: the same card has the same key whatever the column
    # order, separator or encoding of the file it came in, so importing it again adds nothing.
    content = json.dumps(document, sort_keys=True, ensure_ascii=False)
    normal = unicodedata.normalize("NFC", content).encode("utf-8", "surrogatepass")
    return KEY_PREFIX + hashlib.sha256(normal).hexdigest()
