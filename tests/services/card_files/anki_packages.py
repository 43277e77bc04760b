"""Real Anki packages built for the tests, in the SQLite layouts Anki itself writes.

`legacy_package` is what "Support older Anki versions" exports: a schema 11 collection with
note types and decks as JSON in `col`, a JSON media map and plain media members.
`latest_package` is what Anki 2.1.50+ exports by default: a `meta` file, a zstd-compressed
schema 18 collection.anki21b (note types, fields, templates and decks in tables, with
protobuf configs, deck names joined by \\x1f), a zstd protobuf media list, zstd media
members, and the stub collection.anki2 that asks older Ankis to update.
The stock note types are copied from what Anki 26 writes (names, fields, templates).
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import zstandard
from PIL import Image

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0" + bytes(20)

# name: (is cloze, fields, [(question, answer)])
NOTE_TYPES = {
    "Basic": (
        False,
        ["Front", "Back"],
        [("{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}")],
    ),
    "Basic (and reversed card)": (
        False,
        ["Front", "Back"],
        [
            ("{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"),
            ("{{Back}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}"),
        ],
    ),
    "Basic (optional reversed card)": (
        False,
        ["Front", "Back", "Add Reverse"],
        [
            ("{{Front}}", "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"),
            (
                "{{#Add Reverse}}{{Back}}{{/Add Reverse}}",
                "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}",
            ),
        ],
    ),
    "Basic (type in the answer)": (
        False,
        ["Front", "Back"],
        [("{{Front}}\n\n{{type:Back}}", "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}")],
    ),
    "Cloze": (
        True,
        ["Text", "Back Extra"],
        [("{{cloze:Text}}", "{{cloze:Text}}<br>\n{{Back Extra}}")],
    ),
    "Just a word": (False, ["Word"], [("{{Word}}", "{{FrontSide}}")]),
}
NOTE_TYPE_IDS = {name: 1_700_000_000_000 + i for i, name in enumerate(NOTE_TYPES)}


@dataclass
class Note:
    """A note to put in a package; `ords` are the cards it has (Anki made them from templates)."""

    guid: str
    note_type: str
    fields: list[str]
    ords: list[int] = field(default_factory=lambda: [0])
    tags: str = ""
    deck: str = "Default"


@dataclass
class Review:
    """A revlog row for the card (guid, ord)."""

    guid: str
    ord: int
    at_ms: int
    ease: int
    time_ms: int = 5000
    kind: int = 1


def legacy_package(
    notes: list[Note],
    media: dict[str, bytes] | None = None,
    reviews: list[Review] = (),
    collection_name: str = "collection.anki2",
) -> bytes:
    """A schema 11 package with a JSON media map, as older Ankis (and "legacy" export) write."""
    database = _collection(notes, reviews, schema=11)
    names = list(media or {})
    members = {collection_name: database, "media": json.dumps(dict(enumerate(names))).encode()}
    members |= {str(i): (media or {})[name] for i, name in enumerate(names)}
    return zip_of(members)


def latest_package(
    notes: list[Note], media: dict[str, bytes] | None = None, reviews: list[Review] = ()
) -> bytes:
    """A schema 18 collection.anki21b package with zstd members, as Anki 2.1.50+ writes."""
    zstd = zstandard.ZstdCompressor()
    names = list(media or {})
    entries = b"".join(
        _message(1, _string(1, name) + _varint_field(2, len((media or {})[name]))) for name in names
    )
    members = {
        "meta": _varint_field(1, 3),
        "collection.anki21b": zstd.compress(_collection(notes, reviews, schema=18)),
        "collection.anki2": _collection(
            [Note("stub", "Basic", ["Please update Anki", ""])], [], schema=11
        ),
        "media": zstd.compress(entries),
    }
    members |= {str(i): zstd.compress((media or {})[name]) for i, name in enumerate(names)}
    return zip_of(members)


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip holding `members` under exactly those names (unsafe ones included)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _collection(notes: list[Note], reviews: list[Review], *, schema: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        db = sqlite3.connect(path)
        db.create_collation(
            "unicase", lambda a, b: (a.lower() > b.lower()) - (a.lower() < b.lower())
        )
        db.executescript(SCHEMA_11)
        decks = {"Default": 1}
        for note in notes:
            for depth in range(1, note.deck.count("::") + 2):
                decks.setdefault(
                    "::".join(note.deck.split("::")[:depth]), 1_600_000_000_000 + len(decks)
                )
        if schema == 11:
            _col_json(db, decks)
        else:
            _tables_18(db, decks)
        card_ids = {}
        for n, note in enumerate(notes):
            note_id = 1_690_000_000_000 + n
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, ?, 0, 0, '')",
                (note_id, note.guid, NOTE_TYPE_IDS[note.note_type], f" {note.tags} ",
                 "\x1f".join(note.fields), note.fields[0]),
            )  # fmt: skip
            for ord_ in note.ords:
                card_id = note_id * 10 + ord_
                card_ids[note.guid, ord_] = card_id
                db.execute(
                    "INSERT INTO cards VALUES (?, ?, ?, ?, 0, -1, 2, 2, 10, 5, 2500, 3, 0, 0, 0, 0,"
                    " 0, '{}')",
                    (card_id, note_id, decks[note.deck], ord_),
                )
        for r in reviews:
            db.execute(
                "INSERT INTO revlog VALUES (?, ?, -1, ?, 1, 0, 2500, ?, ?)",
                (r.at_ms, card_ids[r.guid, r.ord], r.ease, r.time_ms, r.kind),
            )
        db.execute("UPDATE col SET ver = ?", (schema,))
        db.commit()
        db.close()
        return path.read_bytes()


def _col_json(db: sqlite3.Connection, decks: dict[str, int]) -> None:
    models = {}
    for name, (cloze, fields, templates) in NOTE_TYPES.items():
        model_id = NOTE_TYPE_IDS[name]
        models[str(model_id)] = {
            "id": model_id, "name": name, "type": int(cloze), "mod": 0, "usn": 0, "sortf": 0,
            "did": None, "css": ".card {}", "latexPre": "", "latexPost": "", "req": [],
            "flds": [{"name": f, "ord": i, "sticky": False, "rtl": False, "font": "Arial",
                      "size": 20} for i, f in enumerate(fields)],
            "tmpls": [{"name": f"Card {i + 1}", "ord": i, "qfmt": q, "afmt": a, "bqfmt": "",
                       "bafmt": "", "did": None} for i, (q, a) in enumerate(templates)],
        }  # fmt: skip
    deck_json = {
        str(i): {"id": i, "name": name, "mod": 0, "usn": 0, "dyn": 0, "conf": 1, "desc": ""}
        for name, i in decks.items()
    }
    db.execute("UPDATE col SET models = ?, decks = ?", (json.dumps(models), json.dumps(deck_json)))


def _tables_18(db: sqlite3.Connection, decks: dict[str, int]) -> None:
    db.executescript(SCHEMA_18)
    for name, (cloze, fields, templates) in NOTE_TYPES.items():
        model_id = NOTE_TYPE_IDS[name]
        config = (_varint_field(1, 1) if cloze else b"") + _string(3, ".card {}")
        db.execute("INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)", (model_id, name, config))
        for i, field_name in enumerate(fields):
            db.execute("INSERT INTO fields VALUES (?, ?, ?, ?)", (model_id, i, field_name, b""))
        for i, (question, answer) in enumerate(templates):
            config = _string(1, question) + _string(2, answer)
            db.execute(
                "INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)",
                (model_id, i, f"Card {i + 1}", config),
            )
    for name, deck_id in decks.items():
        db.execute(
            "INSERT INTO decks VALUES (?, ?, 0, 0, ?, ?)",
            (deck_id, name.replace("::", "\x1f"), b"", b""),
        )
    db.execute("UPDATE col SET models = '', decks = ''")


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _message(number: int, content: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(content)) + content


def _string(number: int, text: str) -> bytes:
    return _message(number, text.encode())


SCHEMA_11 = """
CREATE TABLE col (id integer PRIMARY KEY, crt integer NOT NULL, mod integer NOT NULL,
  scm integer NOT NULL, ver integer NOT NULL, dty integer NOT NULL, usn integer NOT NULL,
  ls integer NOT NULL, conf text NOT NULL, models text NOT NULL, decks text NOT NULL,
  dconf text NOT NULL, tags text NOT NULL);
CREATE TABLE notes (id integer PRIMARY KEY, guid text NOT NULL, mid integer NOT NULL,
  mod integer NOT NULL, usn integer NOT NULL, tags text NOT NULL, flds text NOT NULL,
  sfld integer NOT NULL, csum integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE cards (id integer PRIMARY KEY, nid integer NOT NULL, did integer NOT NULL,
  ord integer NOT NULL, mod integer NOT NULL, usn integer NOT NULL, type integer NOT NULL,
  queue integer NOT NULL, due integer NOT NULL, ivl integer NOT NULL, factor integer NOT NULL,
  reps integer NOT NULL, lapses integer NOT NULL, left integer NOT NULL, odue integer NOT NULL,
  odid integer NOT NULL, flags integer NOT NULL, data text NOT NULL);
CREATE TABLE revlog (id integer PRIMARY KEY, cid integer NOT NULL, usn integer NOT NULL,
  ease integer NOT NULL, ivl integer NOT NULL, lastIvl integer NOT NULL,
  factor integer NOT NULL, time integer NOT NULL, type integer NOT NULL);
CREATE TABLE graves (usn integer NOT NULL, oid integer NOT NULL, type integer NOT NULL);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_revlog_cid ON revlog (cid);
INSERT INTO col VALUES (1, 0, 0, 0, 11, 0, 0, 0, '{}', '{}', '{}', '{}', '{}');
"""
SCHEMA_18 = """
CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL,
  name text NOT NULL COLLATE unicase, config blob NOT NULL, PRIMARY KEY (ntid, ord)) without rowid;
CREATE UNIQUE INDEX idx_fields_name_ntid ON fields (name, ntid);
CREATE TABLE templates (ntid integer NOT NULL, ord integer NOT NULL,
  name text NOT NULL COLLATE unicase, mtime_secs integer NOT NULL, usn integer NOT NULL,
  config blob NOT NULL, PRIMARY KEY (ntid, ord)) without rowid;
CREATE TABLE notetypes (id integer NOT NULL PRIMARY KEY, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL);
CREATE UNIQUE INDEX idx_notetypes_name ON notetypes (name);
CREATE TABLE decks (id integer PRIMARY KEY NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL);
CREATE UNIQUE INDEX idx_decks_name ON decks (name);
"""


def real_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


def spanish_package() -> bytes:
    """An Anki 2.1.50+ package: a reversed note with an image, a cloze, and their reviews."""
    day_ms = 86_400_000
    start = int(datetime(2026, 9, 1, tzinfo=UTC).timestamp() * 1000)
    return latest_package(
        [
            Note("Dog1", "Basic (and reversed card)", ['el perro <img src="dog.png">', "the dog"],
                 ords=[0, 1], deck="Spanish::Animals"),
            Note("Clz1", "Cloze", ["{{c1::Madrid}} is the capital of Spain", ""]),
        ],
        media={"dog.png": real_png()},
        reviews=[
            Review("Dog1", 0, start, 3),
            Review("Dog1", 0, start + 3 * day_ms, 3),
            Review("Clz1", 0, start + day_ms, 1),
        ],
    )  # fmt: skip
