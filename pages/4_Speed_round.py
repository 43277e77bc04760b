"""Speed round: as many answers as you can before the clock runs out; fast and streaks score."""

import streamlit as st

from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page
from studygame.ui.run_state import learner_preferences

settings = begin_page("Speed round", icon="⚡")
st.title("Speed round")
preferences = learner_preferences()
bank = current_bank(settings)
study.speed_round(bank, preferences)
