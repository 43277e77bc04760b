"""The local PostgreSQL client programs (pg_dump, psql): where they are and which version."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path


def find_client(program: str) -> Path | None:
    """Find `program` via PG_DUMP (for pg_dump), PG_BIN, or PATH, in that order."""
    explicit = os.environ.get(program.upper().replace("-", "_"))
    if explicit and Path(explicit).is_file():
        return Path(explicit)
    pg_bin = os.environ.get("PG_BIN")
    if pg_bin and (Path(pg_bin) / program).is_file():
        return Path(pg_bin) / program
    found = shutil.which(program)
    return Path(found) if found else None


def client_major_version(path: Path) -> int:
    """The major version a client program reports, e.g. 15 for 'pg_dump (PostgreSQL) 15.20'."""
    output = subprocess.run(
        [str(path), "--version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout
    match = re.search(r"\)\s*(\d+)", output)
    if match is None:
        raise ValueError(f"cannot read a version from {path.name} --version: {output.strip()!r}")
    return int(match.group(1))
