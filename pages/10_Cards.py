"""Cards: add your own cards, find, edit, move and delete them; import and export them."""

import streamlit as st

from studygame.ui import cards
from studygame.ui.card_import import render_export, render_import
from studygame.ui.page import begin_page

settings = begin_page("Cards", icon="🗂️")
st.title("Your cards")
cards.render(settings)
# Folded: on a phone the cards come first; a file is brought in now and then. Keyed and
# tracked, so an import that fills the list above does not fold it shut again.
with st.expander(
    "Import cards: CSV, Quizlet, Anki, bank JSON",
    icon="📥",
    key="cards-import-open",
    on_change="rerun",
):
    render_import(settings)
with st.expander("Export your cards", icon="📤", key="cards-export-open", on_change="rerun"):
    render_export()
