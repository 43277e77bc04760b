"""Question-bank documents as JSON: how cards move between MongoDB and the learner's own.

Reads what `mongoexport` writes (a JSON array with --jsonArray, else one document a line)
and the bundled decks' shape ({"deck": ..., "questions": [...]}); writes a JSON array that
`mongoimport --jsonArray` loads. A document keeps its `_id` both ways, so its answers and
schedule follow it from one source to the other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from studygame.domain.card_drafts import (
    MAX_CARDS_PER_FILE,
    BadCardFile,
    CardDraft,
    CardFile,
    SkippedRow,
)
from studygame.domain.questions import BadQuestion, parse_question

KEY_PREFIX = "json:"


def read_bank_json(data: bytes) -> CardFile:
    """Every document of the file as a draft; one that the bank would skip is skipped here."""
    documents = _documents(data)
    if len(documents) > MAX_CARDS_PER_FILE:
        raise BadCardFile(
            f"The file holds {len(documents):,} documents; at most {MAX_CARDS_PER_FILE:,} "
            "can be imported at once."
        )
    drafts: list[CardDraft] = []
    skipped: list[SkippedRow] = []
    for number, document in enumerate(documents, start=1):
        where = f"document {number}"
        if not isinstance(document, Mapping):
            skipped.append(SkippedRow(where, "The document is not an object."))
            continue
        fields = {k: v for k, v in document.items() if k != "_id"}
        card_id = _plain_id(document.get("_id"))
        try:
            question = parse_question({"_id": "new" if card_id is None else card_id, **fields})
        except BadQuestion as exc:
            skipped.append(SkippedRow(where, exc.reason))
            continue
        if card_id is None:
            content = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str)
            key = KEY_PREFIX + hashlib.sha256(content.encode()).hexdigest()
        else:
            key = KEY_PREFIX + question.id
        drafts.append(CardDraft(key, fields, id=None if card_id is None else question.id))
    return CardFile("json", tuple(drafts), skipped=tuple(skipped))


def _documents(data: bytes) -> list[Any]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadCardFile("The file is not UTF-8 text, so it is not question JSON.") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        # mongoexport's default: one document a line.
        try:
            parsed = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise BadCardFile(f"The file is not JSON: line {exc.lineno} cannot be read.") from None
    if isinstance(parsed, Mapping) and isinstance(parsed.get("questions"), list):
        deck = parsed.get("deck")
        return [
            {"deck": deck, **doc} if isinstance(doc, Mapping) and deck else doc
            for doc in parsed["questions"]
        ]
    if isinstance(parsed, Mapping):
        return [parsed]
    if isinstance(parsed, list):
        return parsed
    raise BadCardFile("The file is JSON, but neither a document nor a list of them.")


def _plain_id(value: object) -> object:
    # Extended JSON (mongoexport) writes an ObjectId as {"$oid": "65f0..."}.
    if isinstance(value, Mapping) and set(value) == {"$oid"}:
        return value["$oid"]
    return value


def write_bank_json(cards: Iterable[tuple[str, Mapping[str, Any]]]) -> bytes:
    """The cards as a JSON array of bank documents, each under its question id."""
    documents = [{"_id": card_id, **document} for card_id, document in cards]
    return json.dumps(documents, indent=2, ensure_ascii=False).encode("utf-8")
