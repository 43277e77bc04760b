"""The Cards page's body: add a card, then find, edit, move and delete the learner's own cards.

Every write is one transaction (`ui.engine.session`) followed by `cards_changed()`, so every
study page sees it. Writes run in callbacks, before the page draws again: it then lists the
cards as they are now, and a new, empty add form. A selection is bound to card ids, never to
row positions: the list's key changes with the ids it shows, which clears the ticks whenever
its rows change, and every button carries the ids it acts on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

import streamlit as st
from sqlalchemy.orm import Session

from studygame.config import Settings
from studygame.domain.card_form import CardForm, matches
from studygame.domain.markup import safe_markdown
from studygame.domain.questions import Question, QuestionType
from studygame.domain.wording import counted
from studygame.services.card_media import BadImage
from studygame.services.content import QuestionBank
from studygame.services.own_cards import (
    CardRefused,
    add_card,
    delete_cards,
    edit_card,
    move_cards,
    own_cards_bank,
)
from studygame.ui.auth import is_unlocked
from studygame.ui.bank import TYPE_LABELS, bank_view, cards_changed
from studygame.ui.card_fields import card_fields, submitted_form, type_picker, with_images
from studygame.ui.engine import DATABASE_ERRORS, session
from studygame.ui.errors import database_sentence
from studygame.ui.run_state import utcnow
from studygame.ui.settings import app_settings

EMPTY = "No cards of your own yet: add one above, or import a file."
# What the last write said, shown once where it belongs: (place, "success" or "error", text).
NOTICE_KEY = "cards_notice"
# The add form's number: each card added gets a new, empty form (a refusal keeps the text).
ADD_FORM_KEY = "cards_add_form"
# The deck of the last card added: the next one most likely goes there too.
LAST_DECK_KEY = "cards_last_deck"
# The ids a "Delete" tap asked about: its "Delete N cards" deletes those and no others.
CONFIRM_KEY = "cards_confirm_delete"
MOVE_DECK_KEY = "cards-move-deck"
PROMPT_PX = 190
ANSWER_PX = 110


def render(settings: Settings) -> None:
    """The add form, then the learner's cards with search, edit, move and delete."""
    try:
        with session() as s:
            own = own_cards_bank(s)
    except DATABASE_ERRORS as exc:
        st.session_state.pop(NOTICE_KEY, None)  # this sentence says it all
        st.error(f"{_database_sentence(exc)} Reload the page to try again.")
        return
    view = bank_view(settings)
    decks = sorted({*own.decks, *(view.bank.decks if view.bank else ())})
    _add_section(decks)
    _list_section(own, decks)


def _add_section(decks: list[str]) -> None:
    st.subheader("Add a card")
    kind = type_picker("card-type", "flashcard")
    prefix = f"add-{st.session_state.get(ADD_FORM_KEY, 0)}"
    with st.form(prefix):
        card_fields(prefix, CardForm(kind, deck=st.session_state.get(LAST_DECK_KEY)), decks)
        st.form_submit_button(
            "Add",
            type="primary",
            width="stretch",
            key=f"{prefix}-submit",
            on_click=_add,
            args=(prefix, kind),
        )
    _show_notice("add")


def _list_section(own: QuestionBank, decks: list[str]) -> None:
    st.subheader("Find and edit")
    if not own.questions:
        _show_notice("list")
        st.info(EMPTY)
        return
    search = st.text_input(
        "Search", key="cards-search", placeholder="A word of a prompt, answer or explanation"
    )
    deck = st.selectbox(
        "Deck", list(own.decks), index=None, placeholder="All decks", key="cards-deck"
    )
    # Newest first: the card just added is at the top.
    shown = [
        q for q in reversed(own.questions) if matches(q, search or "") and deck in (None, q.deck)
    ]
    counts = f"{counted(len(own.questions), 'card')} in {counted(len(own.decks), 'deck')}"
    if len(shown) < len(own.questions):
        counts += f" · {len(shown)} shown"
    st.caption(counts)
    selected = _card_list(shown)
    _show_notice("list")
    if selected:
        _selection(selected, own, decks)
    _show_notice("edit")  # an edited card that left the list (another deck than the filter's)


def _card_list(shown: Sequence[Question]) -> tuple[str, ...]:
    """The list with a tick box per row; the ids of the ticked rows."""
    ids = [q.id for q in shown]
    key = "cards-list-" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
    event = st.dataframe(
        {
            "Prompt": [q.prompt for q in shown],
            "Answer": [q.answer for q in shown],
            "Deck": [q.deck for q in shown],
            "Type": [TYPE_LABELS[q.type] for q in shown],
        },
        key=key,
        on_select="rerun",
        selection_mode="multi-row",
        hide_index=True,
        # On a 390 px phone the tick, the prompt and the answer fit; deck and type scroll.
        column_config={
            "Prompt": st.column_config.TextColumn(width=PROMPT_PX),
            "Answer": st.column_config.TextColumn(width=ANSWER_PX),
        },
    )
    return tuple(ids[row] for row in event.selection.rows if row < len(ids))


def _selection(selected: tuple[str, ...], own: QuestionBank, decks: list[str]) -> None:
    count = counted(len(selected), "card")
    st.markdown(f"**{count} selected**")
    if len(selected) == 1:
        _edit_form(own.by_id[selected[0]], decks)
    st.selectbox(
        "Move to deck",
        decks,
        index=None,
        accept_new_options=True,
        placeholder="Choose a deck or type a new one",
        key=MOVE_DECK_KEY,
    )
    st.button(
        "Move",
        key="cards-move",
        width="stretch",
        disabled=not st.session_state.get(MOVE_DECK_KEY),
        on_click=_move,
        args=(selected,),
    )
    st.button("Delete", key="cards-delete", width="stretch", on_click=_ask, args=(selected,))
    if st.session_state.get(CONFIRM_KEY) != selected:
        return
    # Below "Delete", not in its place: the second half of a double tap falls on "Delete".
    st.warning(f"Delete {count}? They leave study; their answers stay in your history.")
    with st.container(horizontal=True):
        st.button(
            f"Delete {count}",
            key="cards-delete-confirm",
            type="primary",
            on_click=_delete,
            args=(selected,),
        )
        st.button("Cancel", key="cards-delete-cancel", on_click=_ask, args=(None,))


def _edit_form(question: Question, decks: list[str]) -> None:
    prefix = f"edit-{question.id}"
    kind = type_picker(f"{prefix}-type", question.type)
    form = replace(CardForm.from_question(question), type=kind)
    with st.form(prefix):
        card_fields(prefix, form, decks)
        st.form_submit_button(
            "Save",
            type="primary",
            width="stretch",
            key=f"{prefix}-submit",
            on_click=_save,
            args=(question.id, prefix, form),
        )
    _show_notice("edit")


def _add(prefix: str, kind: QuestionType) -> None:
    form = submitted_form(prefix, CardForm(kind))

    def add(s: Session, now: datetime) -> str:
        add_card(s, with_images(s, prefix, form, now=now).document(), now=now)
        return "Added."

    if _write("add", add):
        st.session_state[ADD_FORM_KEY] = st.session_state.get(ADD_FORM_KEY, 0) + 1
        st.session_state[LAST_DECK_KEY] = form.deck or None


def _save(card_id: str, prefix: str, base: CardForm) -> None:
    form = submitted_form(prefix, base)

    def save(s: Session, now: datetime) -> str:
        edit_card(s, card_id, with_images(s, prefix, form, now=now).document(), now=now)
        return "Saved."

    _write("edit", save)


def _move(card_ids: tuple[str, ...]) -> None:
    deck = st.session_state.get(MOVE_DECK_KEY)

    def move(s: Session, now: datetime) -> str:
        moved = move_cards(s, card_ids, deck, now=now)
        return f"Moved {counted(moved, 'card')} to {safe_markdown(deck)}."

    _write("list", move)


def _ask(card_ids: tuple[str, ...] | None) -> None:
    st.session_state[CONFIRM_KEY] = card_ids


def _delete(card_ids: tuple[str, ...]) -> None:
    st.session_state.pop(CONFIRM_KEY, None)

    def delete(s: Session, now: datetime) -> str:
        deleted = delete_cards(s, card_ids, now=now)
        if not deleted:  # the second half of a double tap: the first deleted them
            return "Those cards are deleted already."
        return f"Deleted {counted(deleted, 'card')}. Their answers stay in your history."

    _write("list", delete)


def _write(place: str, action: Callable[[Session, datetime], str]) -> bool:
    """Run one write in its own transaction; say how it went at `place`. True if it happened."""
    try:
        with session() as s:
            said = action(s, utcnow())
    except (CardRefused, BadImage) as exc:
        # A refusal may quote a card's text, imported from a stranger's deck: shown inert.
        st.session_state[NOTICE_KEY] = (place, "error", safe_markdown(str(exc)))
        return False
    except DATABASE_ERRORS as exc:
        st.session_state[NOTICE_KEY] = (place, "error", _database_sentence(exc))
        return False
    cards_changed()
    st.session_state[NOTICE_KEY] = (place, "success", said)
    return True


def _show_notice(place: str) -> None:
    notice = st.session_state.get(NOTICE_KEY)
    if notice is None or notice[0] != place:
        return
    del st.session_state[NOTICE_KEY]
    _, kind, text = notice
    (st.success if kind == "success" else st.error)(text)


def _database_sentence(exc: Exception) -> str:
    settings = app_settings()
    return database_sentence(exc, settings, unlocked=is_unlocked(settings))
