"""The Cards page's import: pasted cards previewed, mapped, then imported once; export buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from studygame.domain.markup import safe_markdown
from studygame.models import OwnCard

ROOT = Path(__file__).resolve().parents[2]
QUIZLET = "hola\thello\nadiós\tgoodbye\ngracias\tthank you\n"


@pytest.fixture(autouse=True)
def fresh_caches():
    """The own-cards bank is cached per process: each test's database starts unseen."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def pasted(text: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "pages/10_Cards.py"), default_timeout=30)
    app.run()
    app.text_area(key="cards-paste").input(text).run()
    assert not app.exception, app.exception
    return app


def import_button(app: AppTest):
    return next(b for b in app.button if b.label.startswith("Import "))


def stored(committed_db) -> int:
    committed_db.rollback()
    return committed_db.scalar(select(func.count()).select_from(OwnCard))


def test_pasted_cards_are_previewed_and_nothing_is_written_until_import(committed_db):
    app = pasted(QUIZLET)
    shown = [m.value for m in app.markdown]
    assert "**3 cards ready**; 0 left out." in shown
    assert app.dataframe[0].value.shape == (3, 2)
    assert stored(committed_db) == 0
    import_button(app).click().run()
    assert [s.value for s in app.success] == ["3 cards added, 0 already there."]
    assert stored(committed_db) == 3


def test_the_result_stays_through_later_reruns_until_the_file_changes(committed_db):
    app = pasted(QUIZLET)
    import_button(app).click().run()
    app.run()  # an expander opened or the list redrawn: the learner still sees what happened
    assert [s.value for s in app.success] == ["3 cards added, 0 already there."]
    app.text_area(key="cards-paste").input("perro\tdog\n").run()
    assert app.success == []  # a result never shows under a file it was not about


def test_importing_again_or_tapping_twice_adds_each_card_once(committed_db):
    app = pasted(QUIZLET)
    import_button(app).click().run()
    import_button(app).click().run()
    assert [s.value for s in app.success] == ["0 cards added, 3 already there."]
    assert stored(committed_db) == 3


def test_rows_left_out_are_listed_with_their_reasons(committed_db):
    app = pasted("hola\thello\nonly a term\n")
    assert "**1 card ready**; 1 left out." in [m.value for m in app.markdown]
    assert any("line 2: " in m.value for m in app.markdown)


def test_a_custom_separator_and_the_deck_are_the_learners_choice(committed_db):
    app = pasted("perro - dog; gato - cat")
    app.selectbox(key="cards-field-separator").select("Other").run()
    app.selectbox(key="cards-row-separator").select("Semicolon").run()
    app.text_input(key="cards-import-deck").input("Animals").run()
    assert "**2 cards ready**; 0 left out." in [m.value for m in app.markdown]
    import_button(app).click().run()
    committed_db.rollback()
    decks = committed_db.scalars(select(OwnCard.document["deck"].as_string())).all()
    assert decks == ["Animals", "Animals"]


def test_a_file_that_cannot_be_read_is_one_sentence(committed_db):
    app = pasted("   \n  \n")
    assert not app.error  # blank: nothing to read yet
    app = pasted("a\tb")
    app.selectbox(key="cards-field-separator").select("Other").run()
    app.text_input(key="cards-field-custom").input("\n").run()
    assert [e.value for e in app.error] == [
        safe_markdown("The separators must be two different, non-empty pieces of text.")
    ]
    assert stored(committed_db) == 0


def test_the_export_offers_each_format(committed_db):
    app = pasted(QUIZLET)
    labels = [b.label for b in app.get("download_button")]
    assert labels == [
        "Download as CSV (spreadsheets, Quizlet)",
        "Download as an Anki package (.apkg)",
        "Download as bank JSON (mongoimport --jsonArray)",
    ]


def test_a_custom_card_separator_is_typed_with_backslash_n_for_a_line_break(committed_db):
    app = pasted("perro - dog\nor hound\n\ngato - cat")
    app.selectbox(key="cards-field-separator").select("Other").run()
    app.selectbox(key="cards-row-separator").select("Other").run()
    assert app.text_input(key="cards-row-custom").value == r"\n\n"
    assert "**2 cards ready**; 0 left out." in [m.value for m in app.markdown]


def test_a_strangers_text_quoted_in_a_reason_is_shown_inert(committed_db):
    # A shared deck's answer that is Markdown for an image: shown, it would make the
    # learner's browser fetch a stranger's address.
    app = pasted("prompt,answer,choices\nQ?,![x](https://evil.example/p.png),a | b\n")
    (listed,) = [m.value for m in app.markdown if "line 2" in m.value]
    assert "![x](" not in listed and r"\!\[x\]" in listed
