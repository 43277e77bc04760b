"""Is this answer right? Typed answers are normalised and forgive one typo a word; choices don't.

Numbers compare as numbers: an expected answer that is a number ("-40", "0.5", "1,000")
accepts the same number in any common spelling (a Unicode minus, ".5", "1 000", "1_000",
"1.000.000") and nothing else. A single "." is always a decimal point; a "," followed by
exactly three digits groups thousands, any other "," is a decimal comma ("0,5").

The fuzzy rule, word by word (after normalising case, accents, punctuation and spacing):
- a word of 3 characters or fewer, and any number, must match exactly: one edit turns
  "cat" into "bat" and "12" into "13", a different answer rather than a typo;
- a word of 4 or 5 characters forgives only two swapped neighbours ("Lnodon" style):
  a single substitution, insertion or deletion at that length is usually another word
  ("Iran"/"Iraq", "house"/"horse", "bear"/"pear");
- a longer word forgives one typo: one substitution, insertion, deletion or swap
  (optimal string alignment distance 1, from rapidfuzz), except a substitution that spells
  another common English word ("Ireland" for "Iceland");
- the first letter must match: typos there are rare, different words often differ there;
- the words must line up one to one (a leading "the"/"a"/"an" is ignored on both sides),
  and a missing or extra space ("new york" / "newyork") is forgiven.
A whole answer of 3 characters or fewer is never fuzzy. "+" and "#" count when either side
has them ("C" is not "C++" nor "C#"), and an answer that is nothing but symbols or emoji
must match exactly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz.distance import OSA

from studygame.domain.questions import Question

SHORT_WORD_MAX_CHARS = 3
SWAP_ONLY_MAX_CHARS = 5
MAX_TYPOS_PER_WORD = 1
LEADING_ARTICLES = frozenset({"the", "a", "an"})
# Symbols that change what an answer means (C, C++, C#; A and A+): never folded away when
# either side has them.
MEANINGFUL_SYMBOLS = "+#"
# Zipf 3 is once per million words of English text: a word that common is a real word, so a
# one-letter substitution that lands on it is another answer, not a typo ("Ireland"/"Iceland").
REAL_WORD_ZIPF = 3.0

# "1,000,000" is one number; other commas are punctuation.
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
# Apostrophes and full stops join ("O'Brien", "U.S.A."), except a decimal point (a dot before
# a digit, not after a letter: "3.5", ".5"); every other punctuation mark separates words
# ("rock-'n'-roll" -> "rock n roll") apart from a minus sign before a number.
_JOINING = re.compile(r"['\u2019\u02bc`]|\.(?!\d)|(?<=[^\W\d_])\.")
_DECIMAL_POINT = r"(?<![^\W\d_])\.(?=\d)"
_MINUS_SIGN = r"(?<![\w.])-(?=\.?\d)"
_NUMBER = re.compile(r"^-?(\d*)(\.\d+)?$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-"})
# Whole-answer numbers: plain ("1000", "-3.5", ".5"), a decimal comma ("0,5"), or digits in
# groups of three split by one separator, then maybe a fraction after the other mark.
_PLAIN_NUMBER = re.compile(r"\d*\.?\d+")
_DECIMAL_COMMA = re.compile(r"(\d+),(\d+)")
_GROUPED_NUMBER = re.compile(r"\d{1,3}(?P<sep>[ _',.])\d{3}(?:(?P=sep)\d{3})*(?:(?P<dec>[.,])\d+)?")


@dataclass(frozen=True)
class Verdict:
    """The grade of one answer, and how it was reached."""

    is_correct: bool
    normalized: str
    matched_alias: str | None = None  # the accepted alias that matched, None for the answer
    was_fuzzy: bool = False


def normalize(text: str, keep: str = "") -> str:
    """Fold case, accents, punctuation and spacing: "  Ça  va, Zoë! " -> "ca va zoe".

    The symbols in `keep` (some of MEANINGFUL_SYMBOLS) are kept as letters.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_MINUS_SIGNS))
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _THOUSANDS.sub("", without_marks.casefold())
    kept = re.escape(keep) if keep else ""
    punctuation = rf"(?!{_DECIMAL_POINT})(?!{_MINUS_SIGN})[^\w\s{kept}]|_"
    words = re.sub(punctuation, " ", _JOINING.sub("", folded)).split()
    return " ".join(_canonical_number(w) for w in words)


def _canonical_number(word: str) -> str:
    # "3.50" and "3.5" are one number, ".5" is "0.5"; "007" is kept as typed (a code).
    match = _NUMBER.match(word)
    if not match or not any(c.isdigit() for c in word) or "." not in word:
        return word
    sign = "-" if word.startswith("-") else ""
    whole, fraction = match.group(1) or "0", (match.group(2) or "").rstrip("0").rstrip(".")
    number = whole + fraction
    return "0" if number == "0" else sign + number


def as_number(text: str) -> Decimal | None:
    """The number `text` spells as a whole answer ("-1 000,5"), or None if it is not one."""
    folded = unicodedata.normalize("NFKC", text.translate(_MINUS_SIGNS)).strip()
    signed = folded[:1] in ("+", "-")
    sign, body = (folded[0], folded[1:].lstrip()) if signed else ("", folded)
    if _PLAIN_NUMBER.fullmatch(body):
        digits = body
    elif (comma := _DECIMAL_COMMA.fullmatch(body)) and len(comma.group(2)) != 3:
        digits = f"{comma.group(1)}.{comma.group(2)}"
    elif (grouped := _GROUPED_NUMBER.fullmatch(body)) and grouped["sep"] != grouped["dec"]:
        whole, _, fraction = body.partition(grouped["dec"]) if grouped["dec"] else (body, "", "")
        digits = re.sub(r"\D", "", whole) + (f".{fraction}" if fraction else "")
    else:
        return None
    # A leading zero makes a code ("007"), which is compared as text.
    if len(digits) > 1 and digits[0] == "0" and digits[1] != ".":
        return None
    return Decimal(sign.replace("+", "") + digits)


def plain_form(text: str) -> str:
    """Fold only case, spacing and Unicode composition: how a picked choice is compared,
    and a typed answer made of symbols alone ("Café" composed or not, "  C++ " -> "c++")."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def grade_typed(given: str, answer: str, accepted: Iterable[str] = ()) -> Verdict:
    """Grade a typed answer against the answer and its accepted aliases."""
    normalized = normalize(given)
    candidates = [(answer, None), *((alias, alias) for alias in accepted)]
    if not given.strip():
        return Verdict(is_correct=False, normalized=normalized)
    for text, alias in candidates:
        if _same(given, text):
            return Verdict(is_correct=True, normalized=normalized, matched_alias=alias)
    for text, alias in candidates:
        if as_number(text) is None and _close_enough(*_normalized_pair(given, text)):
            return Verdict(
                is_correct=True, normalized=normalized, matched_alias=alias, was_fuzzy=True
            )
    return Verdict(is_correct=False, normalized=normalized)


def _normalized_pair(given: str, expected: str) -> tuple[str, str]:
    keep = "".join(c for c in MEANINGFUL_SYMBOLS if c in given or c in expected)
    return normalize(given, keep), normalize(expected, keep)


def _same(given: str, expected: str) -> bool:
    number = as_number(expected)
    if number is not None:
        return as_number(given) == number
    mine, theirs = _normalized_pair(given, expected)
    # Nothing left after folding ("🍎", "?", "-"): the symbols are the answer.
    if not mine or not theirs:
        return plain_form(given) == plain_form(expected)
    return mine == theirs


def grade_choice(given: str, answer: str, choices: Sequence[str] = ()) -> Verdict:
    """Grade a picked choice (mcq, true/false). One of the question's choices is right only
    when it is the answer's own (the loader makes the answer one of them): two choices may
    differ in nothing but case or spacing ('PYTHON' and 'Python', "'  hi'" and "' hi'").
    Other text, a choice typed out, is compared apart from case, spacing and composition."""
    normalized = plain_form(given)
    if given in choices:
        return Verdict(is_correct=given == answer, normalized=normalized)
    return Verdict(is_correct=normalized == plain_form(answer), normalized=normalized)


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
    if _is_another_word(given, expected):
        return False
    return OSA.distance(given, expected, score_cutoff=MAX_TYPOS_PER_WORD) <= MAX_TYPOS_PER_WORD


def _is_another_word(given: str, expected: str) -> bool:
    substitution = len(given) == len(expected) and (
        sum(g != e for g, e in zip(given, expected, strict=True)) == 1
    )
    if not substitution:
        return False
    # Imported here, at the first typed answer that needs it: wordfreq (and the ftfy it
    # loads) takes 0.1 to 0.5 s, which every study page would otherwise pay before its first
    # paint (docs/performance.md); ui/warm_up.py imports it after Home is drawn.
    from wordfreq import zipf_frequency

    return zipf_frequency(given, "en") >= REAL_WORD_ZIPF


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
    return grade_choice(given, question.answer, question.choices)
