"""Which cards an Anki note becomes, as bank-shaped documents (before media and validation).

Anki draws a card from a note through a template; StudyGame needs a prompt and an answer.
The template says which field is which: the first field its question side shows is the
prompt, the first further field its answer side shows is the answer, and a `{{type:Field}}`
makes a typed card. So Basic, Basic (and reversed card), Basic (optional reversed card),
Basic (type in the answer) and most home-made types need no special case, in any language.
Cloze notes become one typed card per cloze number; StudyGame's own note type (written by
anki_write) is read field by field, so an export comes back as it left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from studygame.domain.card_drafts import MAX_KEY_CHARS, SkippedRow
from studygame.domain.questions import MAX_TYPED_WORDS
from studygame.services.card_files.anki_collection import Note, NoteType, field_references
from studygame.services.card_files.anki_html import (
    IMAGE_OCCLUSION,
    FieldText,
    cloze_answer,
    cloze_numbers,
    cloze_prompt,
    field_text,
)

# StudyGame's own note type, as anki_write writes it: one field per document field.
STUDYGAME_NOTE_TYPE = "StudyGame"
STUDYGAME_FIELDS = (
    "Prompt",
    "Answer",
    "Type",
    "Choices",
    "Accepted",
    "Explanation",
    "Topic",
    "Image",
    "ExplanationImage",
    "Difficulty",
    # The question id: a card exported and imported back is the same card, its history kept.
    "Id",
)
# Where a StudyGame note's question id travels in its document until it becomes the draft's id.
ID_KEY = "_id"
# Choices and accepted answers are one per line in their field.
LIST_SEPARATOR = "\n"
# An image-only prompt (a picture to name) still needs words on screen.
IMAGE_PROMPT = "(see the image)"


@dataclass
class NoteCards:
    """A note's cards as (card id, key, document), and what of the note was left out."""

    cards: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)


def note_cards(note: Note, note_type: NoteType | None, decks: dict[int, str]) -> NoteCards:
    """The documents of a note's cards; a card that cannot be made is skipped with a reason."""
    out = NoteCards()
    where = f"note {note.id}"
    if note_type is None:
        out.skipped.append(SkippedRow(where, "Its note type is missing from the collection."))
        return out
    if len(f"anki:{note.guid}:") + 3 > MAX_KEY_CHARS or not note.guid:
        out.skipped.append(SkippedRow(where, "Its id (guid) is blank or too long to keep."))
        return out
    raw = dict(zip(note_type.fields, note.fields, strict=False))
    texts = {name: field_text(raw.get(name, "")) for name in note_type.fields}
    if note_type.is_cloze and any(IMAGE_OCCLUSION in value for value in raw.values()):
        out.skipped.append(SkippedRow(where, "Image Occlusion notes have no text to ask about."))
        return out
    if note_type.name == STUDYGAME_NOTE_TYPE and note_type.fields == STUDYGAME_FIELDS:
        make = _studygame_card
    elif note_type.is_cloze:
        make = _cloze_card
    elif len(note_type.fields) < 2:
        reason = "Its note type has one field: a card needs a prompt and an answer."
        out.skipped.append(SkippedRow(where, reason))
        return out
    else:
        make = _template_card
    sounds: list[str] = []
    for card_id, ord_, deck_id in note.cards:
        try:
            document, asked, shown = make(note_type, texts, ord_)
        except _NoCard as problem:
            out.skipped.append(SkippedRow(where, f"Its card {ord_ + 1} {problem}"))
            continue
        document["deck"] = decks.get(deck_id) or None
        document["tags"] = list(note.tags)
        where_card = f"{where} card {ord_ + 1}"
        _attach_images(
            document, [texts[n] for n in asked], [texts[n] for n in shown], where_card, out
        )
        sounds.extend(s for name in (*asked, *shown) for s in texts[name].sounds)
        out.cards.append((card_id, f"anki:{note.guid}:{ord_}", document))
    if sounds:
        names = ", ".join(dict.fromkeys(sounds))
        reason = f"Its sound ({names}) was left out: StudyGame plays no audio."
        out.skipped.append(SkippedRow(where, reason))
    return out


class _NoCard(Exception):
    """Why one card of a note cannot be made (the end of a sentence: "Its card 2 ...")."""


# A card's document, the fields its question shows and the further fields its answer shows.
_Made = tuple[dict[str, Any], list[str], list[str]]


def _template_card(note_type: NoteType, texts: dict[str, FieldText], ord_: int) -> _Made:
    template = note_type.templates.get(ord_)
    names = set(note_type.fields)
    sides = (template.question, template.answer) if template else ("", "")
    asked, shown = ([(n, f) for n, f in field_references(side) if n in names] for side in sides)
    typed = [n for n, f in asked + shown if "type" in f.split(":")]
    prompts = [n for n, f in asked if n not in typed]
    if prompts:
        prompt = prompts[0]
        answers = typed or [n for n, _ in shown if n not in {p for p, _ in asked}]
    elif ord_ in (0, 1):
        # No template to go by: the first card asks the first field, a second reverses it.
        prompt, answers = note_type.fields[ord_], [note_type.fields[1 - ord_]]
    else:
        raise _NoCard("has a template StudyGame cannot read.")
    if not answers:
        raise _NoCard("shows no field on its answer side but the question.")
    answer = answers[0]
    extra = [n for n, _ in shown if n not in (prompt, answer) and n not in typed]
    document = _document(texts[prompt], texts[answer].text, bool(typed))
    _explain(document, texts, extra)
    return document, [prompt], [answer, *extra]


def _cloze_card(note_type: NoteType, texts: dict[str, FieldText], ord_: int) -> _Made:
    template = next(iter(note_type.templates.values()), None)
    refs = field_references(template.question) if template else []
    cloze_fields = [n for n, f in refs if "cloze" in f.split(":") and n in texts]
    source = cloze_fields[0] if cloze_fields else note_type.fields[0]
    text = texts[source].text
    number = ord_ + 1
    if number not in cloze_numbers(text):
        raise _NoCard(f"has no cloze c{number} in its text.")
    answer = cloze_answer(text, number)
    if not answer:
        raise _NoCard(f"hides nothing: its cloze c{number} is empty.")
    prompt = FieldText(cloze_prompt(text, number), texts[source].images, ())
    document = _document(prompt, answer, True)
    shown = field_references(template.answer) if template else []
    extra = [n for n, _ in shown if n in texts and n != source]
    _explain(document, texts, extra)
    return document, [source], extra


def _studygame_card(note_type: NoteType, texts: dict[str, FieldText], ord_: int) -> _Made:
    if ord_ != 0:
        raise _NoCard("is not the one card a StudyGame note has.")
    value = {name: texts[name].text for name in STUDYGAME_FIELDS}
    document: dict[str, Any] = {
        "type": value["Type"] or None,
        "prompt": value["Prompt"],
        "answer": value["Answer"],
    }
    for key, name in (("choices", "Choices"), ("accepted", "Accepted")):
        if value[name]:
            document[key] = value[name].split(LIST_SEPARATOR)
    for key, name in (("explanation", "Explanation"), ("topic", "Topic")):
        if value[name]:
            document[key] = value[name]
    if value["Difficulty"]:
        difficulty = value["Difficulty"]
        document["difficulty"] = (
            int(difficulty) if difficulty.isascii() and difficulty.isdigit() else difficulty
        )
    if value["Id"]:
        document[ID_KEY] = value["Id"]
    # The image fields hold the <img> tags themselves, so Anki shows the pictures too.
    return document, ["Image"], ["ExplanationImage"]


def _document(prompt: FieldText, answer: str, typed: bool) -> dict[str, Any]:
    # A long answer is no fun to type (the bank's own rule): reveal it instead.
    kind = "typed" if typed and len(answer.split()) <= MAX_TYPED_WORDS else "flashcard"
    text = prompt.text or (IMAGE_PROMPT if prompt.images else "")
    return {"type": kind, "prompt": text, "answer": answer}


def _explain(document: dict[str, Any], texts: dict[str, FieldText], names: list[str]) -> None:
    explanation = "\n".join(texts[n].text for n in dict.fromkeys(names) if texts[n].text)
    if explanation:
        document["explanation"] = explanation


def _attach_images(
    document: dict[str, Any],
    asked: list[FieldText],
    shown: list[FieldText],
    where: str,
    out: NoteCards,
) -> None:
    """The prompt's first image becomes the card's, the answer side's first its explanation's.

    Their srcs are resolved by the reader. The answer side's image is shown only after the
    answer, so it never gives the answer away; any further image is reported as left out.
    """
    first = next((image for text in asked for image in text.images), None)
    if first is not None:
        document["image"] = first
    after = next((image for text in shown for image in text.images if image != first), None)
    if after is not None:
        document["explanation_image"] = after
    others = [
        image for text in (*asked, *shown) for image in text.images if image not in (first, after)
    ]
    for image in dict.fromkeys(others):
        reason = (
            f"Its image {image} was left out: a card shows one image with its prompt and one "
            "with its answer."
        )
        out.skipped.append(SkippedRow(where, reason))
