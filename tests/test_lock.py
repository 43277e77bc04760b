"""The locks: reproducible from pyproject.toml, hashed, installed by every host and installer."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCKS = ("requirements.lock", "requirements-dev.lock", "requirements.txt")
UV = ROOT / ".venv" / "bin" / "uv"


def pins(name: str) -> dict[str, Requirement]:
    """The pinned requirements of one lock file, by canonical name and marker."""
    lines = (ROOT / name).read_text().splitlines()
    found = {}
    for line in lines:
        if "==" in line and line[0].isalnum():
            requirement = Requirement(line.rstrip(" \\"))
            found[f"{canonicalize_name(requirement.name)} {requirement.marker}"] = requirement
    return found


def test_the_locks_regenerated_from_scratch_equal_the_committed_ones(tmp_path):
    # No earlier lock to prefer: the pinned uv and EXCLUDE_NEWER alone decide every version.
    subprocess.run(
        ["make", "-s", "-o", "install", "lock", f"LOCK_DIR={tmp_path}"],
        cwd=ROOT, check=True, timeout=300,
    )  # fmt: skip
    for name in LOCKS:
        assert (tmp_path / name).read_text() == (ROOT / name).read_text(), (
            f"{name} differs from a lock made from scratch: run `make lock`"
        )


def test_every_dependency_is_pinned_with_hashes_and_dev_adds_only_the_dev_extra():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}
    app = pins("requirements.lock")
    assert wanted <= {canonicalize_name(r.name) for r in app.values()}
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text()
        lines = [line for line in text.splitlines() if "==" in line and line[0].isalnum()]
        assert all(line.rstrip().endswith("\\") for line in lines), f"{name}: each pin hashed"
    dev = pins("requirements-dev.lock")
    assert {key: str(r) for key, r in app.items()} == {
        key: str(r) for key, r in dev.items() if key in app
    }, "the dev lock pins the app's packages at the app's versions"
    extra = {
        canonicalize_name(Requirement(text).name)
        for text in project["optional-dependencies"]["dev"]
    }
    assert extra <= {canonicalize_name(r.name) for r in dev.values()}


def test_requirements_txt_is_the_lock_without_hashes_and_the_package_editable():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e ." in lines and not any("--hash" in line for line in lines)
    assert {key: str(r) for key, r in pins("requirements.txt").items()} == {
        key: str(r) for key, r in pins("requirements.lock").items()
    }


def test_the_hosts_that_can_check_hashes_install_the_hashed_lock():
    for host_file in ("Dockerfile", ".github/workflows/nightly-backup.yml"):
        assert "--require-hashes -r requirements.lock" in (ROOT / host_file).read_text()
    assert "--require-hashes -r requirements-dev.lock" in (ROOT / "Makefile").read_text()


def test_make_install_gave_this_virtualenv_exactly_the_dev_lock():
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    installed = {pin(Requirement(line)) for line in frozen}
    locked = {
        pin(r)
        for r in pins("requirements-dev.lock").values()
        if r.marker is None or r.marker.evaluate()
    }
    assert installed == locked
    assert UV.is_file(), "make install puts the locked uv in .venv/bin"


def pin(requirement: Requirement) -> str:
    """`name==version`, the name canonical."""
    return f"{canonicalize_name(requirement.name)}{requirement.specifier}"


def interpreter(version: str) -> str:
    """An interpreter for `version` (3.11, 3.13): any uv finds, pyenv's included."""
    env = dict(os.environ)
    if shutil.which("pyenv"):
        # pyenv's shims answer only for the activated versions: activate every installed one.
        versions = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout.split()
        env["PYENV_VERSION"] = ":".join(versions)
    found = subprocess.run(
        [str(UV), "python", "find", "--system", version],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert found.returncode == 0, (
        f"no Python {version} here: `{UV} python install {version}` (CI does), or pyenv"
    )
    return found.stdout.strip()


@pytest.mark.parametrize("installer", ["pip", "uv"])
@pytest.mark.parametrize("version", ["3.11", "3.13"])
def test_requirements_txt_installs_the_locked_versions(version, installer):
    # What Community Cloud does (uv, else pip), and what a user or another host does.
    python = interpreter(version)
    result = subprocess.run(
        [sys.executable, "scripts/check_install.py", "--python", python,
         "--installer", installer, "--uv", str(UV)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{installer} on Python {version}." in result.stdout
