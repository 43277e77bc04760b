"""StudyGame's home page: today at a glance, one big button to review, then the other modes."""

import streamlit as st

from studygame import migrations
from studygame.ui.bank import current_bank
from studygame.ui.engine import app_engine
from studygame.ui.page import begin_page
from studygame.ui.run_state import learner_preferences, today
from studygame.ui.timezone import offer_browser_timezone
from studygame.ui.warm_up import warm_up

settings = begin_page("Home")
st.title("StudyGame")
if not migrations.schema_status(app_engine()).at_head:
    st.warning("The database schema is not up to date: run `studygame db upgrade`.")
    st.stop()
preferences = learner_preferences()
offer_browser_timezone(preferences)
summary = today(current_bank(settings), preferences)

# A horizontal container keeps these side by side on a phone, where columns would stack.
with st.container(horizontal=True):
    st.metric("Due now", summary.due, border=True)
    st.metric("New today", summary.new_left, border=True)
    st.metric(
        "Day streak", summary.current_streak, border=True, help=f"Best: {summary.best_streak}"
    )
goal = min(summary.answered_today / summary.daily_goal, 1.0)
st.progress(goal, text=f"Daily goal: {summary.answered_today} of {summary.daily_goal} answers")
st.caption(f"{summary.xp:,} XP in all · best day streak {summary.best_streak}")

# Enter: the default action, without tabbing past every link (issue 23, item 6).
if st.button(
    "Start review",
    key="start-review",
    type="primary",
    width="stretch",
    icon="🔁",
    shortcut="Enter",
):
    st.switch_page("pages/1_Review.py")
st.page_link("pages/2_Quiz.py", label="Quiz: pick decks, answer", icon="❓", width="stretch")
st.page_link(
    "pages/3_Flashcards.py",
    label="Flashcards: reveal, grade yourself",
    icon="🃏",
    width="stretch",
)
st.page_link(
    "pages/4_Speed_round.py",
    label="Speed round: beat the clock",
    icon="⚡",
    width="stretch",
)
st.page_link(
    "pages/5_Cram.py",
    label="Cram: practice, schedule untouched",
    icon="📚",
    width="stretch",
)
# Last, once Home is on screen: the other pages' libraries load while the learner reads it.
warm_up()
