"""The SQLite collection inside an Anki package, read-only: note types, decks, notes, cards.

Two layouts exist. Schema 11 (collection.anki2 / .anki21, and every "support older Anki
versions" export) keeps note types and decks as JSON in the `col` row. Schema 18
(collection.anki21b) has `notetypes`, `fields`, `templates` and `decks` tables, with the
details as protobuf blobs and deck names joined by \\x1f instead of "::".
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from studygame.domain.card_drafts import BadCardFile
from studygame.services.card_files.anki_proto import first_int, first_text, message_fields

NOT_SQLITE = "This Anki package is damaged: the collection inside it is not an SQLite database."
# Notetype.Config.kind in Anki's notetypes.proto, and `type` in the schema 11 JSON.
_CLOZE_KIND = 1
# {{Field}}, {{type:Field}}, {{cloze:Field}}, {{text:hint:Field}}; not {{#Field}} sections.
_REFERENCE = re.compile(r"\{\{\s*([^#^/!{}][^{}]*?)\s*\}\}")
# Names a template can show that are not fields of the note.
_SPECIAL_FIELDS = frozenset({"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type"})


@dataclass(frozen=True)
class Template:
    """One card template: which card (`ord`) of a note it makes, and its two sides."""

    ord: int
    question: str
    answer: str


@dataclass(frozen=True)
class NoteType:
    """A note type: its name, whether it is a cloze type, its field names and templates."""

    name: str
    is_cloze: bool
    fields: tuple[str, ...]
    templates: dict[int, Template]


@dataclass(frozen=True)
class Note:
    """A note and its cards, as (card id, ord, deck id) in card order."""

    id: int
    guid: str
    note_type_id: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]
    cards: tuple[tuple[int, int, int], ...]


def field_references(template_side: str) -> list[tuple[str, str]]:
    """The fields a template side shows, in order, as (field name, filters such as "type:")."""
    found = []
    for match in _REFERENCE.finditer(template_side):
        *filters, name = match.group(1).split(":")
        if name not in _SPECIAL_FIELDS:
            found.append((name.strip(), ":".join(filters)))
    return found


def open_collection(path: Path) -> sqlite3.Connection:
    """The collection file opened read-only; BadCardFile when it is not an Anki collection."""
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        # Anki declares its name columns COLLATE unicase; without it, queries on them fail.
        connection.create_collation("unicase", _unicase)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        raise BadCardFile(NOT_SQLITE) from None
    if not {"col", "notes", "cards"} <= tables:
        connection.close()
        raise BadCardFile("This Anki package is damaged: its collection has no notes or cards.")
    return connection


def note_types(connection: sqlite3.Connection) -> dict[int, NoteType]:
    """Every note type of the collection, by id."""
    if _has_table(connection, "notetypes"):
        return _note_types_18(connection)
    (models,) = connection.execute("SELECT models FROM col").fetchone()
    try:
        return _note_types_11(_json_object(models, "note types"))
    except (KeyError, TypeError, ValueError):
        raise BadCardFile("This Anki package is damaged: its note types cannot be read.") from None


def _note_types_11(models: dict) -> dict[int, NoteType]:
    found = {}
    for model in models.values():
        templates = {
            int(t["ord"]): Template(int(t["ord"]), t.get("qfmt") or "", t.get("afmt") or "")
            for t in model.get("tmpls", [])
        }
        fields = sorted(model.get("flds", []), key=lambda f: int(f["ord"]))
        found[int(model["id"])] = NoteType(
            name=str(model.get("name", "")),
            is_cloze=model.get("type") == _CLOZE_KIND,
            fields=tuple(str(f["name"]) for f in fields),
            templates=templates,
        )
    return found


def deck_names(connection: sqlite3.Connection) -> dict[int, str]:
    """Every deck's full name ("Spanish::Verbs"), by id."""
    if _has_table(connection, "decks"):
        rows = connection.execute("SELECT id, name FROM decks")
        return {int(i): str(name).replace("\x1f", "::") for i, name in rows}
    (decks,) = connection.execute("SELECT decks FROM col").fetchone()
    try:
        return {int(key): str(d.get("name", "")) for key, d in _json_object(decks, "decks").items()}
    except ValueError:
        raise BadCardFile("This Anki package is damaged: its decks cannot be read.") from None


def count(connection: sqlite3.Connection, table: str) -> int:
    """How many rows a table holds; `table` is one of this module's callers' constants."""
    return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def notes(connection: sqlite3.Connection) -> Iterator[Note]:
    """Every note with its cards, in note id order."""
    cards: dict[int, list[tuple[int, int, int]]] = {}
    # A card in a filtered deck (odid set) belongs to its home deck.
    query = "SELECT id, nid, ord, CASE WHEN odid != 0 THEN odid ELSE did END FROM cards"
    for card_id, note_id, ord_, deck_id in connection.execute(query + " ORDER BY nid, ord"):
        cards.setdefault(note_id, []).append((card_id, ord_, deck_id))
    rows = connection.execute("SELECT id, guid, mid, tags, flds FROM notes ORDER BY id")
    for note_id, guid, mid, tags, fields in rows:
        yield Note(
            id=note_id,
            guid=str(guid),
            note_type_id=mid,
            tags=tuple(str(tags or "").split()),
            fields=tuple(str(fields or "").split("\x1f")),
            cards=tuple(cards.get(note_id, ())),
        )


def reviews(connection: sqlite3.Connection) -> Iterator[tuple[int, int, int, int, int]]:
    """The review log as (id = answered at in ms, card id, ease, time ms, type), oldest first."""
    yield from connection.execute("SELECT id, cid, ease, time, type FROM revlog ORDER BY id")


def _note_types_18(connection: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in connection.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(ntid, []).append(str(name))
    templates: dict[int, dict[int, Template]] = {}
    for ntid, ord_, config in connection.execute("SELECT ntid, ord, config FROM templates"):
        parsed = message_fields(bytes(config), "card templates")
        templates.setdefault(ntid, {})[ord_] = Template(
            ord_, first_text(parsed, 1), first_text(parsed, 2)
        )
    found = {}
    for ntid, name, config in connection.execute("SELECT id, name, config FROM notetypes"):
        kind = first_int(message_fields(bytes(config), "note types"), 1)
        found[ntid] = NoteType(
            name=str(name),
            is_cloze=kind == _CLOZE_KIND,
            fields=tuple(fields.get(ntid, ())),
            templates=templates.get(ntid, {}),
        )
    return found


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return connection.execute(query, (name,)).fetchone() is not None


def _json_object(text: str, what: str) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise BadCardFile(f"This Anki package is damaged: its {what} cannot be read.")
    return value


def _unicase(left: str, right: str) -> int:
    return (left.casefold() > right.casefold()) - (left.casefold() < right.casefold())
