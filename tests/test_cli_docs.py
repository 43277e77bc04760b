"""The README's table of `studygame` commands lists every command the CLI has, and only those."""

from __future__ import annotations

import re
from pathlib import Path

import click

from studygame.cli import main

README = Path(__file__).resolve().parents[1] / "README.md"


def cli_commands(command: click.Command, path: tuple[str, ...] = ("studygame",)) -> set[str]:
    """Every runnable command line: a group that runs by itself counts, as `backup` does."""
    if not isinstance(command, click.Group):
        return {" ".join(path)}
    runnable = {" ".join(path)} if command.invoke_without_command else set()
    return runnable.union(
        *(cli_commands(sub, (*path, name)) for name, sub in command.commands.items())
    )


def documented_commands() -> set[str]:
    """The command words of each `studygame ...` in the table, without options or arguments."""
    rows = [line for line in README.read_text().splitlines() if line.startswith("| `studygame")]
    spans = [span for row in rows for span in re.findall(r"`(studygame[^`]*)`", row.split("|")[1])]
    return {" ".join(re.match(r"studygame(?: [a-z][a-z-]*)*", span)[0].split()) for span in spans}


def test_the_readme_lists_every_command_and_no_other():
    assert documented_commands() == cli_commands(main) - {"studygame"}
