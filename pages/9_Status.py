"""What the app is connected to: host, database, schema, question bank."""

import streamlit as st

from studygame.services.doctor import run_checks
from studygame.ui.page import begin_page

settings = begin_page("Status", icon="🩺")
st.title("Status")
for check in run_checks(settings):
    (st.success if check.ok else st.error)(f"**{check.name}**: {check.detail}")
