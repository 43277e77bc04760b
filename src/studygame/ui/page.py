"""What every page does first: page config, settings, fail-closed checks and banners."""

from __future__ import annotations

import streamlit as st

from studygame.config import ConfigError, Settings
from studygame.db import DatabaseUnavailable
from studygame.redaction import install_log_redaction
from studygame.ui.auth import is_unlocked, require_unlocked
from studygame.ui.code_version import run_the_code_on_disk
from studygame.ui.engine import app_engine, forget_database_failure
from studygame.ui.errors import database_sentence, errors_shown_redacted
from studygame.ui.outbox import pending_badge
from studygame.ui.settings import app_settings
from studygame.ui.styles import apply_styles, close_sidebar_on_navigation


def begin_page(title: str, icon: str = "🎓") -> Settings:
    """Start a page: stop with one clear sentence if the app cannot serve it safely.

    Until the browser session is unlocked with the PIN, the page shows only the PIN form.
    """
    run_the_code_on_disk()
    st.set_page_config(page_title=f"{title} · StudyGame", page_icon=icon, layout="centered")
    try:
        settings = app_settings()
    except ConfigError as exc:
        st.error(f"StudyGame cannot start: {exc}")
        st.stop()
    install_log_redaction(settings.secret_values())
    forget_database_failure()
    apply_styles()
    missing = settings.missing_secrets()
    if missing:
        _refuse_without_secrets(missing)
    if shortcuts := [short for short, _ in development_notes(settings)]:
        # One small line, not boxes: on a phone the question must stay above the fold.
        st.markdown(f":small[🛠️ Dev: {' · '.join(shortcuts)} · see Settings]")
    # Read before the gate runs: a database error inside it is shown to whoever is here now.
    unlocked = is_unlocked(settings)
    try:
        app_engine()
    except DatabaseUnavailable as exc:
        st.error(
            f"{database_sentence(exc, settings, unlocked=unlocked)} Reload the page to try again."
        )
        st.stop()
    with errors_shown_redacted(settings, unlocked=unlocked):
        require_unlocked(settings)
        # After the gate: a locked page shows the PIN form and nothing else.
        close_sidebar_on_navigation()
        pending_badge()
    return settings


def development_notes(settings: Settings) -> list[tuple[str, str]]:
    """Local development's shortcuts: (a few words for every page, a sentence for Settings)."""
    notes = []
    if settings.uses_local_database:
        notes.append(
            (
                "local database",
                "Local development database (SQLite): set DATABASE_URL for Postgres.",
            )
        )
    if settings.app_pin is None:
        # begin_page has already refused to serve a hosted deployment without a PIN.
        notes.append(("no PIN", "No APP_PIN is set: the PIN gate is off (local development only)."))
    return notes


def _refuse_without_secrets(missing: list[str]) -> None:
    # Fail closed: a public deployment without its secrets serves this page and nothing else.
    names = " and ".join(missing)
    st.title("StudyGame needs a secret")
    st.error(f"This app needs the {names} secret{'s' if len(missing) > 1 else ''} to start.")
    st.markdown(
        "- **Hugging Face Space**: *Settings → Variables and secrets → New secret*, "
        f"name it `{missing[0]}`, then restart the Space.\n"
        "- **Streamlit Community Cloud**: *App settings → Secrets*, add "
        f'`{missing[0]} = "..."`.\n\n'
        "See docs/configuration.md for what each secret holds."
    )
    st.stop()
