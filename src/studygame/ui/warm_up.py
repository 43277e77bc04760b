"""Once Home is drawn, load what the other pages need, so that their first visit is not slow.

A server process imports a page's modules at that page's first run. On the app's small
hosts the libraries behind Progress's charts and the typed-answer grading take 1 to 2 s
together (docs/performance.md), which the first Quiz or Progress after a restart would wait
for. Home (after its last element) starts this once per process (not the PIN form, where it
competed with checking a PIN): the imports run while the learner reads Home, and a later
page finds them in `sys.modules`.
"""

from __future__ import annotations

import importlib
import threading

import streamlit as st

# The page modules Home does not import, and the libraries they load only when used; in the
# order a learner is likely to need them: a study page, Progress's charts, a typed answer,
# Settings, Status, Cards (its file readers).
MODULES = (
    "studygame.ui.study",
    "studygame.ui.progress_cache",
    "studygame.ui.progress_charts",
    "studygame.ui.progress_tables",
    "studygame.services.optimizer",
    "altair",
    "pandas",
    "pyarrow",
    "wordfreq",
    "studygame.ui.backup",
    "studygame.services.doctor",
    "studygame.ui.cards",
    "studygame.ui.card_import",
)


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Start the process's one warm-up thread (later calls return the same thread)."""
    thread = threading.Thread(target=_load, name="studygame-warm-up", daemon=True)
    thread.start()
    return thread


def _load() -> None:
    for name in MODULES:
        importlib.import_module(name)
    # wordfreq reads its English word list at the first lookup (~0.1 s): a typed answer's.
    from wordfreq import zipf_frequency

    zipf_frequency("warm", "en")
