"""A question, and how one hand-written question-bank document becomes one (aliases included)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from studygame.domain.card_drafts import MEDIA_PREFIX

QuestionType = Literal["mcq", "truefalse", "typed", "flashcard"]
QUESTION_TYPES: tuple[QuestionType, ...] = ("mcq", "truefalse", "typed", "flashcard")

# Each field's canonical name first, then the aliases the hand-written Atlas collection uses.
DECK_KEYS = ("deck", "set", "collection", "subject")
TOPIC_KEYS = ("topic", "category", "chapter")
PROMPT_KEYS = ("prompt", "question", "front", "text")
CHOICE_KEYS = ("choices", "options", "answers")
ANSWER_KEYS = ("answer", "correct", "correct_answer", "back", "correct_index")
ACCEPTED_KEYS = ("accepted", "aliases")
IMAGE_KEYS = ("image", "image_url", "img")
EXPLANATION_IMAGE_KEYS = ("explanation_image",)

DEFAULT_DECK = "Unsorted"
DIFFICULTY_WORDS = {"easy": 1, "medium": 3, "hard": 5}
TRUE_FALSE = ("True", "False")
# Spellings of `type` seen in hand-written documents, after dropping case and non-letters.
TYPE_SPELLINGS: dict[str, QuestionType] = {
    "mcq": "mcq",
    "multiplechoice": "mcq",
    "truefalse": "truefalse",
    "tf": "truefalse",
    "boolean": "truefalse",
    "typed": "typed",
    "flashcard": "flashcard",
}
# An answer longer than this is no fun to type: such a document becomes a flashcard.
MAX_TYPED_WORDS = 5
# No real prompt, choice or explanation comes near this; a longer one is a pasted accident
# (or an attempt to fill the learner's screen), not a question.
MAX_TEXT_CHARS = 2000
# Format characters that hide or reorder text (RTL overrides, zero-width spaces, BOM) make a
# question read differently from what is graded. Joiners are kept: emoji sequences and many
# scripts need U+200C/U+200D, and subdivision flags need the tag characters.
_ALLOWED_FORMAT_CHARS = re.compile("[\u200c\u200d\U000e0020-\U000e007f]")
_ALLOWED_CONTROL_CHARS = frozenset("\n\t")
_DIGITS = re.compile("[0-9]+")
# A stored image's name: a file name from an import, or the sha256 the store keeps it under.
_MEDIA_NAME = re.compile(r"[^/\\\s]{1,200}")


class BadQuestion(ValueError):
    """A document that cannot be read as a question; `reason` is one short sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Question:
    """One question of the bank, whatever shape its document had."""

    id: str
    deck: str
    topic: str | None
    tags: tuple[str, ...]
    type: QuestionType
    prompt: str
    choices: tuple[str, ...]
    answer: str
    accepted: tuple[str, ...]
    explanation: str | None
    difficulty: int | None
    # An https URL, or MEDIA_PREFIX and the name of an image stored with the learner's cards:
    # shown with the prompt, and (explanation_image) with the answer's explanation.
    image: str | None = None
    explanation_image: str | None = None


def parse_question(doc: Mapping) -> Question:
    """Read one question-bank document (DESIGN.md's shape and aliases); raise BadQuestion."""
    if not isinstance(doc, Mapping):
        raise BadQuestion("The document is not an object.")
    question_id = _question_id(doc.get("_id"))
    prompt = _text(doc, PROMPT_KEYS, "prompt")
    if not prompt:
        raise BadQuestion("The document has no prompt (prompt, question, front or text).")
    choices = _choices(doc)
    answer_key, raw_answer = _first(doc, ANSWER_KEYS)
    if raw_answer is None or raw_answer == "" or raw_answer == []:
        raise BadQuestion("The document has no answer (answer, correct, correct_answer or back).")
    answer, extra_accepted = _answer(raw_answer, answer_key, choices)
    kind = _type(doc, choices, answer, answer_key, raw_answer)
    if kind == "mcq":
        choices, answer = _check_mcq(choices, answer, extra_accepted)
    elif kind == "truefalse":
        choices, answer = TRUE_FALSE, _true_false(answer)
    else:
        choices = ()
    accepted = _accepted(doc, extra_accepted, answer) if kind == "typed" else ()
    return Question(
        id=question_id,
        deck=_text(doc, DECK_KEYS, "deck") or DEFAULT_DECK,
        topic=_text(doc, TOPIC_KEYS, "topic"),
        tags=_tags(doc.get("tags")),
        type=kind,
        prompt=prompt,
        choices=choices,
        answer=answer,
        accepted=accepted,
        explanation=_text(doc, ("explanation",), "explanation"),
        difficulty=_difficulty(doc.get("difficulty")),
        image=_image(doc, IMAGE_KEYS, "image"),
        explanation_image=_image(doc, EXPLANATION_IMAGE_KEYS, "explanation image"),
    )


def _first(doc: Mapping, keys: tuple[str, ...]) -> tuple[str, object]:
    for key in keys:
        if doc.get(key) is not None:
            return key, doc[key]
    return keys[0], None


def _text(doc: Mapping, keys: tuple[str, ...], field: str) -> str | None:
    key, value = _first(doc, keys)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadQuestion(f"The {field} ({key}) is not text.")
    return _checked(value, f"{field} ({key})").strip() or None


def _checked(text: str, what: str) -> str:
    """`text` unchanged if it is plain readable text; BadQuestion naming `what` otherwise."""
    if len(text) > MAX_TEXT_CHARS:
        raise BadQuestion(f"The {what} is longer than {MAX_TEXT_CHARS} characters.")
    for char in text:
        category = unicodedata.category(char)
        if category == "Cs":
            raise BadQuestion(f"There is a broken character (a lone surrogate) in the {what}.")
        if category == "Cc" and char not in _ALLOWED_CONTROL_CHARS:
            raise BadQuestion(f"There is a control character (U+{ord(char):04X}) in the {what}.")
        if category == "Cf" and not _ALLOWED_FORMAT_CHARS.match(char):
            raise BadQuestion(
                f"There is an invisible formatting character (U+{ord(char):04X}) in the {what}."
            )
    return text


def _question_id(value: object) -> str:
    # str(_id) is the key of the learner's history: only values with one stable spelling.
    if value is None:
        raise BadQuestion("The document has no _id.")
    if isinstance(value, bool | float | bytes | Mapping | list | tuple | set):
        raise BadQuestion("The _id must be text, a whole number or an ObjectId.")
    text = _checked(str(value), "_id")
    if not text.strip():
        raise BadQuestion("The _id is blank.")
    if text != text.strip() or any(c.isspace() for c in text):
        raise BadQuestion("The _id has spaces in it.")
    return text


def _whole_number(value: object) -> int | None:
    # The legacy mongo shell stored every number as a double: 2.0 is a fine index.
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _text_list(value: object, what: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise BadQuestion(f"The {what} must be a list of text.")
    return tuple(i.strip() for i in items if _checked(i, what).strip())


def _choices(doc: Mapping) -> tuple[str, ...]:
    key, value = _first(doc, CHOICE_KEYS)
    if value is None:
        return ()
    if isinstance(value, str):
        raise BadQuestion(f"The choices ({key}) must be a list of text, not one string.")
    choices = _text_list(value, f"choices ({key})")
    # Dropping a blank choice would shift every index after it onto the wrong answer.
    if len(choices) < len(value):
        raise BadQuestion(f"One of the choices ({key}) is blank.")
    return choices


def _answer(raw: object, key: str, choices: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The answer's text, and any further accepted answers given in an answer list."""
    if isinstance(raw, bool):
        return TRUE_FALSE[0] if raw else TRUE_FALSE[1], ()
    index = _whole_number(raw)
    if key == "correct_index" and index is None:
        raise BadQuestion("The correct_index is not a whole number.")
    if key == "correct_index" and not choices:
        raise BadQuestion(f"The correct_index is {index} but there are no choices.")
    if index is not None and choices:
        if not 0 <= index < len(choices):
            raise BadQuestion(f"The answer index {index} is out of range: {len(choices)} choices.")
        return choices[index], ()
    # Without choices a number is the answer itself ("2 ** 10?" -> 1024), typed in as text.
    if index is not None:
        return str(index), ()
    if isinstance(raw, float) and not math.isfinite(raw):
        raise BadQuestion(f"The answer ({key}) is {raw}, not a number anyone can type.")
    if isinstance(raw, float) and choices:
        raise BadQuestion(f"The answer index {raw} is not a whole number.")
    if isinstance(raw, float):
        return str(raw), ()
    if isinstance(raw, str):
        if not _checked(raw, f"answer ({key})").strip():
            raise BadQuestion("The answer is empty.")
        return raw.strip(), ()
    if isinstance(raw, list):
        answers = _text_list(raw, f"answer ({key})")
        if not answers:
            raise BadQuestion("The answer list is empty.")
        return answers[0], answers[1:]
    raise BadQuestion(f"The answer ({key}) is not text, a list of text or a choice index.")


def _type(
    doc: Mapping, choices: tuple[str, ...], answer: str, answer_key: str, raw_answer: object
) -> QuestionType:
    declared = doc.get("type")
    if declared is not None:
        spelling = re.sub(r"[^a-z]", "", declared.lower()) if isinstance(declared, str) else ""
        if spelling not in TYPE_SPELLINGS:
            raise BadQuestion(f"The type {declared!r} is not mcq, truefalse, typed or flashcard.")
        return TYPE_SPELLINGS[spelling]
    if choices:
        return "truefalse" if _is_true_false(choices) else "mcq"
    if isinstance(raw_answer, bool) or answer.lower() in ("true", "false"):
        return "truefalse"
    if "front" in doc or answer_key == "back" or len(answer.split()) > MAX_TYPED_WORDS:
        return "flashcard"
    return "typed"


def _is_true_false(choices: tuple[str, ...]) -> bool:
    return sorted(c.lower() for c in choices) == ["false", "true"]


def _check_mcq(
    choices: tuple[str, ...], answer: str, extra: tuple[str, ...]
) -> tuple[tuple[str, ...], str]:
    if len(choices) < 2:
        raise BadQuestion("A multiple-choice question needs at least two choices.")
    if len(set(choices)) < len(choices):
        raise BadQuestion("Two of the choices are the same.")
    if extra:
        raise BadQuestion("A multiple-choice question has one answer, not a list.")
    if answer in choices:
        return choices, answer
    # Hand-typed answers differ from their choice in case now and then; choices that differ
    # only in case ('True' and 'true' in a Python deck) need the exact text.
    matches = [c for c in choices if c.casefold() == answer.casefold()]
    if len(matches) != 1:
        raise BadQuestion(f"The answer {answer!r} is not one of the choices.")
    return choices, matches[0]


def _true_false(answer: str) -> str:
    for value in TRUE_FALSE:
        if answer.lower() == value.lower():
            return value
    raise BadQuestion(f"A true/false question needs the answer True or False, not {answer!r}.")


def _accepted(doc: Mapping, extra: tuple[str, ...], answer: str) -> tuple[str, ...]:
    key, value = _first(doc, ACCEPTED_KEYS)
    given = () if value is None else _text_list(value, f"accepted answers ({key})")
    seen = {answer.casefold()}
    accepted = []
    for alias in (*extra, *given):
        if alias.casefold() not in seen:
            seen.add(alias.casefold())
            accepted.append(alias)
    return tuple(accepted)


def _tags(value: object) -> tuple[str, ...]:
    return () if value is None else _text_list(value, "tags")


def _difficulty(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in DIFFICULTY_WORDS:
            return DIFFICULTY_WORDS[word]
        # str.isdigit() is True for "²" and "٣", which int() refuses or reads otherwise.
        level = int(word) if _DIGITS.fullmatch(word) else None
    else:
        level = _whole_number(value)
    if level is None or not 1 <= level <= 5:
        raise BadQuestion(f"The difficulty {value!r} is not 1 to 5, easy, medium or hard.")
    return level


def _image(doc: Mapping, keys: tuple[str, ...], field: str) -> str | None:
    image = _text(doc, keys, field)
    if image is None:
        return None
    if image.startswith(MEDIA_PREFIX):
        if not _MEDIA_NAME.fullmatch(image.removeprefix(MEDIA_PREFIX)):
            raise BadQuestion(f"The {field}'s media name is blank, too long or has a slash in it.")
        return image
    # Only https: the app is served over https, and a browser blocks plain-http images there.
    parts = urlsplit(image)
    if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in image):
        raise BadQuestion(f"The {field} must be an https:// address or a stored image.")
    return image
