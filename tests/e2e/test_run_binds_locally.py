"""`studygame run` (what `make run` calls) listens on loopback only while the PIN gate is off."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import Page, expect

from studygame import cli

LISTEN = "0A"  # the TCP state code of a listening socket in /proc/net/tcp


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) of sockets listening on `port`."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == LISTEN:
                found.add(address)
    return found


LOOPBACK = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1 and ::1


def test_run_listens_on_loopback_only_in_local_development(start_server, phone_page: Page):
    studygame = Path(sys.executable).with_name("studygame")
    base_url = start_server(
        lambda port: [str(studygame), "run", f"--port={port}"], STREAMLIT_SERVER_HEADLESS="true"
    )
    addresses = listening_addresses(int(base_url.rsplit(":", 1)[1]))
    assert addresses and addresses <= LOOPBACK, addresses
    phone_page.goto(base_url)
    expect(phone_page.get_by_role("heading", name="StudyGame")).to_be_visible(timeout=30_000)


def test_run_serves_all_interfaces_only_when_asked_and_warns_without_a_pin(monkeypatch):
    commands = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command: commands.append(command) or 0)
    result = CliRunner().invoke(cli.main, ["run", "--address", "0.0.0.0", "--port", "8600"])
    assert result.exit_code == 0, result.output
    assert "--server.address=0.0.0.0" in commands[0]
    assert "--server.port=8600" in commands[0]
    assert "no APP_PIN" in result.output


def test_run_binds_loopback_by_default_without_a_warning(monkeypatch):
    commands = []
    monkeypatch.setattr(cli.subprocess, "call", lambda command: commands.append(command) or 0)
    result = CliRunner().invoke(cli.main, ["run"])
    assert result.exit_code == 0, result.output
    assert "--server.address=127.0.0.1" in commands[0]
    assert "Warning" not in result.output
