"""After Home and the warm-up, no page's first visit waits on an import of its own."""

from __future__ import annotations

import json
import subprocess
import sys

from .test_page_imports import PAGES, ROOT, imported_modules

PROBE = """
import importlib, json, sys
from studygame.ui import warm_up

def load(names):
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            importlib.import_module(name.rpartition(".")[0])  # a name, not a module

load({home!r})
warm_up._load()
before = set(sys.modules)
load({pages!r})
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_after_home_and_the_warm_up_no_page_imports_anything_new():
    home, *pages = PAGES
    probe = PROBE.format(
        home=imported_modules(home), pages=[n for p in pages for n in imported_modules(p)]
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert json.loads(result.stdout) == []
