"""No page pays for a heavy library before its first paint (issue 23, item 5: slow pages).

Each page's imports run in a fresh interpreter, as the server's first run of that page
would; the heavy libraries load later, where they are used: charts when Progress draws
them, wordfreq when a typed answer is graded, pymongo when the bank is read from
MongoDB.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "Home.py", *sorted((ROOT / "pages").glob("*.py"))]
# Each costs 0.1 to 0.5 s to import on this app's 2-core host (docs/performance.md).
HEAVY = ("altair", "pandas", "wordfreq", "pymongo")
# Status checks MongoDB's address and login itself, with pymongo's own parser.
NEEDED = {"9_Status.py": {"pymongo"}}


def imported_modules(page: Path) -> list[str]:
    """The modules a page script imports at its top."""
    modules = []
    for node in ast.parse(page.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_a_page_imports_no_heavy_library(page):
    probe = (
        "import importlib, json, sys\n"
        f"for name in {imported_modules(page)!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError:\n"
        "        importlib.import_module(name.rpartition('.')[0])  # a name, not a module\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert set(json.loads(result.stdout)) <= NEEDED.get(page.name, set())
