"""Speed round: as many answers as you can before the clock runs out; fast and streaks score."""

import streamlit as st

from studygame.ui import study
from studygame.ui.bank import current_bank
from studygame.ui.page import begin_page

settings = begin_page("Speed round", icon="⚡")
st.title("Speed round")
preferences = study.learner_preferences()
bank = current_bank(settings)
run = study.get_run("speed")
if run is None:
    st.write(f"{preferences.speed_round_seconds} seconds: 10 s a question scores most when fast.")
    chosen = study.setup_form("speed", bank, types=study.TAPPABLE, lengths=())
    if chosen:
        study.start_run("speed", chosen, seconds=preferences.speed_round_seconds)
        st.rerun()
else:
    study.play_speed_round(run, bank.by_id, preferences)
