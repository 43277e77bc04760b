"""Flashcards: see the front, reveal the back, grade yourself Again / Hard / Good / Easy."""

import streamlit as st

from studygame.domain.modes import Mode
from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page
from studygame.ui.run_state import learner_preferences

settings = begin_page("Flashcards", icon="🃏")
st.title("Flashcards")
preferences = learner_preferences()
bank = current_bank(settings)
study.practice(Mode.FLASHCARDS, bank, preferences, types=None, lengths=(10, 20, 50))
