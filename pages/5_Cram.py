"""Cram: practice chosen decks (or the Progress page's picks) without moving the schedule."""

import streamlit as st

from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page

settings = begin_page("Cram", icon="📚")
st.title("Cram")
st.caption("Practice as much as you like: your review schedule stays as it is.")
preferences = study.learner_preferences()
bank = current_bank(settings)
picked = st.session_state.pop("cram_question_ids", None)
if picked:
    study.discard_run("cram")
    study.start_run("cram", list(picked), preferences=preferences)
study.practice("cram", bank, preferences, types=None, lengths=(10, 20, 50))
