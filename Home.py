"""StudyGame's home page."""

import streamlit as st

from studygame import migrations
from studygame.ui.engine import app_engine
from studygame.ui.page import begin_page

begin_page("Home")
st.title("StudyGame")
status = migrations.schema_status(app_engine())
if not status.at_head:
    st.warning("The database schema is not up to date: run `studygame db upgrade`.")
st.write("Study modes arrive here soon. The Status page shows how the app is wired.")
