"""Quiz: multiple choice, true/false and typed questions from the decks and topics you pick."""

import streamlit as st

from studygame.domain.modes import Mode
from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page
from studygame.ui.run_state import learner_preferences

settings = begin_page("Quiz", icon="❓")
st.title("Quiz")
preferences = learner_preferences()
bank = current_bank(settings)
study.practice(Mode.QUIZ, bank, preferences, types=study.AUTO_GRADED, lengths=(5, 10, 20, 50))
