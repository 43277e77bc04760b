"""Grading, table-driven: what a learner would call right, and what a near miss must not pass."""

from decimal import Decimal

import pytest

from studygame.domain.grading import as_number, grade_choice, grade_typed, normalize, plain_form


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("  Paris ", "paris"),
        ("PARIS", "paris"),
        ("Ça  va,\tZoë!", "ca va zoe"),
        ("São Paulo", "sao paulo"),
        ("Straße", "strasse"),
        ("ﬁre", "fire"),  # the fi ligature, folded by NFKD
        ("rock-'n'-roll", "rock n roll"),
        ("3.14", "3.14"),
        ("3.50", "3.5"),
        ("3.0", "3"),
        ("1,000,000", "1000000"),
        ("H₂O", "h2o"),
        ("end.", "end"),
        ("O'Brien", "obrien"),
        ("don\u2019t", "dont"),  # a typographic apostrophe
        ("", ""),
    ],
)
def test_normalize_folds_case_accents_punctuation_and_spacing(text, normalized):
    assert normalize(text) == normalized


# (given, answer, accepted, is_correct, was_fuzzy)
TYPED_CASES = [
    # exact after normalising
    ("Paris", "Paris", (), True, False),
    ("paris", "Paris", (), True, False),
    ("  PARIS!  ", "Paris", (), True, False),
    ("Sao Paulo", "São Paulo", (), True, False),
    ("são paulo", "Sao Paulo", (), True, False),
    ("Zoe", "Zoë", (), True, False),
    ("creme brulee", "Crème brûlée", (), True, False),
    ("Mitochondria.", "mitochondria", (), True, False),
    ("george   washington", "George Washington", (), True, False),
    ("rock n roll", "rock 'n' roll", (), True, False),
    # aliases
    ("USA", "United States", ("USA", "US"), True, False),
    ("us", "United States", ("USA", "US"), True, False),
    ("united states of america", "United States", ("United States of America",), True, False),
    ("Unitd States of America", "United States", ("United States of America",), True, True),
    ("UK", "United States", ("USA", "US"), False, False),
    # one typo in a long word
    ("Mitochondira", "mitochondria", (), True, True),  # swap
    ("mitocondria", "mitochondria", (), True, True),  # missing letter
    ("photosynthesys", "photosynthesis", (), True, True),  # wrong letter
    ("Amsterdamm", "Amsterdam", (), True, True),  # extra letter
    ("Lodnon", "London", (), True, True),
    ("Einstien", "Einstein", (), True, True),
    ("george washingon", "George Washington", (), True, True),
    ("Georg Washingtn", "George Washington", (), True, True),  # one typo in each word
    ("the Eifel Tower", "Eiffel Tower", (), True, True),  # a leading article is ignored
    ("newyork", "New York", (), True, True),  # a missing space
    ("ice cream", "icecream", (), True, True),  # an extra space
    # two typos in one word, or a different word
    ("mitcohondira", "mitochondria", (), False, False),
    ("photosintesys", "photosynthesis", (), False, False),
    ("Austria", "Australia", (), False, False),
    ("Nigeria", "Niger", (), False, False),
    ("Iraq", "Iran", (), False, False),  # 4 letters: a substitution is another word
    ("horse", "house", (), False, False),
    ("pear", "bear", (), False, False),
    ("mouse", "house", (), False, False),
    ("Bondon", "London", (), False, False),  # the first letter must match
    ("John Adams", "John Quincy Adams", (), False, False),  # a word missing
    ("Washington George", "George Washington", (), False, False),  # words out of order
    # short words: only a swap of neighbours in 4-5 letters, nothing in 3 or fewer
    ("Pairs", "Paris", (), True, True),
    ("Prais", "Paris", (), True, True),
    ("Piras", "Paris", (), False, False),  # swapped, but not neighbours
    ("Pari", "Paris", (), False, False),
    ("cat", "bat", (), False, False),
    ("Fe", "Fr", (), False, False),
    ("fe", "Fe", (), True, False),
    ("oxgen", "O", (), False, False),
    # numbers: exact, but formatting is forgiven
    ("1945", "1945", (), True, False),
    ("1946", "1945", (), False, False),
    ("1954", "1945", (), False, False),  # a swap is a different year
    ("3.14", "3.14", (), True, False),
    ("3.15", "3.14", (), False, False),
    ("3.140", "3.14", (), True, False),
    ("1,000", "1000", (), True, False),
    ("1 000", "1000", (), True, False),
    ("12 3", "123", (), False, False),
    ("Apollo 11", "Apollo 11", (), True, False),
    ("Apolo 11", "Apollo 11", (), True, True),
    ("Apollo 13", "Apollo 11", (), False, False),
    ("World War 1", "World War 2", ("WWII",), False, False),
    # numbers compare as numbers: sign, decimal point, thousands separators
    ("40", "-40", (), False, False),
    ("-40", "-40", (), True, False),
    ("\u221240", "-40", (), True, False),  # a typographic minus
    ("- 40", "-40", (), True, False),
    ("5", "-5", (), False, False),
    ("-5", "5", (), False, False),
    ("+5", "5", (), True, False),
    (".5", "5", (), False, False),
    ("0.5", ".5", (), True, False),
    (".5", "0.5", (), True, False),
    ("0,5", "0.5", (), True, False),  # a decimal comma
    ("-0", "0", (), True, False),
    ("1,000", "1000", (), True, False),
    ("1\u00a0000", "1000", (), True, False),  # no-break space
    ("1\u202f000", "1000", (), True, False),  # narrow no-break space
    ("1_000", "1000", (), True, False),
    ("1'000", "1000", (), True, False),
    ("1.000.000", "1000000", (), True, False),
    ("1.000,5", "1000.5", (), True, False),
    ("1,000.5", "1000.5", (), True, False),
    ("1.000", "1000", (), False, False),  # one dot is a decimal point: this is 1
    ("1,00", "1", (), True, False),  # not three digits after the comma: a decimal comma
    ("10 00", "1000", (), False, False),
    ("1,0000", "10000", (), False, False),
    ("1 000", "1 000", (), True, False),
    ("1024", "1024", (), True, False),
    ("1,024", "1024", (), True, False),
    ("7", "007", (), False, False),  # a leading zero makes a code, not a count
    ("007", "007", (), True, False),
    ("seven", "7", ("seven",), True, False),
    ("-40 degrees", "-40 degrees", (), True, False),
    ("40 degrees", "-40 degrees", (), False, False),
    # symbols that change the meaning
    ("C", "C++", (), False, False),
    ("C#", "C++", (), False, False),
    ("c++", "C++", (), True, False),
    ("C++", "C", (), False, False),
    ("F", "F#", (), False, False),
    ("f#", "F#", (), True, False),
    ("A+", "A", (), False, False),
    # nothing but symbols or emoji: exact
    ("🍎", "🍎", (), True, False),
    ("🍌", "🍎", (), False, False),
    ("?", "?", (), True, False),
    ("!", "?", (), False, False),
    ("-", "-", (), True, False),
    ("+", "-", (), False, False),
    ("Paris", "🍎", (), False, False),
    ("🍎", "Paris", (), False, False),
    # a one-letter substitution that spells another real word
    ("Ireland", "Iceland", (), False, False),
    ("Iceland", "Ireland", (), False, False),
    ("Austria", "Australia", (), False, False),
    ("Icelanb", "Iceland", (), True, True),  # not a word: a typo
    ("Cheetas", "Cheetah", (), True, True),
    # nothing typed
    ("", "Paris", (), False, False),
    ("  ?! ", "Paris", (), False, False),
]


@pytest.mark.parametrize(
    ("given", "answer", "accepted", "is_correct", "was_fuzzy"),
    TYPED_CASES,
    ids=[f"{c[0]!r}~{c[1]!r}" for c in TYPED_CASES],
)
def test_grade_typed(given, answer, accepted, is_correct, was_fuzzy):
    verdict = grade_typed(given, answer, accepted)
    assert (verdict.is_correct, verdict.was_fuzzy) == (is_correct, was_fuzzy)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1000", "1000"),
        ("-1 000,5", "-1000.5"),
        (" +.5 ", "0.5"),
        ("1.000.000", "1000000"),
        ("1,000,000.25", "1000000.25"),
        ("", None),
        ("-", None),
        ("+", None),
        ("1,000.000,5", None),
        ("1.000,000.5", None),
        ("1 00", None),
        ("007", None),
        ("12abc", None),
        ("NaN", None),
        ("inf", None),
        ("1e3", None),
    ],
)
def test_as_number(text, number):
    assert as_number(text) == (None if number is None else Decimal(number))


def test_verdict_names_the_alias_that_matched():
    verdict = grade_typed("U.S.A.", "United States", ["USA", "US"])
    assert verdict.matched_alias == "USA"
    assert verdict.normalized == "usa"


def test_verdict_has_no_alias_when_the_answer_itself_matched():
    verdict = grade_typed("united states", "United States", ["USA"])
    assert verdict.matched_alias is None
    assert verdict.normalized == "united states"


def test_an_exact_alias_wins_over_a_fuzzy_answer():
    verdict = grade_typed("Bombay", "Mumbai", ["Bombay"])
    assert (verdict.matched_alias, verdict.was_fuzzy) == ("Bombay", False)


@pytest.mark.parametrize(
    ("given", "answer", "is_correct"),
    [
        ("Mercury", "Mercury", True),
        ("mercury ", "Mercury", True),
        ("Venus", "Mercury", False),
        ("Mercur", "Mercury", False),  # choices never fuzzy-match
        ("True", "True", True),
        ("true", "True", True),
        ("False", "True", False),
        ("3.14", "3.14", True),
        ("3.140", "3.14", False),
        ("Cafe\u0301", "Caf\u00e9", True),  # the same letters, composed or not
        ("C++", "C#", False),
    ],
)
def test_grade_choice_is_exact(given, answer, is_correct):
    verdict = grade_choice(given, answer)
    assert verdict.is_correct is is_correct
    assert verdict.was_fuzzy is False


@pytest.mark.parametrize(
    ("choices", "answer"),
    [
        (("'Python'", "'PYTHON'", "'python'"), "'Python'"),  # 'python'.title(): case is the point
        (("' hi'", "'  hi'"), "' hi'"),  # code keeps its spaces
        (("True", "true"), "True"),
    ],
)
def test_a_choice_that_differs_from_the_answer_only_in_case_or_spacing_is_wrong(choices, answer):
    for picked in choices:
        verdict = grade_choice(picked, answer, choices)
        assert verdict.is_correct is (picked == answer), picked


@pytest.mark.parametrize("answer", ["Caf\u00e9", "🍎", "C++", "  New   York "])
def test_a_choice_and_a_typed_answer_fold_the_same_way(answer):
    # One normaliser: the text of a choice typed out is right exactly when it is picked.
    typed_variant = plain_form(answer).upper() if answer.isascii() else f" {answer} "
    assert grade_choice(typed_variant, answer).is_correct
    assert grade_typed(typed_variant, answer).is_correct
    assert grade_choice(typed_variant, answer).normalized == plain_form(answer)
