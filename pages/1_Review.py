"""Review: what FSRS says is due, most overdue first, then today's new cards."""

import streamlit as st

from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page
from studygame.ui.run_state import learner_preferences

settings = begin_page("Review", icon="🔁")
st.title("Review")
preferences = learner_preferences()
bank = current_bank(settings)
study.review(bank, preferences)
