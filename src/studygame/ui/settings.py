"""The app's settings: the environment and `.env`, plus the host's root-level `st.secrets`."""

from __future__ import annotations

import streamlit as st

from studygame.config import Settings, get_settings, host_secrets


def app_settings() -> Settings:
    """The one settings object of the app; raises ConfigError when a value is malformed.

    On Streamlit Community Cloud a learner pastes `DATABASE_URL = "..."` into the secrets
    box: it reaches us here even where Streamlit has not exported it to the environment.
    """
    # load_if_toml_exists() is False when there is no secrets file: nothing to add then.
    secrets = st.secrets.to_dict() if st.secrets.load_if_toml_exists() else {}
    return get_settings(host_secrets(secrets))
