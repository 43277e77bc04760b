"""Progress: streaks, a year of days, retention, forecast, time, weak spots, and a CSV."""

from datetime import timedelta
from functools import partial

import streamlit as st

from studygame.services.optimizer import memory_model_summary
from studygame.services.progress import LEECH_LAPSES, MAX_COUNTED_RESPONSE_MS, NO_DECK
from studygame.ui import progress_charts as charts
from studygame.ui.engine import session
from studygame.ui.page import begin_page
from studygame.ui.progress_cache import (
    attempts_csv_bytes,
    load_report,
    question_prompts,
)
from studygame.ui.progress_tables import question_rows, render_table, topic_rows
from studygame.ui.run_state import start_cram

settings = begin_page("Progress", icon="📈")
st.title("Progress")
report = load_report(include_legacy=True)
# Only a learner who imported past answers (the old app's, Anki's) has a choice to make.
include_legacy = bool(report.legacy_answers) and st.toggle(
    "Include imported history",
    value=True,
    help="Answers from before StudyGame: the old app's, and Anki reviews imported with cards.",
)
if report.legacy_answers and not include_legacy:
    report = load_report(include_legacy=False)

if report.total_answers == 0:
    st.info("No answers yet. Answer a few questions and your progress shows up here.", icon="🌱")
    st.stop()

today = report.today
# Columns stack on a phone: each column's metrics stay together.
left, right = st.columns(2)
left.metric("Day streak", report.streaks.current)
left.metric("Best streak", report.streaks.best)
right.metric("Answers", f"{report.total_answers:,}")
if report.average_response_ms is not None:
    right.metric("Average answer", f"{report.average_response_ms / 1000:.1f} s")

st.subheader("Answers per day")
st.altair_chart(charts.calendar_heatmap(report.days, today=today), width="stretch")
if include_legacy and any(d.legacy for d in report.days):
    st.caption("Outlined days include imported answers (the old app's, or Anki's).")

st.subheader("True retention")
if report.retention:
    st.altair_chart(
        charts.retention_chart(report.retention, target=report.desired_retention),
        width="stretch",
    )
    st.caption(
        f"Share of reviews answered right, by week; the dashed line is your target "
        f"({report.desired_retention:.0%}). A card's first answer and Cram don't count."
    )
else:
    st.caption("No reviews in the last six months yet.")

st.subheader("Due in the next 30 days")
st.altair_chart(charts.forecast_chart(report.forecast), width="stretch")

st.subheader("Your memory model")
with session() as s:
    model = memory_model_summary(s)
charts.render_memory_model(model)

st.subheader("Time studied")
st.altair_chart(charts.time_chart(report.days, today=today), width="stretch")
st.caption(f"Minutes per day; each answer counts at most {MAX_COUNTED_RESPONSE_MS // 1000} s.")

st.subheader("Accuracy by deck")
st.altair_chart(charts.deck_chart(report.by_deck[: charts.DECKS_SHOWN]), width="stretch")
if len(report.by_deck) > charts.DECKS_SHOWN:
    st.caption(f"The {charts.DECKS_SHOWN} weakest of {len(report.by_deck)} decks.")
st.markdown("**Weakest topics**")
render_table(topic_rows(report.by_topic))

# A question no longer in the bank (or the bank unreachable) shows its id.
prompts = question_prompts(settings)
for title, rows, count_label, button in (
    (f"Leeches ({LEECH_LAPSES}+ lapses)", report.leeches, "lapses", "leeches"),
    ("Most often wrong", report.most_wrong, "wrong", "most_wrong"),
):
    st.subheader(title)
    if not rows:
        st.caption("None: nice.")
        continue
    render_table(question_rows(rows, prompts, count_label))
    if st.button("Study these now", key=f"cram_{button}", icon="🎯"):
        start_cram([q.question_id for q in rows])

st.subheader("Download your answers")
left, right = st.columns(2)
first = left.date_input("From", value=today - timedelta(days=30), max_value=today)
last = right.date_input("To", value=today, max_value=today)
decks = sorted(d.deck for d in report.by_deck if d.deck != NO_DECK)
deck = st.selectbox("Deck", ["All decks", *decks])
# Built only when pressed: the export streams from Postgres, not from the cached report.
st.download_button(
    "Download CSV",
    data=partial(
        attempts_csv_bytes,
        start=first,
        end=last,
        deck=None if deck == "All decks" else deck,
        include_legacy=include_legacy,
    ),
    file_name=f"studygame-answers-{first}-{last}.csv",
    mime="text/csv",
    icon="⬇️",
)
