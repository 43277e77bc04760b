"""Install requirements.txt as a host would and check that exactly the locked versions arrive.

    python scripts/check_install.py --python python3.13 --installer pip
    python scripts/check_install.py --python python3.11 --installer uv --uv .venv/bin/uv

It makes a fresh virtualenv with the given Python, runs `pip install -r requirements.txt`
or `uv pip install -r requirements.txt` from the repository root (as Streamlit Community
Cloud does), and compares `pip freeze` with the pins of requirements.lock that apply to that
Python. Exit 0 when they are the same; else it prints the difference. Standard library only:
CI runs it on a bare setup-python; tests/test_lock.py runs it for 3.11 and 3.13.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def locked_here(lock: Path) -> list[str]:
    """The lock's pins whose markers hold on the running Python, as canonical name==version."""
    # Imported here: this runs inside the fresh virtualenv, where the lock brought packaging.
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = []
    for line in lock.read_text().splitlines():
        if "==" in line and line[0].isalnum():
            requirement = Requirement(line.rstrip(" \\"))
            if requirement.marker is None or requirement.marker.evaluate():
                (version,) = (spec.version for spec in requirement.specifier)
                pins.append(f"{canonicalize_name(requirement.name)}=={version}")
    return sorted(pins)


def output(*command: str, cwd: Path | str | None = None) -> str:
    """What the command prints; it must succeed."""
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True).stdout


def frozen(python: str) -> list[str]:
    """`pip freeze` of that virtualenv without the editable package, names canonical."""
    lines = output(python, "-m", "pip", "freeze", "--exclude-editable").splitlines()
    # PEP 503's canonical name, spelt out: this side may run without packaging.
    return sorted(
        f"{re.sub(r'[-_.]+', '-', name).lower()}=={version}"
        for name, _, version in (line.partition("==") for line in lines)
    )


def check(python: str, installer: str, uv: str) -> list[str]:
    """Install into a fresh virtualenv; return the differences from the lock (none: [])."""
    with tempfile.TemporaryDirectory(prefix="studygame-install-") as folder:
        venv = Path(folder) / "venv"
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        venv_python = str(venv / "bin" / "python")
        install = (
            [venv_python, "-m", "pip", "install"]
            if installer == "pip"
            else [uv, "pip", "install", "--python", venv_python]
        )
        started = time.monotonic()
        subprocess.run([*install, "--quiet", "-r", "requirements.txt"], cwd=ROOT, check=True)
        seconds = time.monotonic() - started
        expected = json.loads(output(venv_python, __file__, "--locked-here"))
        got = frozen(venv_python)
        # Imported from anywhere, the package is this checkout's source (installed editable).
        where = output(venv_python, "-c", "import studygame; print(studygame.__file__)", cwd=folder)
        version = output(venv_python, "-c", "import platform; print(platform.python_version())")
    problems = [f"not locked: {pin}" for pin in sorted(set(got) - set(expected))]
    problems += [f"missing: {pin}" for pin in sorted(set(expected) - set(got))]
    if Path(where.strip()) != ROOT / "src" / "studygame" / "__init__.py":
        problems.append(f"studygame imported from {where.strip()}, not from this checkout")
    print(f"{installer} on Python {version.strip()}: {len(got)} packages, {seconds:.0f} s")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the interpreter to test")
    parser.add_argument("--installer", choices=("pip", "uv"), default="pip")
    parser.add_argument("--uv", default="uv", help="the uv executable, for --installer uv")
    parser.add_argument("--locked-here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locked_here:
        print(json.dumps(locked_here(ROOT / "requirements.lock")))
        return 0
    problems = check(args.python, args.installer, args.uv)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
