"""Content health: where the questions come from, how many per deck and type, what was skipped."""

import streamlit as st

from studygame.domain.markup import safe_markdown
from studygame.ui.bank import BANK_TTL_S, TYPE_LABELS, bank_view, current_bank, refresh
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
with st.container(horizontal=True):
    st.metric("Questions", len(bank.questions))
    st.metric("Decks", len(bank.decks))
    st.metric("Skipped", len(bank.skipped))

st.subheader("Questions per deck")
for deck, types in bank.deck_types().items():
    kinds = " · ".join(f"{n} {TYPE_LABELS[kind]}" for kind, n in types.items() if n)
    st.markdown(f"**{safe_markdown(deck)}**: {bank.decks[deck]} ({kinds})")

st.subheader("Skipped documents")
if bank.skipped:
    # A table shows cell text literally: ids and reasons quote untrusted document content.
    st.dataframe(
        {"_id": [s.id for s in bank.skipped], "reason": [s.reason for s in bank.skipped]},
        hide_index=True,
    )
else:
    st.success("Every document was read.")
