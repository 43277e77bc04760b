"""Is this answer right? Typed answers are normalised and forgive one typo a word; choices don't.

The fuzzy rule, word by word (after normalising case, accents, punctuation and spacing):
- a word of 3 characters or fewer, and any number, must match exactly: one edit turns
  "cat" into "bat" and "12" into "13", a different answer rather than a typo;
- a word of 4 or 5 characters forgives only two swapped neighbours ("Lnodon" style):
  a single substitution, insertion or deletion at that length is usually another word
  ("Iran"/"Iraq", "house"/"horse", "bear"/"pear");
- a longer word forgives one typo: one substitution, insertion, deletion or swap
  (optimal string alignment distance 1, from rapidfuzz);
- the first letter must match: typos there are rare, different words often differ there;
- the words must line up one to one (a leading "the"/"a"/"an" is ignored on both sides),
  and a missing or extra space ("new york" / "newyork") is forgiven.
A whole answer of 3 characters or fewer is never fuzzy. Number words must match exactly,
after "1,000" -> "1000" and "3.50" -> "3.5".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from studygame.domain.questions import Question

SHORT_WORD_MAX_CHARS = 3
SWAP_ONLY_MAX_CHARS = 5
MAX_TYPOS_PER_WORD = 1
LEADING_ARTICLES = frozenset({"the", "a", "an"})

# "1,000,000" is one number; other commas are punctuation.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# Apostrophes and full stops join ("O'Brien", "U.S.A."), except a decimal point between
# digits; every other punctuation mark separates words ("rock-'n'-roll" -> "rock n roll").
_JOINING = re.compile(r"['\u2019\u02bc`]|(?<!\d)\.|\.(?!\d)")
_PUNCTUATION = re.compile(r"(?!(?<=\d)\.(?=\d))[^\w\s]|_")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer, and how it was reached."""

    is_correct: bool
    normalized: str
    matched_alias: str | None = None  # the accepted alias that matched, None for the answer
    was_fuzzy: bool = False


def normalize(text: str) -> str:
    """Fold case, accents, punctuation and spacing: "  Ça  va, Zoë! " -> "ca va zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _THOUSANDS.sub("", without_marks.casefold())
    words = _PUNCTUATION.sub(" ", _JOINING.sub("", folded)).split()
    return " ".join(_canonical_number(w) for w in words)


def _canonical_number(word: str) -> str:
    # "3.50" and "3.5" are the same number; "007" is kept as typed (a code, not a count).
    if _NUMBER.match(word) and "." in word:
        return word.rstrip("0").rstrip(".")
    return word


def grade_typed(given: str, answer: str, accepted: Iterable[str] = ()) -> Verdict:
    """Grade a typed answer against the answer and its accepted aliases."""
    normalized = normalize(given)
    candidates = [(answer, None), *((alias, alias) for alias in accepted)]
    if not normalized:
        return Verdict(is_correct=False, normalized=normalized)
    for text, alias in candidates:
        if normalize(text) == normalized:
            return Verdict(is_correct=True, normalized=normalized, matched_alias=alias)
    for text, alias in candidates:
        if _close_enough(normalized, normalize(text)):
            return Verdict(
                is_correct=True, normalized=normalized, matched_alias=alias, was_fuzzy=True
            )
    return Verdict(is_correct=False, normalized=normalized)


def grade_choice(given: str, answer: str) -> Verdict:
    """Grade a picked choice (mcq, true/false): exact, apart from case and spacing."""
    normalized = " ".join(given.casefold().split())
    return Verdict(
        is_correct=normalized == " ".join(answer.casefold().split()), normalized=normalized
    )


def _close_enough(given: str, expected: str) -> bool:
    if len(expected) <= SHORT_WORD_MAX_CHARS or not given:
        return False
    compact = expected.replace(" ", "")
    if given.replace(" ", "") == compact and not any(c.isdigit() for c in compact):
        return True
    given_words, expected_words = _content_words(given), _content_words(expected)
    if len(given_words) != len(expected_words):
        return False
    return all(_word_matches(g, e) for g, e in zip(given_words, expected_words, strict=True))


def _content_words(text: str) -> list[str]:
    words = text.split()
    if len(words) > 1 and words[0] in LEADING_ARTICLES:
        return words[1:]
    return words


def _word_matches(given: str, expected: str) -> bool:
    if given == expected:
        return True
    if (
        len(expected) <= SHORT_WORD_MAX_CHARS
        or any(c.isdigit() for c in given + expected)
        or given[0] != expected[0]
    ):
        return False
    if len(expected) <= SWAP_ONLY_MAX_CHARS:
        return _is_one_swap(given, expected)
    return OSA.distance(given, expected, score_cutoff=MAX_TYPOS_PER_WORD) <= MAX_TYPOS_PER_WORD


def _is_one_swap(given: str, expected: str) -> bool:
    if len(given) != len(expected):
        return False
    diffs = [i for i, (g, e) in enumerate(zip(given, expected, strict=True)) if g != e]
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and given[diffs[0]] == expected[diffs[1]]
        and given[diffs[1]] == expected[diffs[0]]
    )


def grade_answer(question: Question, given: str) -> Verdict:
    """Grade an answer to a bank question: typed answers leniently, choices exactly."""
    if question.type == "typed":
        return grade_typed(given, question.answer, question.accepted)
    return grade_choice(given, question.answer)
