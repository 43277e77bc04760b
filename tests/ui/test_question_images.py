"""A card's images on screen: the prompt's with the question, the explanation's after the answer."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def explanation_screen(**fields) -> AppTest:
    def script(fields: dict) -> None:
        from studygame.domain.questions import parse_question
        from studygame.ui.question_widgets import render_explanation

        render_explanation(parse_question({"_id": "q", "prompt": "p", "answer": "a", **fields}))

    app = AppTest.from_function(script, args=(fields,))
    app.run()
    assert not app.exception, app.exception
    return app


def test_the_explanation_shows_its_image_after_the_text():
    app = explanation_screen(
        explanation="Built in 1889.", explanation_image="https://example.org/eiffel.png"
    )
    assert [c.value for c in app.caption] == [r"Built in 1889\."]  # safe_markdown escapes
    (image,) = app.get("image")
    assert image.proto.imgs[0].url == "https://example.org/eiffel.png"


def test_without_an_explanation_image_nothing_is_drawn():
    assert explanation_screen(explanation="Just words.").get("image") == []
