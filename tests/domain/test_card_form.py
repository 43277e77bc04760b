"""The Cards page's form: the learner's fields become the bank's document and back."""

from __future__ import annotations

import pytest

from studygame.domain.card_form import CardForm, lines, matches
from studygame.domain.questions import parse_question


def read(form: CardForm):
    """The form's document as the bank reads it."""
    return parse_question({"_id": "own-1", **form.document()})


def test_lines_drops_blank_lines_and_spaces():
    assert lines("  Lima \n\n Cusco\n  ") == ["Lima", "Cusco"]


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            CardForm("flashcard", deck="Bio", prompt="Mitosis?", answer="Cell division."),
            ("flashcard", "Bio", "Cell division.", ()),
        ),
        (
            CardForm("mcq", deck="Geo", prompt="Capital of Peru?", answer="Lima",
                     wrong_choices="Quito\n\nBogotá\n"),
            ("mcq", "Geo", "Lima", ("Lima", "Quito", "Bogotá")),
        ),
        (
            CardForm("truefalse", deck="Geo", prompt="Lima is in Peru.", answer="True"),
            ("truefalse", "Geo", "True", ("True", "False")),
        ),
        (
            CardForm("typed", deck=" Geo ", prompt="Capital of Peru?", answer=" Lima ",
                     accepted="Ciudad de los Reyes\n"),
            ("typed", "Geo", "Lima", ()),
        ),
    ],
)  # fmt: skip
def test_each_type_becomes_a_question_of_that_type(form, expected):
    question = read(form)
    assert (question.type, question.deck, question.answer, question.choices) == expected


def test_a_typed_card_keeps_its_accepted_answers_and_optional_fields():
    form = CardForm(
        "typed",
        deck="Geo",
        prompt="Capital of Peru?",
        answer="Lima",
        accepted="Ciudad de los Reyes",
        topic=" Capitals ",
        explanation="On the coast.",
        image="https://example.org/lima.png",
    )
    question = read(form)
    assert question.accepted == ("Ciudad de los Reyes",)
    assert (question.topic, question.explanation, question.image) == (
        "Capitals",
        "On the coast.",
        "https://example.org/lima.png",
    )


def test_a_blank_multiple_choice_answer_is_not_a_blank_choice():
    assert CardForm("mcq", prompt="p", wrong_choices="a\nb").document()["choices"] == ["a", "b"]


@pytest.mark.parametrize(
    "form",
    [
        CardForm("mcq", deck="Geo", prompt="Capital?", answer="Lima", wrong_choices="Quito"),
        CardForm("truefalse", deck="Geo", prompt="Lima is in Peru.", answer="False"),
        CardForm("typed", deck="Geo", prompt="Capital?", answer="Lima", accepted="Rimac",
                 topic="Capitals", explanation="Coast.", image="media:abc"),
        CardForm("flashcard", deck="Bio", prompt="Mitosis?", answer="Division.",
                 tags=("cells",), difficulty=3),
    ],
)  # fmt: skip
def test_a_card_read_back_into_the_form_is_the_same_form(form):
    assert CardForm.from_question(read(form)) == form


@pytest.mark.parametrize(
    ("text", "found"),
    [("", True), ("peru", True), ("LIMA", True), ("coast", True), ("quito", False)],
)
def test_search_looks_in_prompt_answer_and_explanation_in_any_case(text, found):
    question = read(
        CardForm("typed", prompt="Capital of Peru?", answer="Lima", explanation="On the coast.")
    )
    assert matches(question, text) is found
