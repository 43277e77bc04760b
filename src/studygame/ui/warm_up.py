"""Once Home is drawn, load what the other pages need, so that their first visit is not slow.

A server process imports a page's modules at that page's first run. On the app's small
hosts the libraries behind Progress's charts and the typed-answer grading take 1 to 2 s
together (docs/performance.md), which the first Quiz or Progress after a restart would wait
for. Home (after its last element) starts this once per process (not the PIN form, where it
competed with checking a PIN): the imports run while the learner reads Home, and a later
page finds them in `sys.modules`.

Not at once, though. When Home's script ends, the browser is still fetching the code of
Home's elements and its fonts from this same process; imports hold the GIL, and each of
those small requests waited its turn: on a fresh server Home became usable 3.3 s after the
process started instead of 2.7 s (medians, `bench/page_times.py`, docs/performance.md).
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


# Long enough for a browser to finish drawing Home on the app's small hosts, short against
# the time a learner reads Home before choosing a page.
START_AFTER_S = 1.5


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Start the process's one warm-up, after a pause (later calls return the same thread)."""
    thread = threading.Timer(START_AFTER_S, _load)
    thread.name, thread.daemon = "studygame-warm-up", True
    thread.start()
    return thread


def _load() -> None:
    for name in MODULES:
        importlib.import_module(name)
    # wordfreq reads its English word list at the first lookup (~0.1 s): a typed answer's.
    from wordfreq import zipf_frequency

    zipf_frequency("warm", "en")
