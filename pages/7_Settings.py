"""Settings: daily goal, new cards a day, timezone, speed round length, desired retention."""

import streamlit as st

from studygame.services import optimizer
from studygame.services.backups.export import export_file_name
from studygame.services.learner import (
    RETENTION_STEP,
    InvalidSetting,
    LearnerPreferences,
    retention_choices,
    timezone_names,
    update_learner_settings,
)
from studygame.ui import progress_charts as charts
from studygame.ui.backup import backup_zip
from studygame.ui.engine import session
from studygame.ui.page import begin_page, development_notes
from studygame.ui.run_state import learner_preferences, utcnow
from studygame.ui.timezone import browser_timezone

settings = begin_page("Settings", icon="⚙️")
st.title("Settings")
for _, sentence in development_notes(settings):
    st.warning(sentence, icon="🛠️")
current = learner_preferences()
# Before the first save the browser's zone is the better guess; the learner confirms by saving.
offer = browser_timezone(current)
zones = timezone_names()
lowest, highest = retention_choices()
shown_zone = offer or current.timezone
# No min/max on the number inputs: the browser would silently put an out-of-range value
# back, where the service answers it with a sentence that names the allowed range.
with st.form("learner-settings"):
    daily_goal = st.number_input("Daily goal (answers a day)", step=1, value=current.daily_goal)
    new_cards = st.number_input(
        "New cards a day (in Review)", step=1, value=current.new_cards_per_day
    )
    timezone = st.selectbox(
        "Your timezone (when your day starts)",
        zones,
        index=zones.index(shown_zone) if shown_zone in zones else zones.index("UTC"),
        help="Your streak, daily goal and new cards count days from midnight here.",
    )
    if offer:
        st.caption(f"{offer} is your browser's timezone: save to use it.")
    seconds = st.number_input(
        "Speed round length (seconds)", step=10, value=current.speed_round_seconds
    )
    retention = st.slider(
        "Desired retention",
        min_value=lowest,
        max_value=highest,
        step=RETENTION_STEP,
        value=min(max(current.desired_retention, lowest), highest),
        help="How likely you want to remember a card when it comes due: higher means more reviews.",
    )
    submitted = st.form_submit_button("Save", type="primary", width="stretch")
if submitted:
    chosen = LearnerPreferences(
        daily_goal=int(daily_goal),
        new_cards_per_day=int(new_cards),
        timezone=timezone,
        speed_round_seconds=int(seconds),
        desired_retention=round(float(retention), 2),
    )
    try:
        with session() as s:
            update_learner_settings(s, preferences=chosen, now=utcnow())
    except InvalidSetting as exc:
        st.error(str(exc))
    else:
        st.success("Saved.")

st.subheader("Your memory model")
st.caption(
    "Fits FSRS to your own reviews on your first 80% of days, then checks it on the last 20%, "
    "which the fit never saw. It replaces the parameters in use only if it predicts those "
    "answers better by more than the noise; then your cards' due dates move once."
)
with session() as s:
    memory_model = optimizer.memory_model_summary(s)
charts.render_last_fit(memory_model)
preview = st.toggle("Preview only (change nothing)", key="memory-model-preview")
if st.button("Fit my memory model", icon="🧠", width="stretch"):
    with st.spinner("Fitting your reviews…"), session() as s:
        fitted = optimizer.optimize_schedule(s, now=utcnow(), dry_run=preview)
    show = st.success if fitted.applied else st.info
    show("\n\n".join(optimizer.describe(fitted)))

st.subheader("Backup")
if settings.uses_local_database:
    st.caption("The backup download needs Postgres: the local development database is a file.")
else:
    st.caption(
        "Every answer, card and setting as CSV files in one zip (`studygame import-export`)."
    )
    st.download_button(
        "Download a backup (zip)",
        data=backup_zip,
        file_name=export_file_name(utcnow()),
        mime="application/zip",
        width="stretch",
    )
