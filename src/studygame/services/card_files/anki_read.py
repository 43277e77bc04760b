"""An Anki package (.apkg or .colpkg) read into a CardFile: drafts, their images, history.

Pure: bytes in, CardFile out. The collection is written to a private temporary file only
because SQLite reads files, and is opened read-only. Anki's own layout decides the rest:
collection.anki21b (zstd, schema 18, with a protobuf media list and zstd media members) is
preferred to collection.anki21 and collection.anki2 (schema 11, JSON media map), because a
new-format package also carries a stub collection.anki2 that only says "update Anki".
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from studygame.domain.card_drafts import (
    IMAGE_FIELDS,
    MAX_CARDS_PER_FILE,
    MEDIA_PREFIX,
    BadCardFile,
    CardDraft,
    CardFile,
    ReviewRecord,
    SkippedRow,
)
from studygame.domain.questions import BadQuestion, parse_question
from studygame.domain.rating import Rating
from studygame.services.card_files import anki_collection as collection
from studygame.services.card_files.anki_notes import ID_KEY, note_cards
from studygame.services.card_files.anki_proto import first_int, first_text, message_fields
from studygame.services.card_files.anki_zip import (
    MAX_COLLECTION_BYTES,
    PackageZip,
    TooLarge,
    is_safe_member_name,
)

COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
# PackageMetadata.Version in Anki's import_export.proto: legacy 1 and 2, latest 3.
KNOWN_PACKAGE_VERSIONS = (1, 2, 3)
# One image on a phone screen; larger files are photos nobody shrank, and fill the database.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_MEDIA_LIST_BYTES = 16 * 1024 * 1024
# Years of daily study of a 50,000-card deck stay under this; more is not a learner's log.
MAX_REVIEWS_PER_FILE = 2_000_000
# Anki's revlog types: 0 learn, 1 review, 2 relearn, 3 filtered; 4 and 5 are a manual
# reschedule and a "set due date", with ease 0: not answers.
FIRST_NON_ANSWER_TYPE = 4
# The attempts table takes nothing older (DESIGN.md); an older revlog id is not a real time.
EARLIEST_ANSWER = datetime(2000, 1, 1, tzinfo=UTC)
# File signatures of the image types a browser shows safely (no SVG: it can hold script).
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


def read_anki_package(data: bytes | BinaryIO, *, with_history: bool = False) -> CardFile:
    """Read an .apkg or .colpkg; BadCardFile (nothing read) when the file cannot be imported.

    A .colpkg is a whole collection in the same layout; it is told apart only by the name of
    an uploaded file object (`data.name`), since the bytes say nothing about it.
    """
    package = PackageZip(data)
    name = next((n for n in COLLECTION_NAMES if n in package), None)
    if name is None:
        raise BadCardFile("This zip file holds no Anki collection: it is not an Anki package.")
    _check_version(package)
    latest = name == "collection.anki21b"
    with tempfile.TemporaryDirectory(prefix="studygame-anki-") as folder:
        path = Path(folder) / "collection.sqlite"
        with path.open("wb") as out:
            try:
                package.copy(name, out, limit=MAX_COLLECTION_BYTES, zstd=latest)
            except TooLarge:
                megabytes = MAX_COLLECTION_BYTES // 2**20
                raise BadCardFile(
                    f"The collection in this package is larger than {megabytes} MB."
                ) from None
        connection = collection.open_collection(path)
        try:
            cards, skipped, reviews = _read_collection(connection, with_history)
        except sqlite3.DatabaseError:
            raise BadCardFile(collection.NOT_SQLITE) from None
        finally:
            connection.close()
    wanted = {doc[field] for _, _, _, doc in cards for field in IMAGE_FIELDS if field in doc}
    media = _read_media(package, latest, wanted)
    drafts, card_keys = [], {}
    for note_id, card_id, key, document in cards:
        for field in IMAGE_FIELDS:
            if field in document:
                _resolve_image(document, field, media, f"note {note_id}", skipped)
        question_id = document.pop(ID_KEY, None)
        try:
            parse_question({"_id": question_id or "x", **document})
        except BadQuestion as problem:
            skipped.append(SkippedRow(f"note {note_id}", problem.reason))
            continue
        drafts.append(CardDraft(key=key, document=document, id=question_id))
        card_keys[card_id] = key
    history = _history(reviews, card_keys, skipped)
    kept = {
        d.document[field][len(MEDIA_PREFIX) :]
        for d in drafts
        for field in IMAGE_FIELDS
        if str(d.document.get(field, "")).startswith(MEDIA_PREFIX)
    }
    format_ = "colpkg" if str(getattr(data, "name", "")).lower().endswith(".colpkg") else "apkg"
    return CardFile(
        format=format_,
        drafts=tuple(drafts),
        media={name: media[name] for name in kept if name in media},
        reviews=tuple(history),
        skipped=tuple(skipped),
    )


def _check_version(package: PackageZip) -> None:
    if "meta" not in package:
        return
    version = first_int(message_fields(package.read("meta", limit=1024), "meta file"), 1)
    if version not in KNOWN_PACKAGE_VERSIONS:
        raise BadCardFile(
            "This package was made by a newer Anki than StudyGame reads: export it again "
            'with "Support older Anki versions" ticked.'
        )


_Card = tuple[int, int, str, dict[str, Any]]  # note id, card id, key, document
_Review = tuple[int, int, int, int, int]


def _read_collection(
    connection: sqlite3.Connection, with_history: bool
) -> tuple[list[_Card], list[SkippedRow], list[_Review]]:
    # Counted before anything is built: 100,001 notes are refused in the time of a count.
    for table in ("notes", "cards"):
        rows = collection.count(connection, table)
        if rows > MAX_CARDS_PER_FILE:
            raise BadCardFile(
                f"This package holds {rows:,} {table}; StudyGame imports at most "
                f"{MAX_CARDS_PER_FILE:,} from one file."
            )
    if with_history and collection.count(connection, "revlog") > MAX_REVIEWS_PER_FILE:
        raise BadCardFile(
            f"This package's review history is longer than {MAX_REVIEWS_PER_FILE:,} reviews: "
            "import it without the history."
        )
    types = collection.note_types(connection)
    decks = collection.deck_names(connection)
    cards: list[_Card] = []
    skipped: list[SkippedRow] = []
    guids: set[str] = set()
    for note in collection.notes(connection):
        if note.guid in guids:
            skipped.append(SkippedRow(f"note {note.id}", "Its id (guid) repeats another note's."))
            continue
        guids.add(note.guid)
        made = note_cards(note, types.get(note.note_type_id), decks)
        cards.extend((note.id, card_id, key, document) for card_id, key, document in made.cards)
        skipped.extend(made.skipped)
    reviews = list(collection.reviews(connection)) if with_history else []
    return cards, skipped, reviews


def _read_media(package: PackageZip, latest: bool, wanted: set[str]) -> dict[str, bytes | str]:
    """The bytes of each wanted image, or one sentence saying why it cannot be had."""
    members = _media_members(package, latest) if wanted and "media" in package else {}
    found: dict[str, bytes | str] = {}
    for name in wanted:
        if name.startswith("https://"):
            continue
        # Anki writes the file name as it is; some tools percent-encode it in the src.
        member = members.get(name) or members.get(unquote(name))
        if member is None or member not in package:
            found[name] = "it is not in the package."
            continue
        try:
            content = package.read(member, limit=MAX_IMAGE_BYTES, zstd=latest)
        except TooLarge:
            found[name] = f"it is larger than {MAX_IMAGE_BYTES // 2**20} MB."
            continue
        found[name] = content if _is_image(content) else "it is not a PNG, JPEG, GIF or WebP image."
    return found


def _media_members(package: PackageZip, latest: bool) -> dict[str, str]:
    """The media list: each file name with the zip member ("0", "1", ...) that holds it."""
    raw = package.read("media", limit=MAX_MEDIA_LIST_BYTES, zstd=latest)
    if latest:
        entries = message_fields(raw, "media list").get(1, [])
        names = {
            first_text(message_fields(e, "media list"), 1): str(index)
            for index, e in enumerate(entries)
            if isinstance(e, bytes)
        }
    else:
        try:
            listed = json.loads(raw or b"{}")
        except ValueError:
            listed = None
        if not isinstance(listed, dict):
            raise BadCardFile("This Anki package is damaged: its media list cannot be read.")
        names = {str(name): str(member) for member, name in listed.items()}
    # A media name becomes a key of CardFile.media: a bare file name, nothing path-like.
    return {n: m for n, m in names.items() if is_safe_member_name(n) and "/" not in n}


def _resolve_image(
    document: dict[str, Any],
    field: str,
    media: dict[str, bytes | str],
    where: str,
    skipped: list[SkippedRow],
) -> None:
    source = document.pop(field)
    if source.startswith("https://"):
        document[field] = source
    elif isinstance(media.get(source), bytes):
        document[field] = MEDIA_PREFIX + source
    else:
        reason = media.get(source, "it is not in the package.")
        skipped.append(SkippedRow(where, f"Its image {source} was left out: {reason}"))


def _is_image(content: bytes) -> bool:
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return True
    return content.startswith(IMAGE_SIGNATURES)


def _history(
    reviews: list[_Review], card_keys: dict[int, str], skipped: list[SkippedRow]
) -> list[ReviewRecord]:
    """The imported cards' reviews as answers; reschedules and impossible times are left out."""
    records, not_answers, bad_times = [], 0, 0
    ratings = {rating.value: rating for rating in Rating}
    for review_id, card_id, ease, time_ms, kind in reviews:
        key = card_keys.get(card_id)
        if key is None:
            continue
        if kind >= FIRST_NON_ANSWER_TYPE or ease not in ratings:
            not_answers += 1
            continue
        try:
            answered_at = datetime.fromtimestamp(review_id / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            answered_at = None
        if answered_at is None or answered_at < EARLIEST_ANSWER:
            bad_times += 1
            continue
        records.append(ReviewRecord(key, answered_at, ratings[ease], max(0, int(time_ms or 0))))
    if not_answers:
        reason = f"{not_answers} manual reschedules or due-date changes are not answers."
        skipped.append(SkippedRow("review history", reason))
    if bad_times:
        reason = f"{bad_times} reviews have a time before 2000 or no real time."
        skipped.append(SkippedRow("review history", reason))
    return records
