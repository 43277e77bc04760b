"""parse_question: the canonical shape, every alias, type inference, every broken shape."""

import pytest
from bson import ObjectId

from studygame.domain.questions import BadQuestion, Question, parse_question

CAPITAL = {
    "_id": "geo-001",
    "deck": "Geography",
    "topic": "Capitals",
    "tags": ["europe", "capitals"],
    "type": "mcq",
    "prompt": "What is the capital of France?",
    "choices": ["Lyon", "Paris", "Nice"],
    "answer": "Paris",
    "explanation": "Paris has been the capital since 987.",
    "difficulty": 1,
}


def with_(base: dict, **changes) -> dict:
    """`base` with some keys replaced; a value of None removes the key."""
    doc = {**base, **changes}
    return {k: v for k, v in doc.items() if v is not None}


def test_the_canonical_shape_is_read_field_by_field():
    assert parse_question(CAPITAL) == Question(
        id="geo-001",
        deck="Geography",
        topic="Capitals",
        tags=("europe", "capitals"),
        type="mcq",
        prompt="What is the capital of France?",
        choices=("Lyon", "Paris", "Nice"),
        answer="Paris",
        accepted=(),
        explanation="Paris has been the capital since 987.",
        difficulty=1,
    )


def test_an_object_id_becomes_its_24_hex_string():
    oid = ObjectId("65f0c0ffee0000000000abcd")
    assert parse_question(with_(CAPITAL, _id=oid)).id == "65f0c0ffee0000000000abcd"


@pytest.mark.parametrize(
    ("alias", "field", "value"),
    [
        ({"deck": None, "set": "Geo set"}, "deck", "Geo set"),
        ({"deck": None, "collection": "Geo coll"}, "deck", "Geo coll"),
        ({"deck": None, "subject": "Geo subj"}, "deck", "Geo subj"),
        ({"deck": None}, "deck", "Unsorted"),
        ({"topic": None, "category": "Cat"}, "topic", "Cat"),
        ({"topic": None, "chapter": "Ch. 2"}, "topic", "Ch. 2"),
        ({"topic": None}, "topic", None),
        ({"prompt": None, "question": "Q?"}, "prompt", "Q?"),
        ({"prompt": None, "text": "T?"}, "prompt", "T?"),
        ({"prompt": None, "front": "F?", "type": "mcq"}, "prompt", "F?"),
        ({"choices": None, "options": ["Paris", "Rome"]}, "choices", ("Paris", "Rome")),
        ({"choices": None, "answers": ["Rome", "Paris"]}, "choices", ("Rome", "Paris")),
        ({"answer": None, "correct": "Paris"}, "answer", "Paris"),
        ({"answer": None, "correct_answer": "Paris"}, "answer", "Paris"),
        ({"answer": None, "back": "Paris", "type": "mcq"}, "answer", "Paris"),
        ({"answer": 1}, "answer", "Paris"),
        ({"answer": 1.0}, "answer", "Paris"),
        ({"answer": None, "correct_index": 2}, "answer", "Nice"),
        ({"answer": "  paris "}, "answer", "Paris"),
        ({"choices": ["paris", "Paris"], "answer": "Paris"}, "answer", "Paris"),
        ({"tags": "europe"}, "tags", ("europe",)),
        ({"tags": None}, "tags", ()),
        ({"explanation": None}, "explanation", None),
        ({"explanation": "  "}, "explanation", None),
        ({"difficulty": "easy"}, "difficulty", 1),
        ({"difficulty": "Medium"}, "difficulty", 3),
        ({"difficulty": "HARD"}, "difficulty", 5),
        ({"difficulty": 4.0}, "difficulty", 4),
        ({"difficulty": "2"}, "difficulty", 2),
        ({"difficulty": None}, "difficulty", None),
        ({"type": "Multiple choice"}, "type", "mcq"),
        ({"prompt": "  Capital of France? "}, "prompt", "Capital of France?"),
    ],
)
def test_every_alias_is_read(alias, field, value):
    assert getattr(parse_question(with_(CAPITAL, **alias)), field) == value


TF = ("True", "False")
TYPED = {"_id": "t1", "deck": "D", "prompt": "Chemical symbol for gold?", "answer": "Au"}


@pytest.mark.parametrize(
    ("doc", "accepted"),
    [
        (with_(TYPED, accepted=["au", "AU."]), ("AU.",)),
        (with_(TYPED, aliases=["Aurum"]), ("Aurum",)),
        (with_(TYPED, aliases="Aurum"), ("Aurum",)),
        (with_(TYPED, answer=["Au", "Aurum"], accepted=["gold symbol"]), ("Aurum", "gold symbol")),
        (TYPED, ()),
    ],
)
def test_typed_answers_collect_their_accepted_aliases(doc, accepted):
    question = parse_question(doc)
    assert (question.type, question.answer, question.accepted) == ("typed", "Au", accepted)


@pytest.mark.parametrize(
    ("changes", "expected_type", "answer", "choices"),
    [
        ({}, "typed", "Au", ()),
        ({"choices": ["Au", "Ag"]}, "mcq", "Au", ("Au", "Ag")),
        ({"choices": ["True", "False"], "answer": "false"}, "truefalse", "False", TF),
        ({"choices": ["true", "false"], "answer": 0}, "truefalse", "True", TF),
        ({"answer": True}, "truefalse", "True", TF),
        ({"answer": None, "correct": False}, "truefalse", "False", TF),
        ({"answer": "TRUE"}, "truefalse", "True", TF),
        ({"prompt": None, "front": "Au", "answer": None, "back": "Gold"}, "flashcard", "Gold", ()),
        ({"answer": None, "back": "Gold"}, "flashcard", "Gold", ()),
        ({"answer": "It is gold, from the Latin aurum"}, "flashcard", None, ()),
        ({"type": "flashcard", "choices": ["Au", "Ag"]}, "flashcard", "Au", ()),
        ({"type": "true-false", "answer": "true"}, "truefalse", "True", TF),
        ({"type": "TF", "answer": "False"}, "truefalse", "False", TF),
        ({"type": "typed"}, "typed", "Au", ()),
        ({"answer": 1024}, "typed", "1024", ()),
        ({"answer": 1024.0}, "typed", "1024", ()),
        ({"answer": 3.14}, "typed", "3.14", ()),
    ],
)
def test_the_type_is_inferred_or_normalised(changes, expected_type, answer, choices):
    question = parse_question(with_(TYPED, **changes))
    assert question.type == expected_type
    assert question.choices == choices
    if answer is not None:
        assert question.answer == answer


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ("not a dict", "The document is not an object."),
        (with_(CAPITAL, _id=None), "The document has no _id."),
        (with_(CAPITAL, prompt=None), "The document has no prompt"),
        (with_(CAPITAL, prompt="   "), "The document has no prompt"),
        (with_(CAPITAL, prompt=42), "The prompt (prompt) is not text."),
        (with_(CAPITAL, prompt=None, question=["a"]), "The prompt (question) is not text."),
        (with_(CAPITAL, answer=None), "The document has no answer"),
        (with_(CAPITAL, answer=""), "The document has no answer"),
        (with_(CAPITAL, answer="  "), "The answer is empty."),
        (with_(CAPITAL, answer=[]), "The document has no answer"),
        (with_(CAPITAL, answer=[" "]), "The answer list is empty."),
        (with_(CAPITAL, answer=3), "The answer index 3 is out of range: 3 choices."),
        (with_(CAPITAL, answer=-1), "The answer index -1 is out of range: 3 choices."),
        (with_(CAPITAL, answer=None, correct_index=7), "The answer index 7 is out of range"),
        (with_(CAPITAL, answer=None, correct_index="1"), "The correct_index is not a whole"),
        (with_(CAPITAL, answer=1.5), "The answer index 1.5 is not a whole number."),
        (with_(CAPITAL, answer={"text": "Paris"}), "The answer (answer) is not text"),
        (with_(TYPED, answer=None, correct_index=2), "The correct_index is 2 but there are no"),
        (with_(CAPITAL, answer="Marseille"), "The answer 'Marseille' is not one of the choices."),
        (with_(CAPITAL, answer=["Paris", "Lyon"]), "A multiple-choice question has one answer"),
        (with_(CAPITAL, choices=["Paris"]), "A multiple-choice question needs at least two"),
        (with_(CAPITAL, choices=None), "A multiple-choice question needs at least two"),
        (with_(CAPITAL, choices=["Paris", " Paris"]), "Two of the choices are the same."),
        (with_(CAPITAL, choices=["PARIS", "paris"]), "The answer 'Paris' is not one of the"),
        (with_(CAPITAL, choices="Paris, Lyon"), "The choices (choices) must be a list of"),
        (with_(CAPITAL, choices=None, options=[1, 2]), "The choices (options) must be a list"),
        (
            with_(CAPITAL, choices=["", "Paris", "Lyon"], answer=1),
            "One of the choices (choices) is",
        ),
        (with_(CAPITAL, type="essay"), "The type 'essay' is not mcq, truefalse, typed or flash"),
        (with_(CAPITAL, type=3), "The type 3 is not mcq"),
        (with_(CAPITAL, type="truefalse"), "A true/false question needs the answer True or False"),
        (with_(CAPITAL, deck=7), "The deck (deck) is not text."),
        (with_(CAPITAL, deck=None, subject=["a"]), "The deck (subject) is not text."),
        (with_(CAPITAL, topic=1), "The topic (topic) is not text."),
        (with_(CAPITAL, tags=[1]), "The tags must be a list of text."),
        (with_(CAPITAL, tags={"a": 1}), "The tags must be a list of text."),
        (with_(CAPITAL, explanation=["x"]), "The explanation (explanation) is not text."),
        (with_(TYPED, accepted=[None]), "The accepted answers (accepted) must be a list of text."),
        (with_(TYPED, aliases=3), "The accepted answers (aliases) must be a list of text."),
        (with_(CAPITAL, difficulty=0), "The difficulty 0 is not 1 to 5, easy, medium or hard."),
        (with_(CAPITAL, difficulty=6), "The difficulty 6 is not 1 to 5"),
        (with_(CAPITAL, difficulty="brutal"), "The difficulty 'brutal' is not 1 to 5"),
        (with_(CAPITAL, difficulty=2.5), "The difficulty 2.5 is not 1 to 5"),
        (with_(CAPITAL, difficulty=True), "The difficulty True is not 1 to 5"),
    ],
)
def test_a_broken_document_raises_one_sentence(doc, reason):
    with pytest.raises(BadQuestion) as raised:
        parse_question(doc)
    assert raised.value.reason.startswith(reason)
    assert raised.value.reason.endswith(".")
    assert "\n" not in raised.value.reason


def test_parsing_does_not_change_the_document():
    doc = with_(CAPITAL, tags=["europe"])
    before = repr(doc)
    parse_question(doc)
    assert repr(doc) == before


TOO_LONG = "x" * 2001
# Hostile or accidental data: each must be refused with a reason naming the field.
HOSTILE_DOCS = [
    (with_(CAPITAL, difficulty="²"), "The difficulty '²' is not 1 to 5"),
    (with_(CAPITAL, difficulty="٣"), "The difficulty '٣' is not 1 to 5"),
    (with_(CAPITAL, difficulty=float("nan")), "The difficulty nan is not 1 to 5"),
    (with_(CAPITAL, difficulty=float("inf")), "The difficulty inf is not 1 to 5"),
    (with_(TYPED, answer=float("nan")), "The answer (answer) is nan, not a number anyone"),
    (with_(TYPED, answer=float("inf")), "The answer (answer) is inf, not a number anyone"),
    (with_(TYPED, answer=float("-inf")), "The answer (answer) is -inf"),
    (with_(CAPITAL, answer=float("nan")), "The answer (answer) is nan"),
    (with_(CAPITAL, _id=""), "The _id is blank."),
    (with_(CAPITAL, _id="   "), "The _id is blank."),
    (with_(CAPITAL, _id=" geo-1"), "The _id has spaces in it."),
    (with_(CAPITAL, _id="geo 1"), "The _id has spaces in it."),
    (with_(CAPITAL, _id="geo\x001"), "There is a control character (U+0000) in the _id."),
    (with_(CAPITAL, _id=True), "The _id must be text, a whole number or an ObjectId."),
    (with_(CAPITAL, _id=1.5), "The _id must be text"),
    (with_(CAPITAL, _id=b"geo"), "The _id must be text"),
    (with_(CAPITAL, _id={"a": 1}), "The _id must be text"),
    (with_(CAPITAL, _id=["a"]), "The _id must be text"),
    (with_(CAPITAL, prompt={"en": "Hi"}), "The prompt (prompt) is not text."),
    (with_(CAPITAL, prompt=b"Hi"), "The prompt (prompt) is not text."),
    (with_(CAPITAL, prompt=True), "The prompt (prompt) is not text."),
    (with_(CAPITAL, deck={"a": 1}), "The deck (deck) is not text."),
    (with_(CAPITAL, deck=b"Geo"), "The deck (deck) is not text."),
    (with_(CAPITAL, topic=["a"]), "The topic (topic) is not text."),
    (with_(CAPITAL, topic=True), "The topic (topic) is not text."),
    (with_(CAPITAL, explanation={"a": 1}), "The explanation (explanation) is not text."),
    (with_(CAPITAL, explanation=b"x"), "The explanation (explanation) is not text."),
    (with_(CAPITAL, choices=[b"a", b"b"]), "The choices (choices) must be a list of text."),
    (with_(CAPITAL, choices=[True, False]), "The choices (choices) must be a list of text."),
    (with_(CAPITAL, choices={"a": 1}), "The choices (choices) must be a list of text."),
    (with_(TYPED, answer=b"Au"), "The answer (answer) is not text"),
    (with_(TYPED, accepted=[{"a": 1}]), "The accepted answers (accepted) must be a list"),
    (with_(CAPITAL, tags=[b"x"]), "The tags must be a list of text."),
    (
        with_(CAPITAL, prompt="Capital\x00 of France?"),
        "There is a control character (U+0000) in the prompt (prompt).",
    ),
    (
        with_(CAPITAL, prompt="Capital\x1b[31m?"),
        "There is a control character (U+001B) in the prompt",
    ),
    (
        with_(CAPITAL, prompt="Capital \ud800?"),
        "There is a broken character (a lone surrogate) in the prompt",
    ),
    (
        with_(CAPITAL, prompt="Capital \u202eecnarF?"),
        "There is an invisible formatting character (U+202E) in the prompt",
    ),
    (
        with_(CAPITAL, prompt="Capital \u2066x\u2069?"),
        "There is an invisible formatting character (U+2066) in the prompt",
    ),
    (
        with_(CAPITAL, prompt="Cap\u200bital?"),
        "There is an invisible formatting character (U+200B) in the prompt",
    ),
    (
        with_(CAPITAL, prompt="\ufeffCapital?"),
        "There is an invisible formatting character (U+FEFF) in the prompt",
    ),
    (with_(CAPITAL, prompt=TOO_LONG), "The prompt (prompt) is longer than 2000 characters."),
    (with_(CAPITAL, explanation=TOO_LONG), "The explanation (explanation) is longer than"),
    (
        with_(CAPITAL, choices=["Lyon", "Pa\u202eris", "Nice"]),
        "There is an invisible formatting character (U+202E) in the choices (choices).",
    ),
    (
        with_(TYPED, answer="A\x00u"),
        "There is a control character (U+0000) in the answer (answer).",
    ),
    (
        with_(TYPED, accepted=["g\u200bold"]),
        "There is an invisible formatting character (U+200B) in the accepted answers (accepted).",
    ),
    (with_(CAPITAL, deck="Geo\x07"), "There is a control character (U+0007) in the deck (deck)."),
    (
        with_(CAPITAL, topic="\u202eCapitals"),
        "There is an invisible formatting character (U+202E) in the topic (topic).",
    ),
    (with_(CAPITAL, tags=["eu\x00"]), "There is a control character (U+0000) in the tags."),
    (
        with_(CAPITAL, _id="geo-\ud800"),
        "There is a broken character (a lone surrogate) in the _id.",
    ),
]


@pytest.mark.parametrize(("doc", "reason"), HOSTILE_DOCS, ids=[r for _, r in HOSTILE_DOCS])
def test_hostile_data_is_refused_with_a_reason(doc, reason):
    with pytest.raises(BadQuestion) as raised:
        parse_question(doc)
    assert raised.value.reason.startswith(reason)
    assert raised.value.reason.endswith(".")


@pytest.mark.parametrize(
    "prompt",
    [
        "Line one\nline two?",
        "Tab\tseparated?",
        "Family emoji 👨\u200d👩\u200d👧?",  # zero-width joiners hold an emoji sequence together
        "Flag of Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f?",
        # A zero-width non-joiner is part of Persian spelling.
        "Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645?",
        "x" * 2000,
    ],
)
def test_readable_text_is_kept(prompt):
    assert parse_question(with_(CAPITAL, prompt=prompt)).prompt == prompt.strip()


@pytest.mark.parametrize(
    ("alias", "image"),
    [
        ({"image": "https://example.org/flags/fr.png"}, "https://example.org/flags/fr.png"),
        ({"image_url": "https://example.org/a.jpg"}, "https://example.org/a.jpg"),
        ({"img": "media:paris.jpg"}, "media:paris.jpg"),
        ({"image": "media:" + "ab" * 32}, "media:" + "ab" * 32),
        ({}, None),
    ],
)
def test_an_image_is_an_https_address_or_a_stored_image(alias, image):
    assert parse_question(with_(CAPITAL, **alias)).image == image


def test_the_explanation_has_an_image_of_its_own_under_the_same_rule():
    doc = with_(CAPITAL, explanation_image="media:eiffel.png")
    assert parse_question(doc).explanation_image == "media:eiffel.png"
    with pytest.raises(BadQuestion, match="The explanation image must be an https:// address"):
        parse_question(with_(CAPITAL, explanation_image="http://example.org/a.png"))


@pytest.mark.parametrize(
    "image",
    [
        "http://example.org/a.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "https://example.org/a b.png",
        "https:///a.png",
        "media:",
        "media:../secret",
        "media:a\\b",
        "media:" + "x" * 201,
    ],
)
def test_an_image_that_is_neither_is_refused_with_one_sentence(image):
    with pytest.raises(BadQuestion) as refused:
        parse_question(with_(CAPITAL, image=image))
    assert refused.value.reason.count(".") == 1
