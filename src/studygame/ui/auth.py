"""The PIN gate every page passes through: the PIN form, the idle lock, the Lock button.

Only times are kept in `st.session_state` (unlocked at, last activity); the PIN itself
is read once in the form's callback and the field is emptied there.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import streamlit as st

from studygame.config import Settings
from studygame.domain.wording import counted
from studygame.services import pin
from studygame.ui.engine import session
from studygame.ui.errors import report_error

UNLOCKED_AT = "auth_unlocked_at"
LAST_ACTIVITY = "auth_last_activity"
NOTICE = "auth_notice"
PIN_FIELD = "auth_pin"
FORM_INTRO = "Enter the PIN to continue."


def utcnow() -> datetime:
    """The gate's clock; tests replace it to jump ahead in time."""
    return datetime.now(UTC)


def require_unlocked(settings: Settings) -> None:
    """Return if this browser session is unlocked; otherwise show only the PIN form and stop."""
    if settings.app_pin is None:
        return  # local development: begin_page says so in its one line
    now = utcnow()
    if _still_unlocked(settings, now=now):
        st.session_state[LAST_ACTIVITY] = now
        st.sidebar.button("Lock", icon="🔒", on_click=lock, width="stretch")
        _lock_when_idle(settings.app_idle_lock_minutes)
        return
    _show_pin_form(settings, now=now)
    st.stop()


def is_unlocked(settings: Settings) -> bool:
    """True if this browser session may see the app and connection details; no side effects."""
    if settings.app_pin is None:
        return True
    last_activity = st.session_state.get(LAST_ACTIVITY)
    return (
        st.session_state.get(UNLOCKED_AT) is not None
        and last_activity is not None
        and utcnow() - last_activity < timedelta(minutes=settings.app_idle_lock_minutes)
    )


def lock() -> None:
    """Lock this browser session now; the next run shows the PIN form."""
    st.session_state.pop(UNLOCKED_AT, None)
    st.session_state.pop(LAST_ACTIVITY, None)


def _still_unlocked(settings: Settings, *, now: datetime) -> bool:
    last_activity = st.session_state.get(LAST_ACTIVITY)
    if st.session_state.get(UNLOCKED_AT) is None or last_activity is None:
        return False
    if now - last_activity >= timedelta(minutes=settings.app_idle_lock_minutes):
        lock()
        minutes = settings.app_idle_lock_minutes
        st.session_state[NOTICE] = (
            "info",
            f"Locked after {counted(minutes, 'minute')} without activity.",
        )
        return False
    return True


@st.fragment(run_every=timedelta(minutes=1))
def _lock_when_idle(idle_minutes: int) -> None:
    # Without interaction no script runs; this rerun clears the screen of an idle phone.
    last_activity = st.session_state.get(LAST_ACTIVITY)
    if last_activity is not None and utcnow() - last_activity >= timedelta(minutes=idle_minutes):
        st.rerun()


def _show_pin_form(settings: Settings, *, now: datetime) -> None:
    st.title("StudyGame")
    st.write(FORM_INTRO)
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, text = notice
        getattr(st, kind)(text)
    with session() as s:
        next_check_at = pin.next_pin_check_at(s, now=now)
    waiting = next_check_at > now
    if waiting:
        _countdown(next_check_at)
    with st.form("pin_form", clear_on_submit=True):
        st.text_input(
            "PIN",
            type="password",
            key=PIN_FIELD,
            max_chars=12,
            autocomplete="current-password",
            disabled=waiting,
        )
        st.form_submit_button(
            "Unlock",
            type="primary",
            disabled=waiting,
            on_click=_check_entered_pin,
            args=(settings,),
        )


@st.fragment(run_every=timedelta(seconds=1))
def _countdown(next_check_at: datetime) -> None:
    left = next_check_at - utcnow()
    if left <= timedelta(0):
        st.rerun()  # the full run enables the form again
    minutes, seconds = divmod(math.ceil(left.total_seconds()), 60)
    st.warning(
        f"Too many wrong PINs: the next PIN can be checked in {minutes}:{seconds:02d}.", icon="⏳"
    )


def _check_entered_pin(settings: Settings) -> None:
    # A callback runs before the script, so the field can still be emptied here.
    entered = st.session_state.get(PIN_FIELD) or ""
    st.session_state[PIN_FIELD] = ""
    now = utcnow()
    try:
        with session() as s:
            result = pin.check_pin(s, entered=entered, pin=settings.app_pin, now=now)
    except Exception as exc:  # the page must show one redacted sentence, never a traceback
        st.session_state[NOTICE] = ("error", report_error(exc, settings, unlocked=False))
        return
    if result.outcome is pin.PinOutcome.UNLOCKED:
        st.session_state[UNLOCKED_AT] = st.session_state[LAST_ACTIVITY] = now
    elif result.outcome is pin.PinOutcome.WRONG:
        st.session_state[NOTICE] = ("error", "Wrong PIN.")
    elif result.outcome is pin.PinOutcome.MALFORMED:
        st.session_state[NOTICE] = ("error", "The PIN is 4 to 12 digits; nothing was checked.")
    else:
        st.session_state[NOTICE] = ("error", "Not checked: wait until the countdown ends.")
