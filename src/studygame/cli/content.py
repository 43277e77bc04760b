"""What is studied: `content check` (the question bank) and `cards` (the learner's own)."""

from __future__ import annotations

import json

import click

from studygame.cli.common import settings_or_exit
from studygame.services.content import ContentUnavailable, load_bank


@click.group()
def content() -> None:
    """The question bank (MongoDB or the bundled sample decks)."""


@content.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def check(as_json: bool) -> None:
    """Load the question bank: questions per deck and type, every skipped document and why."""
    try:
        bank = load_bank(settings_or_exit())
    except ContentUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        report = {
            "source": bank.source,
            "questions": len(bank.questions),
            "decks": bank.decks,
            "skipped": [{"id": s.id, "reason": s.reason} for s in bank.skipped],
        }
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(f"Source: {bank.source}")
    click.echo(f"Questions: {len(bank.questions)}")
    click.echo(f"Decks: {len(bank.decks)}")
    for deck, count in bank.decks.items():
        click.echo(f"  {count:>5}  {deck}")
    click.echo("Types: " + ", ".join(f"{kind} {n}" for kind, n in bank.types.items()))
    click.echo(f"Skipped documents: {len(bank.skipped)}")
    for skipped in bank.skipped:
        click.echo(f"  {skipped.id}: {skipped.reason}")
