"""The deployment files: the Space's Dockerfile and front matter, Streamlit's config, and the
Dockerfile's own install and start steps replayed in a fresh virtualenv (no Docker here)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from fnmatch import fnmatch
from pathlib import Path

import pytest

from studygame.migrations import head_revision
from studygame.models import Base

ROOT = Path(__file__).resolve().parents[1]


def front_matter() -> dict[str, str]:
    """The README's YAML front matter (flat `key: value` lines, as Spaces read them)."""
    text = (ROOT / "README.md").read_text()
    assert text.startswith("---\n"), "README.md must open with the Space's front matter"
    block, _, _ = text[4:].partition("\n---\n")
    return dict(line.split(": ", 1) for line in block.splitlines())


def test_dockerfile_builds_from_a_slim_python_and_installs_the_package(dockerfile):
    [base] = dockerfile.arguments_of("FROM")
    assert base in {"python:3.11-slim", "python:3.12-slim"}
    steps = [(name, args) for name, args in dockerfile.instructions if name in {"COPY", "RUN"}]
    copy = next(i for i, (name, _) in enumerate(steps) if name == "COPY")
    install = next(i for i, (name, args) in enumerate(steps) if "pip install" in args)
    assert copy < install
    assert steps[install][1].endswith(" .") and " -e " not in steps[install][1]
    # Community Cloud's requirements.txt installs the checked-out package editable instead.
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


def test_dockerfile_runs_as_uid_1000_on_port_8501_with_a_health_check(dockerfile):
    assert any("--uid 1000" in arguments for arguments in dockerfile.arguments_of("RUN"))
    assert dockerfile.arguments_of("USER") == ["user"]
    assert dockerfile.arguments_of("EXPOSE") == ["8501"]
    [healthcheck] = dockerfile.arguments_of("HEALTHCHECK")
    assert "http://127.0.0.1:8501/_stcore/health" in healthcheck
    [command] = dockerfile.arguments_of("CMD")
    assert json.loads(command) == [
        "streamlit", "run", "Home.py", "--server.address=0.0.0.0", "--server.port=8501"
    ]  # fmt: skip


def test_the_space_turns_off_the_xsrf_cookie_its_iframe_blocks(dockerfile):
    # Hugging Face's "Cookie limitations in Spaces"; the other hosts keep the check on.
    assert dockerfile.env()["STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION"] == "false"
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True


def test_readme_front_matter_describes_a_docker_space_on_8501():
    meta = front_matter()
    assert meta["sdk"] == "docker" and meta["app_port"] == "8501"
    assert meta["title"] and meta["emoji"] and meta["pinned"] in {"true", "false"}
    assert 0 < len(meta["short_description"]) <= 60
    body = (ROOT / "README.md").read_text().split("\n---\n", 1)[1]
    headings = [line for line in body.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Quick start"


def test_streamlit_config_hides_errors_and_sends_no_usage_stats():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["headless"] is True
    assert config["server"]["enableCORS"] is True


def build_context(target: Path) -> Path:
    """Copy the repository as `docker build` would see it (.dockerignore applied)."""
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignore(folder: str, names: list[str]) -> set[str]:
        relative = Path(folder).relative_to(ROOT)
        return {
            name
            for name in names
            for pattern in ignored
            if fnmatch(str(relative / name), pattern.removeprefix("**/"))
            or fnmatch(name, pattern.removeprefix("**/"))
        }

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def installed_app(tmp_path_factory) -> tuple[Path, Path]:
    """The Dockerfile's `COPY . .` and its two pip steps, into a fresh venv (about a minute)."""
    work = tmp_path_factory.mktemp("space")
    app = build_context(work / "app")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    pip = [str(work / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    for step in (["--require-hashes", "-r", "requirements.lock"], ["--no-deps", "."]):
        subprocess.run([*pip, *step], cwd=app, check=True, timeout=600)
    return app, work / "venv" / "bin"


def test_the_dockerfile_install_and_start_steps_serve_a_healthy_app(
    installed_app, dockerfile, tmp_path
):
    app, bin_dir = installed_app
    assert not (app / ".venv").exists() and not (app / ".git").exists()
    command = json.loads(dockerfile.arguments_of("CMD")[0])
    port = free_port()
    command = [str(bin_dir / command[0]), *command[1:]]
    command[-1] = f"--server.port={port}"
    env = {
        **dockerfile.env(),
        "HOME": str(tmp_path),
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "STUDYGAME_DATA_DIR": str(tmp_path / "data"),
    }
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(command, cwd=app, env=env, stdout=log, stderr=log)
    try:
        status = wait_for_health(f"http://127.0.0.1:{port}/_stcore/health", process)
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert status == 200, (tmp_path / "streamlit.log").read_text()
    # The installed package, not the source tree, served the app.
    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "import studygame; print(studygame.__file__)"],
        cwd=app, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "site-packages" in located.stdout
    # The Dockerfile's ENV wins over .streamlit/config.toml, as the Space needs.
    shown = subprocess.run(
        [str(bin_dir / "streamlit"), "config", "show"],
        cwd=app, env=env, capture_output=True, text=True, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert "enableXsrfProtection = false" in shown
    assert 'showErrorDetails = "none"' in shown


def wait_for_health(url: str, process: subprocess.Popen, timeout_s: float = 60) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            time.sleep(0.3)
    return -1


def test_streamlit_has_the_websocket_reconnect_fix():
    # 1.61 reconnects after a phone sleeps or a Space wakes; both hosts install from here.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (bound,) = [d.removeprefix("streamlit>=") for d in project["dependencies"] if "streamlit" in d]
    assert tuple(int(part) for part in bound.split(".")) >= (1, 61)
    assert "-e ." in (ROOT / "requirements.txt").read_text().splitlines()


def test_community_cloud_runs_the_pushed_code_without_a_reinstall(tmp_path):
    # Community Cloud installs requirements.txt (uv, else pip), then only copies files on a push.
    app = build_context(tmp_path / "app")
    uv = str(ROOT / ".venv" / "bin" / "uv")
    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "--quiet", "-p", sys.executable, str(venv)], check=True)
    install = [uv, "pip", "install", "--quiet", "-r", "requirements.txt"]
    subprocess.run(install, cwd=app, env={**os.environ, "VIRTUAL_ENV": str(venv)}, check=True)
    (app / "src" / "studygame" / "pushed.py").write_text('WHERE = "the push"\n')
    imported = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import studygame.pushed as p; print(p.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(imported.stdout.strip()) == app / "src" / "studygame" / "pushed.py"


def test_backups_md_gives_the_table_count_and_head_the_code_has():
    # The tables themselves are listed once, under "What --force may remove", and
    # tests/services/test_own_schema.py checks that list.
    text = (ROOT / "docs" / "backups.md").read_text()
    tables = set(Base.metadata.tables) | {"alembic_version"}
    assert f"`Restored {len(tables)} tables, N rows into" in text
    assert f"`Schema at {head_revision()} (head).`" in text
