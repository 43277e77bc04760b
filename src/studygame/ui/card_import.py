"""The Cards page's import and export: a file or pasted text, checked and previewed, then stored.

Nothing is written until the learner presses Import, and then the whole file goes in one
transaction. Importing is idempotent (every card has a key), so a double tap or a second tab
pressing Import again adds nothing twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from pathlib import PurePath

import streamlit as st

from studygame.config import Settings
from studygame.domain.card_drafts import BadCardFile, CardFile
from studygame.domain.markup import safe_markdown
from studygame.domain.wording import counted
from studygame.services.card_files import (
    WITH_MEDIA,
    is_anki_package,
    is_bank_json,
    read_card_file,
    write_card_file,
)
from studygame.services.card_files.tables import (
    ColumnMapping,
    Table,
    card_file,
    read_table,
    suggest_mapping,
)
from studygame.services.own_cards import cards_for_export, import_cards
from studygame.ui.bank import cards_changed
from studygame.ui.engine import DATABASE_ERRORS, session
from studygame.ui.errors import database_sentence
from studygame.ui.run_state import utcnow

UPLOAD_TYPES = ["csv", "tsv", "txt", "apkg", "colpkg", "json", "jsonl"]
FIELD_SEPARATORS = {"Find it": None, "Tab": "\t", "Comma": ",", "Semicolon": ";", "Other": ""}
ROW_SEPARATORS = {"New line": None, "Semicolon": ";", "Other": ""}
NOT_MAPPED = "(none)"
PASTED_DECK = "Pasted cards"
# Left-out rows listed under the preview; the rest are counted.
LEFT_OUT_LISTED = 50
PREVIEW_ROWS = 5
# What the last Import press did, with the file it was about: shown under that file's
# button through every later rerun (an expander opened, the list redrawn), never another's.
IMPORT_NOTICE_KEY = "cards-import-notice"


def render_import(settings: Settings) -> None:
    """Upload or paste, see what would come in, then import it all at once."""
    upload = st.file_uploader(
        "A CSV or TSV, a Quizlet export, an Anki package (.apkg, .colpkg) or bank JSON",
        type=UPLOAD_TYPES,
        key="cards-upload",
    )
    pasted = st.text_area(
        "…or paste cards: a term, a tab (or a comma), its definition; one card a line",
        key="cards-paste",
        height=120,
    )
    if upload is not None:
        name, data = upload.name, upload.getvalue()
    elif pasted.strip():
        name, data = f"{PASTED_DECK}.txt", pasted.encode()
    else:
        return
    file_key = (name, hashlib.sha256(data).hexdigest())
    try:
        read = _read(name, data, file_key)
    except BadCardFile as exc:
        st.error(safe_markdown(str(exc)))
        return
    _render_ready(read, settings, file_key)


def _read(name: str, data: bytes, file_key: tuple[str, str]) -> CardFile:
    if is_anki_package(name, data):
        history = st.checkbox(
            "Bring Anki's review history too, so scheduling starts from it",
            value=True,
            key="cards-history",
        )
        return _parsed(name, data, history, file_key)
    if is_bank_json(name):
        return _parsed(name, data, False, file_key)
    return _read_table(name, data)


def _parsed(name: str, data: bytes, history: bool, file_key: tuple[str, str]) -> CardFile:
    # A large package takes seconds to read: once per file and choice, not on every rerun.
    key = (file_key, history)
    cached = st.session_state.get("cards-parsed")
    if cached is None or cached[0] != key:
        with st.spinner(f"Reading {safe_markdown(name)}…"):
            cached = (key, read_card_file(name, data, with_history=history))
        st.session_state["cards-parsed"] = cached
    return cached[1]


def _read_table(name: str, data: bytes) -> CardFile:
    left, right = st.columns(2)
    field_choice = left.selectbox(
        "Between term and definition", list(FIELD_SEPARATORS), key="cards-field-separator"
    )
    row_choice = right.selectbox("Between cards", list(ROW_SEPARATORS), key="cards-row-separator")
    field_separator = FIELD_SEPARATORS[field_choice]
    row_separator = ROW_SEPARATORS[row_choice]
    if field_separator == "":
        field_separator = (
            left.text_input("Your separator", value=" - ", key="cards-field-custom") or None
        )
    if row_separator == "":
        # Typed as "\n" for a line break: a text box holds one line.
        custom = right.text_input("Your card separator", value=r"\n\n", key="cards-row-custom")
        row_separator = custom.replace(r"\n", "\n")
    table = read_table(data, field_separator=field_separator, row_separator=row_separator)
    _render_preview(table)
    mapping = _chosen_mapping(table)
    deck = st.text_input(
        "Deck (for rows without one)", value=PurePath(name).stem, key="cards-import-deck"
    )
    return card_file(table, mapping, deck=deck or PASTED_DECK)


def _column_names(table: Table) -> list[str]:
    header = table.header or ()
    return [
        f"{n + 1}: {header[n]}" if n < len(header) else f"Column {n + 1}"
        for n in range(table.width)
    ]


def _render_preview(table: Table) -> None:
    names = _column_names(table)
    st.caption(f"The first rows of {len(table.rows):,}:")
    st.dataframe(
        [dict(zip(names, row.cells, strict=False)) for row in table.preview(PREVIEW_ROWS)],
        hide_index=True,
    )


def _chosen_mapping(table: Table) -> ColumnMapping:
    names = _column_names(table)
    suggested = suggest_mapping(table)
    options = [NOT_MAPPED, *names]
    chosen: dict[str, int | None] = {}
    with st.expander("Which column is which", expanded=table.header is None):
        for field in fields(ColumnMapping):
            column = getattr(suggested, field.name)
            picked = st.selectbox(
                field.name.capitalize(),
                options,
                index=0 if column is None else column + 1,
                key=f"cards-map-{field.name}",
            )
            chosen[field.name] = None if picked == NOT_MAPPED else options.index(picked) - 1
    return ColumnMapping(**chosen)


def _render_ready(read: CardFile, settings: Settings, file_key: tuple[str, str]) -> None:
    reviews = f" and {counted(len(read.reviews), 'past review')}" if read.reviews else ""
    ready = counted(len(read.drafts), "card")
    st.markdown(f"**{ready} ready**{reviews}; {len(read.skipped):,} left out.")
    if read.skipped:
        with st.expander("What is left out, and why"):
            # Reasons quote the file's own text (a stranger's deck): shown inert.
            st.markdown(
                "\n".join(
                    f"- {safe_markdown(s.where)}: {safe_markdown(s.reason)}"
                    for s in read.skipped[:LEFT_OUT_LISTED]
                )
            )
            if len(read.skipped) > LEFT_OUT_LISTED:
                st.caption(f"…and {len(read.skipped) - LEFT_OUT_LISTED:,} more.")
    if read.drafts:
        # A callback: the import is done before the page draws, so the list above shows it.
        st.button(
            f"Import {counted(len(read.drafts), 'card')}",
            type="primary",
            width="stretch",
            key="cards-import",
            on_click=_import,
            args=(read, settings, file_key),
        )
    notice = st.session_state.get(IMPORT_NOTICE_KEY)
    if notice is not None and notice[0] == file_key:
        _, show, text = notice
        (st.success if show == "success" else st.error)(text)


def _import(read: CardFile, settings: Settings, file_key: tuple[str, str]) -> None:
    try:
        with session() as s:
            report = import_cards(s, read, now=utcnow())
    except DATABASE_ERRORS as exc:
        sentence = f"{database_sentence(exc, settings, unlocked=True)} Nothing was imported."
        st.session_state[IMPORT_NOTICE_KEY] = (file_key, "error", sentence)
        return
    cards_changed()
    history = f", {counted(report.reviews, 'past review')} kept" if report.reviews else ""
    st.session_state[IMPORT_NOTICE_KEY] = (
        file_key,
        "success",
        f"{counted(report.added, 'card')} added, {report.already_there:,} already there{history}.",
    )


# Each download's button and MIME type; the file is studygame-cards.<format>.
DOWNLOADS = {
    "csv": ("Download as CSV (spreadsheets, Quizlet)", "text/csv"),
    "apkg": ("Download as an Anki package (.apkg)", "application/octet-stream"),
    "json": ("Download as bank JSON (mongoimport --jsonArray)", "application/json"),
}


def render_export() -> None:
    """Download the learner's cards in each format, built only when its button is pressed."""
    for file_format, (label, mime) in DOWNLOADS.items():
        st.download_button(
            label,
            data=lambda file_format=file_format: _exported(file_format),
            file_name=f"studygame-cards.{file_format}",
            mime=mime,
            width="stretch",
        )


def _exported(file_format: str) -> bytes:
    with session() as s:
        exported = cards_for_export(s, with_media=file_format in WITH_MEDIA)
    return write_card_file(file_format, exported.cards, exported.media)
