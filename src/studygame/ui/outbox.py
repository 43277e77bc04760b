"""The app's outbox: answers saved straight to Postgres, or queued on disk while it is down."""

from __future__ import annotations

import streamlit as st

from studygame.db import DatabaseUnavailable
from studygame.domain.attempt import NewAttempt
from studygame.domain.wording import counted
from studygame.services.outbox import OUTBOX_FILE, Outbox, SaveOutcome
from studygame.ui.engine import app_engine
from studygame.ui.settings import app_settings


@st.cache_resource
def app_outbox() -> Outbox:
    """The process's one outbox, shared by every browser tab, on disk in the data folder."""
    return Outbox(app_settings().data_dir / OUTBOX_FILE)


def save_answer(attempt: NewAttempt, *, desired_retention: float) -> SaveOutcome:
    """Save one answer; if the database is unreachable, keep it in the outbox instead.

    Queued answers go first once the database is back, so cards move in answer order.
    """
    outbox = app_outbox()
    try:
        engine = app_engine()
    except DatabaseUnavailable:
        # Never reached since the app started: the answer waits for it like any other.
        outbox.add(attempt)
        return SaveOutcome(saved=False, flushed=0, pending=outbox.pending())
    outcome = outbox.save(engine, attempt, desired_retention=desired_retention)
    if outcome.rejected:
        st.error(f"This answer could not be saved: {outcome.rejected}.", icon="🚫")
    return outcome


def flush_answers() -> int:
    """Try to save the answers waiting in the outbox now; returns how many still wait."""
    outbox = app_outbox()
    return outbox.flush(app_engine()).pending if outbox.pending() else 0


def pending_badge() -> int:
    """Show "n answers waiting to be saved" while the outbox holds any; returns n.

    `begin_page` calls it on every page. It also retries the database now and then, so
    the queue drains when the database is back even if the learner only browses.
    """
    outbox = app_outbox()
    flushed = outbox.flush_if_due(app_engine())
    if flushed is not None and flushed.saved:
        st.toast(f"{counted(flushed.saved, 'saved answer')} caught up.")
    if flushed is not None and flushed.rejected:
        where = outbox.dead_letter_path.name if outbox.durable else "the log"
        st.error(
            f"{flushed.rejected} queued answer(s) could not be saved: the database refused "
            f"their content. They are set aside in {where}.",
            icon="🚫",
        )
    pending = outbox.pending()
    if pending:
        where = "" if outbox.durable else " (kept in this app's memory only)"
        st.warning(
            f"{counted(pending, 'answer')} waiting to be saved{where}: "
            "the database is out of reach, keep studying.",
            icon="⏳",
        )
    return pending
