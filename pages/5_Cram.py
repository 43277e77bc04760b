"""Cram: practice chosen decks (or the Progress page's picks) without moving the schedule."""

import streamlit as st

from studygame.domain.modes import Mode
from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page
from studygame.ui.run_state import discard_run, learner_preferences, start_run

settings = begin_page("Cram", icon="📚")
st.title("Cram")
st.caption("Practice as much as you like: your review schedule stays as it is.")
preferences = learner_preferences()
bank = current_bank(settings)
picked = st.session_state.pop("cram_question_ids", None)
if picked:
    discard_run(Mode.CRAM)
    start_run(Mode.CRAM, list(picked), preferences=preferences)
study.practice(Mode.CRAM, bank, preferences, types=None, lengths=(10, 20, 50))
