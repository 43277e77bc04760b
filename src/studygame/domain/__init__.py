"""Pure rules (grading, scoring, streaks, ratings): no database, no Streamlit, time passed in."""
