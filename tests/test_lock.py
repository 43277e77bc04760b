"""The hashed lock the hosts install: in sync with pyproject.toml and used by every host file."""

import shutil
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def locked_names() -> set[str]:
    """Package names pinned in requirements.lock."""
    lines = (ROOT / "requirements.lock").read_text().splitlines()
    return {line.split("==")[0].lower() for line in lines if "==" in line and line[0].isalnum()}


def test_make_lock_changes_nothing_so_the_lock_matches_pyproject(tmp_path):
    # `make lock` keeps pins that still fit, so a rerun is a no-op unless pyproject changed.
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    subprocess.run(
        ["make", "-s", "-o", "install", "lock", f"VENV={ROOT / '.venv'}"],
        cwd=tmp_path, check=True, timeout=300,
    )  # fmt: skip
    assert (tmp_path / "requirements.lock").read_text() == (
        ROOT / "requirements.lock"
    ).read_text(), "requirements.lock is stale: run `make lock`"


def test_every_dependency_is_pinned_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {Requirement(text).name.lower() for text in project["dependencies"]}
    assert wanted <= locked_names()
    text = (ROOT / "requirements.lock").read_text()
    pins = [line for line in text.splitlines() if "==" in line and line[0].isalnum()]
    assert all(line.rstrip().endswith("\\") for line in pins), "each pin carries its hashes"


def test_the_hosts_install_the_lock():
    requirements = (ROOT / "requirements.txt").read_text().split()
    assert "requirements.lock" in requirements
    for host_file in ("Dockerfile", ".github/workflows/nightly-backup.yml"):
        assert "--require-hashes -r requirements.lock" in (ROOT / host_file).read_text()
