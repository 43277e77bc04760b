"""Cards: add your own cards, then find, edit, move and delete them."""

import streamlit as st

from studygame.ui import cards
from studygame.ui.page import begin_page

settings = begin_page("Cards", icon="🗂️")
st.title("Your cards")
cards.render(settings)
