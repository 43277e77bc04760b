"""Serve the code on disk: a push that lands while no browser is connected reaches the next one.

Community Cloud keeps the Streamlit process between pushes and copies the pushed files into
its checkout. Streamlit's file watcher, which drops changed modules, lives in each browser
session: with none connected, the next session would run the modules loaded before the
push. So each new session compares the package's sources on disk with those loaded.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import streamlit as st

import studygame

PACKAGE = Path(studygame.__file__).resolve().parent
CHECKED = "_code_version_checked"


def source_digest() -> str:
    """A digest of every Python source of the studygame package as it is on disk now."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# Taken when this module is imported, with the rest of the package: the code loaded.
LOADED = source_digest()


def run_the_code_on_disk() -> None:
    """On a session's first run, reload the package if its sources changed since they loaded.

    The page starts over with the new modules, as Streamlit's own watcher would have made it.
    """
    if st.session_state.get(CHECKED):
        return
    st.session_state[CHECKED] = True
    if source_digest() == LOADED:
        return
    for name in [name for name in sys.modules if name.partition(".")[0] == "studygame"]:
        del sys.modules[name]
    st.rerun()
