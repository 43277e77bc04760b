"""Quiz: multiple choice, true/false and typed questions from the decks and topics you pick."""

import streamlit as st

from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page

settings = begin_page("Quiz", icon="❓")
st.title("Quiz")
preferences = study.learner_preferences()
bank = current_bank(settings)
study.practice("quiz", bank, preferences, types=study.AUTO_GRADED, lengths=(5, 10, 20, 50))
