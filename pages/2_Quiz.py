"""Quiz: multiple choice, true/false and typed questions from the decks and topics you pick."""

import streamlit as st

from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page

settings = begin_page("Quiz", icon="❓")
st.title("Quiz")
preferences = study.learner_preferences()
bank = current_bank(settings)
run = study.get_run("quiz")
if run is None:
    chosen = study.setup_form("quiz", bank, types=study.AUTO_GRADED, lengths=(5, 10, 20, 50))
    if chosen:
        study.start_run("quiz", chosen)
        st.rerun()
else:
    study.play(run, bank.by_id, preferences)
