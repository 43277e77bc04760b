"""The Cards page: add each type, refusals, edit, delete with its confirmation, move, search."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import streamlit as st
from PIL import Image
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from studygame.domain.markup import safe_markdown
from studygame.domain.modes import Mode
from studygame.models import Attempt, CardMedia, OwnCard
from studygame.services.own_cards import add_card

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
DECK = "World Geography"  # a deck of the bundled bank, offered by the deck picker
PERU = {"deck": "Geo", "type": "typed", "prompt": "Capital of Peru?", "answer": "Lima"}
CELL = {"deck": "Bio", "type": "flashcard", "prompt": "Mitosis?", "answer": "Cell division."}
MOON = {"deck": "Geo", "type": "truefalse", "prompt": "The Moon is a planet.", "answer": "False"}


@pytest.fixture(autouse=True)
def fresh_caches():
    """The own-cards bank is cached per process: each test's database starts unseen."""
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def open_page() -> AppTest:
    app = AppTest.from_file(str(ROOT / "pages/10_Cards.py"), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app


def widget(app: AppTest, kind: str, name: str, prefix: str = "add-"):
    """The form field `name` of the add form (or the edit form, with prefix "edit-")."""
    found = [
        w
        for w in getattr(app, kind)
        if w.key and w.key.startswith(prefix) and w.key.endswith(f"-{name}")
    ]
    assert len(found) == 1, [w.key for w in getattr(app, kind)]
    return found[0]


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def run(app_or_widget) -> AppTest:
    """Run the page (after a widget's change, if given one); no exception."""
    app = app_or_widget.run()
    assert not app.exception, app.exception
    return app


def select_rows(app: AppTest, rows: list[int]) -> AppTest:
    """Tick rows of the list, as a tap on their checkboxes does."""
    # The list's key is in its element id ("$$ID-<hash>-<key>"); it changes with the rows shown.
    key = app.dataframe[0].proto.id.split("-", 2)[2]
    app.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return run(app)


def listed(app: AppTest) -> list[str]:
    return list(app.dataframe[0].value["Prompt"])


def seed(db: Session, *documents: dict) -> list[str]:
    # A second apart: the list shows the newest first.
    ids = [add_card(db, d, now=NOW + timedelta(seconds=i)) for i, d in enumerate(documents)]
    db.commit()
    return ids


def answered(db: Session, card_id: str) -> None:
    db.add(
        Attempt(
            id=uuid.uuid4(),
            question_id=card_id,
            mode=Mode.CRAM.value,
            is_correct=True,
            answered_at=NOW,
        )
    )
    db.commit()


def cards(db: Session) -> dict[str, OwnCard]:
    db.rollback()
    db.expire_all()
    return {card.id: card for card in db.scalars(select(OwnCard))}


def attempts(db: Session) -> list[str]:
    return list(db.scalars(select(Attempt.question_id)))


def test_a_new_learner_sees_how_to_begin(committed_db):
    app = open_page()
    assert [t.value for t in app.title] == ["Your cards"]
    assert [i.value for i in app.info] == [
        "No cards of your own yet: add one above, or import a file."
    ]
    assert not app.dataframe


@pytest.mark.parametrize(
    ("kind", "fill", "expected"),
    [
        (
            "flashcard",
            {("text_area", "answer"): "Cell division."},
            {"answer": "Cell division."},
        ),
        (
            "mcq",
            {("text_input", "answer"): "Lima", ("text_area", "wrong"): "Quito\nBogotá"},
            {"answer": "Lima", "choices": ["Lima", "Quito", "Bogotá"]},
        ),
        ("truefalse", {("radio", "truth"): "False"}, {"answer": "False"}),
        (
            "typed",
            {
                ("text_input", "answer"): "Lima",
                ("text_area", "accepted"): "Ciudad de los Reyes",
                ("text_input", "topic"): "Capitals",
                ("text_area", "explanation"): "On the coast.",
            },
            {
                "answer": "Lima",
                "accepted": ["Ciudad de los Reyes"],
                "topic": "Capitals",
                "explanation": "On the coast.",
            },
        ),
    ],
)
def test_each_type_is_added_and_the_form_is_cleared(committed_db, kind, fill, expected):
    app = open_page()
    app.segmented_control(key="card-type").set_value(kind)
    run(app)
    widget(app, "selectbox", "deck").set_value(DECK)
    widget(app, "text_area", "prompt").input("A question?")
    for (widget_kind, name), value in fill.items():
        widget(app, widget_kind, name).set_value(value)
    run(button(app, "Add").click())

    assert [s.value for s in app.success] == ["Added."]
    assert not app.error
    (card,) = cards(committed_db).values()
    assert card.document == {"type": kind, "deck": DECK, "prompt": "A question?", **expected}
    assert widget(app, "text_area", "prompt").value == ""
    assert listed(app) == ["A question?"]
    assert app.caption[0].value.startswith("1 card in 1 deck")


def test_a_refused_card_is_one_sentence_and_nothing_is_written(committed_db):
    app = open_page()
    app.segmented_control(key="card-type").set_value("mcq")
    run(app)
    widget(app, "text_area", "prompt").input("Capital of Peru?")
    widget(app, "text_input", "answer").input("Lima")
    run(button(app, "Add").click())

    assert [e.value for e in app.error] == [
        safe_markdown("A multiple-choice question needs at least two choices.")
    ]
    assert not app.success
    assert cards(committed_db) == {}
    # The learner's text stays, to be put right.
    assert widget(app, "text_area", "prompt").value == "Capital of Peru?"


def test_an_image_is_stored_with_the_card_and_a_bad_one_refused(committed_db):
    app = open_page()
    widget(app, "text_area", "prompt").input("Which flag?")
    widget(app, "text_area", "answer").input("Peru")
    widget(app, "file_uploader", "upload").set_value(("flag.png", b"not an image", "image/png"))
    run(button(app, "Add").click())
    assert [e.value for e in app.error] == [
        safe_markdown("The file is not a PNG, JPEG, GIF or WebP image.")
    ]
    assert cards(committed_db) == {}
    assert committed_db.scalar(select(func.count()).select_from(CardMedia)) == 0

    widget(app, "file_uploader", "upload").set_value(("flag.png", png(), "image/png"))
    run(button(app, "Add").click())
    assert [s.value for s in app.success] == ["Added."]
    (card,) = cards(committed_db).values()
    assert card.document["image"].startswith("media:")
    assert committed_db.scalar(select(func.count()).select_from(CardMedia)) == 1


def test_editing_a_card_keeps_its_id_and_its_answers(committed_db):
    (card_id,) = seed(committed_db, PERU)
    answered(committed_db, card_id)
    app = open_page()
    assert not [f for f in app.text_area if f.key.startswith("edit-")]  # nothing selected yet
    select_rows(app, [0])

    assert widget(app, "text_input", "answer", prefix="edit-").value == "Lima"
    widget(app, "text_input", "answer", prefix="edit-").input("Lima, Peru")
    run(button(app, "Save").click())

    assert [s.value for s in app.success] == ["Saved."]
    assert cards(committed_db)[card_id].document["answer"] == "Lima, Peru"
    assert attempts(committed_db) == [card_id]


def test_an_edit_the_bank_refuses_changes_nothing(committed_db):
    (card_id,) = seed(committed_db, PERU)
    app = select_rows(open_page(), [0])
    widget(app, "text_area", "prompt", prefix="edit-").input("")
    run(button(app, "Save").click())
    assert [e.value for e in app.error] == [
        safe_markdown("The document has no prompt (prompt, question, front or text).")
    ]
    assert cards(committed_db)[card_id].document == PERU


def test_deleting_asks_first_then_hides_exactly_the_selected_cards(committed_db):
    peru, cell, moon = seed(committed_db, PERU, CELL, MOON)
    answered(committed_db, peru)
    app = open_page()
    assert listed(app) == [MOON["prompt"], CELL["prompt"], PERU["prompt"]]  # newest first
    select_rows(app, [1, 2])
    run(button(app, "Delete").click())
    assert all(card.deleted_at is None for card in cards(committed_db).values())
    confirm = button(app, "Delete 2 cards")

    run(confirm.click())
    shown = cards(committed_db)
    assert [card_id for card_id, card in shown.items() if card.deleted_at] == [peru, cell]
    assert shown[moon].deleted_at is None
    assert attempts(committed_db) == [peru]  # its answers stay
    assert [s.value for s in app.success] == [
        "Deleted 2 cards. Their answers stay in your history."
    ]
    assert listed(app) == [MOON["prompt"]]
    assert not [b for b in app.button if b.label.startswith("Delete ")]


def test_a_confirmation_belongs_to_the_selection_it_was_asked_for(committed_db):
    seed(committed_db, PERU, CELL)
    app = select_rows(open_page(), [0, 1])
    run(button(app, "Delete").click())
    select_rows(app, [0])
    assert not [b for b in app.button if b.label.startswith("Delete ")]
    assert all(card.deleted_at is None for card in cards(committed_db).values())


def test_selected_cards_move_to_another_deck(committed_db):
    peru, cell, moon = seed(committed_db, PERU, CELL, MOON)
    app = select_rows(open_page(), [0, 1])
    app.selectbox(key="cards-move-deck").set_value(DECK)
    run(app)
    run(button(app, "Move").click())
    assert [s.value for s in app.success] == [f"Moved 2 cards to {DECK}."]
    decks = {card_id: card.document["deck"] for card_id, card in cards(committed_db).items()}
    assert decks == {peru: "Geo", cell: DECK, moon: DECK}


def test_search_and_the_deck_filter_narrow_the_list(committed_db):
    seed(committed_db, PERU, CELL, MOON)
    app = open_page()
    assert app.caption[0].value == "3 cards in 2 decks"
    app.text_input(key="cards-search").input("DIVISION")
    run(app)
    assert listed(app) == [CELL["prompt"]]
    assert app.caption[0].value == "3 cards in 2 decks · 1 shown"
    app.text_input(key="cards-search").input("")
    app.selectbox(key="cards-deck").set_value("Geo")
    run(app)
    assert listed(app) == [MOON["prompt"], PERU["prompt"]]


def test_an_outage_is_one_sentence_and_nothing_is_written(tcp_proxy, own_database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", tcp_proxy.url(own_database_url))
    app = open_page()
    widget(app, "text_area", "prompt").input("Mitosis?")
    widget(app, "text_area", "answer").input("Cell division.")
    tcp_proxy.cut()
    run(button(app, "Add").click())
    assert len(app.error) == 1
    assert app.error[0].value.startswith("Could not connect to the database")
    assert not app.success

    tcp_proxy.restore()
    engine = create_engine(own_database_url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(OwnCard)) == 0
    engine.dispose()


def test_the_explanation_has_its_own_image_kept_through_edits_until_removed(committed_db):
    app = open_page()
    widget(app, "text_area", "prompt").input("Which tower?")
    widget(app, "text_area", "answer").input("Eiffel")
    widget(app, "text_input", "address-explanation").input("https://example.org/e.png")
    run(button(app, "Add").click())
    (card_id,) = cards(committed_db)
    assert cards(committed_db)[card_id].document["explanation_image"] == "https://example.org/e.png"

    app = select_rows(open_page(), [0])
    widget(app, "text_area", "answer", prefix="edit-").input("The Eiffel Tower")
    run(button(app, "Save").click())
    document = cards(committed_db)[card_id].document
    assert (document["answer"], document["explanation_image"]) == (
        "The Eiffel Tower",
        "https://example.org/e.png",
    )
    widget(app, "checkbox", "remove-explanation", prefix="edit-").check()
    run(button(app, "Save").click())
    assert "explanation_image" not in cards(committed_db)[card_id].document
