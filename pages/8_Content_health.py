"""Content health: where the questions come from, how many per deck and type, what was skipped."""

import streamlit as st

from studygame.ui.bank import BANK_TTL_S, bank_view, current_bank, refresh
from studygame.ui.page import begin_page

settings = begin_page("Content health", icon="🩺")
st.title("Content health")
if st.button("Refresh from source", icon="🔄", width="stretch"):
    refresh()
bank = current_bank(settings)
loaded_at = bank_view(settings).loaded_at
st.caption(
    f"Source: **{bank.source}** · loaded at {loaded_at:%H:%M:%S} UTC · "
    f"reloaded every {BANK_TTL_S // 60} minutes"
)
questions, decks, skipped = st.columns(3)
questions.metric("Questions", len(bank.questions))
decks.metric("Decks", len(bank.decks))
skipped.metric("Skipped", len(bank.skipped))

st.subheader("Questions per deck and type")
st.dataframe(
    [
        {"deck": deck, **types, "total": bank.decks[deck]}
        for deck, types in bank.deck_types().items()
    ],
    hide_index=True,
)

st.subheader("Skipped documents")
if bank.skipped:
    st.dataframe(
        [{"_id": s.id, "reason": s.reason} for s in bank.skipped],
        hide_index=True,
    )
else:
    st.success("Every document was read.")
