"""The learner's cards written as an Anki package, so nothing they made is locked in.

The layout is the legacy one (a schema 11 collection.anki2, a JSON `media` map and media
members named 0, 1, ...), which every Anki since 2.1 and AnkiDroid open. One note type,
"StudyGame", keeps every field of a card, so reading the package back (anki_read) gives
the same documents, and its template shows the prompt, image and choices, then the answer.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from studygame.domain.card_drafts import MEDIA_PREFIX
from studygame.domain.questions import Question, parse_question
from studygame.services.card_files.anki_notes import STUDYGAME_FIELDS, STUDYGAME_NOTE_TYPE

# Fixed ids: Anki matches an imported note type and deck by them, so a second export updates
# the first one's note type instead of adding "StudyGame-abc12".
NOTE_TYPE_ID = 1_262_304_000_000
DEFAULT_DECK_ID = 1
QUESTION_SIDE = (
    "<div class=prompt>{{Prompt}}</div>{{#Image}}<div>{{Image}}</div>{{/Image}}"
    "{{#Choices}}<div class=choices>{{Choices}}</div>{{/Choices}}"
)
ANSWER_SIDE = (
    "{{FrontSide}}<hr id=answer><div class=answer>{{Answer}}</div>"
    "{{#Explanation}}<div class=explanation>{{Explanation}}</div>{{/Explanation}}"
)
CSS = ".card { font-family: sans-serif; font-size: 20px; text-align: center; }\n"
_SCHEMA = """
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
CREATE INDEX ix_notes_usn ON notes (usn);
CREATE INDEX ix_cards_usn ON cards (usn);
CREATE INDEX ix_revlog_usn ON revlog (usn);
CREATE INDEX ix_cards_nid ON cards (nid);
CREATE INDEX ix_cards_sched ON cards (did, queue, due);
CREATE INDEX ix_revlog_cid ON revlog (cid);
CREATE INDEX ix_notes_csum ON notes (csum);
"""


def note_guid(question_id: str) -> str:
    """The Anki guid of a question's note: the same on every export, so re-imports match."""
    return "sg" + hashlib.sha256(question_id.encode()).hexdigest()[:20]


def write_anki_package(
    cards: Iterable[tuple[str, Mapping[str, Any]]], media: Mapping[str, bytes]
) -> bytes:
    """An .apkg of (question id, bank-shaped document) cards, images from `media` by name."""
    questions = [parse_question({**document, "_id": card_id}) for card_id, document in cards]
    wanted = {
        reference[len(MEDIA_PREFIX) :]
        for question in questions
        for reference in (question.image, question.explanation_image)
        if _is_media(reference)
    }
    images = sorted(name for name in wanted if name in media)
    with tempfile.TemporaryDirectory(prefix="studygame-anki-") as folder:
        path = Path(folder) / "collection.anki2"
        _write_collection(path, questions, set(images))
        collection = path.read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", collection)
        archive.writestr("media", json.dumps({str(i): n for i, n in enumerate(images)}))
        for index, name in enumerate(images):
            archive.writestr(str(index), media[name])
    return buffer.getvalue()


def _write_collection(path: Path, questions: list[Question], images: set[str]) -> None:
    now = int(time.time())
    deck_ids = _deck_ids(question.deck for question in questions)
    db = sqlite3.connect(path)
    try:
        db.executescript(_SCHEMA)
        db.execute(
            "INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')",
            (now, now * 1000, now * 1000, json.dumps(_conf()), json.dumps(_models(now)),
             json.dumps(_decks(deck_ids, now)), json.dumps(_deck_configs())),
        )  # fmt: skip
        for position, question in enumerate(questions):
            fields = _fields(question, images)
            note_id = card_id = NOTE_TYPE_ID + 1 + position
            first = html.unescape(re.sub(r"<[^>]*>", " ", fields[0])).strip()
            checksum = int(hashlib.sha1(first.encode()).hexdigest()[:8], 16)
            db.execute(
                "INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')",
                (note_id, note_guid(question.id), NOTE_TYPE_ID, now, _tags(question.tags),
                 "\x1f".join(fields), first, checksum),
            )  # fmt: skip
            db.execute(
                "INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')",
                (card_id, note_id, deck_ids[question.deck], now, position + 1),
            )
        db.commit()
    finally:
        db.close()


def _image_tag(image: str | None, images: set[str]) -> str:
    if _is_media(image) and image[len(MEDIA_PREFIX) :] in images:
        return f'<img src="{html.escape(image[len(MEDIA_PREFIX) :])}">'
    if image and image.startswith("https://"):
        return f'<img src="{html.escape(image)}">'
    return ""


def _fields(question: Question, images: set[str]) -> list[str]:
    values = {
        "Prompt": _html(question.prompt),
        "Answer": _html(question.answer),
        "Type": question.type,
        # True and False need no listing: the type says so, and reading it back adds them.
        "Choices": _list(question.choices) if question.type == "mcq" else "",
        "Accepted": _list(question.accepted),
        "Explanation": _html(question.explanation or ""),
        "Topic": _html(question.topic or ""),
        "Image": _image_tag(question.image, images),
        "ExplanationImage": _image_tag(question.explanation_image, images),
        "Difficulty": str(question.difficulty or ""),
        "Id": html.escape(question.id),
    }
    return [values[name] for name in STUDYGAME_FIELDS]


def _html(text: str) -> str:
    """Text as field HTML that Anki shows, and anki_html reads back, exactly as written."""
    lines = []
    for line in html.escape(text, quote=False).split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        # HTML folds runs of spaces into one; no-break spaces keep indents and gaps.
        body = re.sub(r" {2,}", lambda m: " " + "&nbsp;" * (len(m.group()) - 1), line[indent:])
        lines.append("&nbsp;" * indent + body)
    return "<br>".join(lines)


def _list(items: tuple[str, ...]) -> str:
    # One item a line: anki_notes splits the field's text on LIST_SEPARATOR, a line break.
    return "<br>".join(_html(item) for item in items)


def _tags(tags: tuple[str, ...]) -> str:
    # Anki tags are space-separated words: a tag with a space inside becomes two words joined.
    return " " + " ".join(tag.replace(" ", "_") for tag in tags) + " " if tags else ""


def _is_media(image: object) -> bool:
    return isinstance(image, str) and image.startswith(MEDIA_PREFIX)


def _deck_ids(names: Iterable[str]) -> dict[str, int]:
    """An id for each deck and each parent of a "A::B" deck, stable for the same name."""
    ids = {}
    for name in names:
        parts = name.split("::")
        for depth in range(1, len(parts) + 1):
            path = "::".join(parts[:depth])
            ids[path] = int(hashlib.sha256(path.encode()).hexdigest()[:11], 16)
    return ids


def _models(now: int) -> dict[str, Any]:
    field_list = [
        {"name": name, "ord": i, "sticky": False, "rtl": False, "font": "Arial", "size": 20,
         "description": "", "plainText": False, "collapsed": False, "excludeFromSearch": False}
        for i, name in enumerate(STUDYGAME_FIELDS)
    ]  # fmt: skip
    template = {
        "name": "Card 1", "ord": 0, "qfmt": QUESTION_SIDE, "afmt": ANSWER_SIDE, "bqfmt": "",
        "bafmt": "", "did": None, "bfont": "", "bsize": 0,
    }  # fmt: skip
    model = {
        "id": NOTE_TYPE_ID, "name": STUDYGAME_NOTE_TYPE, "type": 0, "mod": now, "usn": -1,
        "sortf": 0, "did": None, "tmpls": [template], "flds": field_list, "css": CSS,
        "latexPre": "", "latexPost": "", "latexsvg": False, "req": [[0, "any", [0]]],
        "tags": [], "vers": [],
    }  # fmt: skip
    return {str(NOTE_TYPE_ID): model}


def _decks(deck_ids: dict[str, int], now: int) -> dict[str, Any]:
    decks = {"Default": DEFAULT_DECK_ID, **deck_ids}
    return {
        str(deck_id): {
            "id": deck_id, "name": name, "mod": now, "usn": -1, "lrnToday": [0, 0],
            "revToday": [0, 0], "newToday": [0, 0], "timeToday": [0, 0], "collapsed": False,
            "browserCollapsed": False, "desc": "", "dyn": 0, "conf": 1, "extendNew": 0,
            "extendRev": 0,
        }
        for name, deck_id in decks.items()
    }  # fmt: skip


def _deck_configs() -> dict[str, Any]:
    # Anki's own defaults (as a schema 11 export writes them), for the decks' conf 1.
    return {
        "1": {
            "id": 1, "mod": 0, "name": "Default", "usn": 0, "maxTaken": 60, "autoplay": True,
            "timer": 0, "replayq": True, "dyn": False,
            "new": {"bury": False, "delays": [1.0, 10.0], "initialFactor": 2500,
                    "ints": [1, 4, 0], "order": 1, "perDay": 20},
            "rev": {"bury": False, "ease4": 1.3, "ivlFct": 1.0, "maxIvl": 36500, "perDay": 200,
                    "hardFactor": 1.2},
            "lapse": {"delays": [10.0], "leechAction": 1, "leechFails": 8, "minInt": 1,
                      "mult": 0.0},
        }
    }  # fmt: skip


def _conf() -> dict[str, Any]:
    return {
        "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0,
        "estTimes": True, "dueCounts": True, "curModel": NOTE_TYPE_ID, "nextPos": 1,
        "sortType": "noteFld", "sortBackwards": False, "addToCur": True, "schedVer": 2,
    }  # fmt: skip
