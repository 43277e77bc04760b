"""A card's fields on the Cards page, shared by the add form and the edit form.

Every field's key is `<prefix>-<name>`: the add form's prefix changes after each card added
(a new, empty form), the edit form's is the card's id (each card its own prefilled form).
Callbacks read the fields back from `st.session_state` by the same keys.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import streamlit as st
from sqlalchemy.orm import Session

from studygame.domain.card_drafts import IMAGE_FIELDS
from studygame.domain.card_form import CardForm
from studygame.domain.questions import TRUE_FALSE, QuestionType
from studygame.services.card_media import store_image
from studygame.ui.bank import TYPE_LABELS
from studygame.ui.question_widgets import render_image

# The order the type picker offers them: the simplest card first.
TYPE_ORDER: tuple[QuestionType, ...] = ("flashcard", "mcq", "truefalse", "typed")
IMAGE_TYPES = ["png", "jpg", "jpeg", "gif", "webp"]
# Each image a card may have: how the form names it, and the end of its widgets' keys
# ("<prefix>-upload" for the prompt's, "<prefix>-upload-explanation" for the explanation's).
IMAGE_LABELS = {"image": "Image", "explanation_image": "Explanation's image"}
IMAGE_KEYS = {"image": "", "explanation_image": "-explanation"}
# A phone's photo fits (it is downscaled when stored); Streamlit's default is 200 MB.
MAX_UPLOAD_MB = 25


def type_picker(key: str, default: QuestionType) -> QuestionType:
    """The card type, outside the form: the answer fields change with it at once."""
    return st.segmented_control(
        "Type",
        TYPE_ORDER,
        default=default,
        required=True,
        format_func=lambda kind: TYPE_LABELS[kind].capitalize(),
        key=key,
    )


def card_fields(prefix: str, form: CardForm, decks: list[str]) -> None:
    """Deck, prompt and answer, then the rest folded under "More"; prefilled from `form`."""
    options = decks if form.deck in decks or not form.deck else [form.deck, *decks]
    st.selectbox(
        "Deck",
        options,
        index=options.index(form.deck) if form.deck in options else None,
        accept_new_options=True,
        placeholder="Choose a deck or type a new one",
        key=f"{prefix}-deck",
    )
    st.text_area("Prompt", form.prompt, height=90, key=f"{prefix}-prompt")
    _current_image(prefix, "image", form.image)
    if form.type == "truefalse":
        truth = TRUE_FALSE.index(form.answer) if form.answer in TRUE_FALSE else 0
        st.radio("Answer", TRUE_FALSE, index=truth, horizontal=True, key=f"{prefix}-truth")
    elif form.type == "flashcard":
        st.text_area("Answer (the back of the card)", form.answer, key=f"{prefix}-answer")
    else:
        st.text_input("Answer", form.answer, key=f"{prefix}-answer", autocomplete="off")
    if form.type == "mcq":
        st.text_area(
            "Wrong choices, one per line",
            form.wrong_choices,
            help="The answer and these are shuffled each time the question is asked.",
            key=f"{prefix}-wrong",
        )
    with st.expander("More: topic, explanation, image"):
        st.text_input("Topic", form.topic, key=f"{prefix}-topic")
        if form.type == "typed":
            st.text_area("Also accept, one per line", form.accepted, key=f"{prefix}-accepted")
        _new_image(prefix, "image")
        st.text_area("Explanation", form.explanation, key=f"{prefix}-explanation")
        _current_image(prefix, "explanation_image", form.explanation_image)
        _new_image(prefix, "explanation_image")


def _key(prefix: str, field: str, name: str) -> str:
    return f"{prefix}-{name}{IMAGE_KEYS[field]}"


def _current_image(prefix: str, field: str, image: str | None) -> None:
    if image is not None:
        render_image(image)
        st.checkbox(f"Remove the {IMAGE_LABELS[field].lower()}", key=_key(prefix, field, "remove"))


def _new_image(prefix: str, field: str) -> None:
    label = IMAGE_LABELS[field]
    st.file_uploader(
        f"{label} (PNG, JPEG, GIF or WebP)", type=IMAGE_TYPES, key=_key(prefix, field, "upload")
    )
    st.text_input(
        f"Or the {label.lower()}'s address",
        placeholder="https://…",
        key=_key(prefix, field, "address"),
    )


def submitted_form(prefix: str, base: CardForm) -> CardForm:
    """The form as the learner left it (its images not resolved yet: see `with_images`)."""
    state = st.session_state

    def text(name: str, default: str) -> str:
        return state.get(f"{prefix}-{name}", default) or ""

    answer = text("truth", base.answer) if base.type == "truefalse" else text("answer", "")
    return replace(
        base,
        deck=text("deck", base.deck or ""),
        prompt=text("prompt", ""),
        answer=answer,
        wrong_choices=text("wrong", ""),
        accepted=text("accepted", ""),
        topic=text("topic", ""),
        explanation=text("explanation", ""),
    )


def with_images(session: Session, prefix: str, form: CardForm, *, now: datetime) -> CardForm:
    """The form with its images: each an upload (stored now), else an address, else as it was."""
    images = {}
    for field in IMAGE_FIELDS:
        upload = st.session_state.get(_key(prefix, field, "upload"))
        address = (st.session_state.get(_key(prefix, field, "address")) or "").strip()
        if upload is not None:
            images[field] = store_image(session, upload.getvalue(), now=now)
        elif address:
            images[field] = address
        elif st.session_state.get(_key(prefix, field, "remove")):
            images[field] = None
        else:
            images[field] = getattr(form, field)
    return replace(form, **images)
