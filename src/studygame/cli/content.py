"""What is studied: `content check` (the question bank) and `cards` (the learner's own)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from studygame.cli.common import require_schema_at_head, settings_or_exit
from studygame.db import get_engine, session_scope
from studygame.domain.card_drafts import BadCardFile
from studygame.domain.wording import counted
from studygame.services.card_files import (
    EXPORT_FORMATS,
    WITH_MEDIA,
    read_card_file,
    write_card_file,
)
from studygame.services.content import ContentUnavailable, load_bank
from studygame.services.own_cards import cards_for_export, import_cards

# Skipped rows listed in a text report; --json lists them all.
SKIPPED_LISTED = 20


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


@click.group()
def cards() -> None:
    """Your own cards, kept in the database beside the question bank."""


@cards.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--deck", help="The deck for a table without a deck column (default: FILE's name).")
@click.option(
    "--history", is_flag=True, help="With an Anki package: its reviews too, so FSRS starts there."
)
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
def import_file(file: Path, deck: str | None, history: bool, dry_run: bool, as_json: bool) -> None:
    """Import cards: CSV/TSV, a Quizlet export, an Anki package or bank JSON; safe to rerun."""
    settings_or_exit()
    require_schema_at_head(get_engine())
    try:
        card_file = read_card_file(file.name, file.read_bytes(), deck=deck, with_history=history)
    except BadCardFile as exc:
        raise click.ClickException(str(exc)) from None
    with session_scope() as session:
        report = import_cards(session, card_file, now=datetime.now(UTC))
        if dry_run:
            session.rollback()
    if as_json:
        summary = {
            "file": file.name,
            "format": card_file.format,
            "dry_run": dry_run,
            "added": report.added,
            "already_there": report.already_there,
            "images": report.images,
            "reviews": report.reviews,
            "skipped": [{"where": s.where, "reason": s.reason} for s in report.skipped],
        }
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    reviews = f", {counted(report.reviews, 'past review')} kept" if history else ""
    # Left out: whole rows and cards, and parts of a card (an answer-side image, a sound).
    click.echo(
        f"{file.name}: {counted(report.added, 'card')} added, "
        f"{report.already_there:,} already there{reviews}; {len(report.skipped):,} left out."
    )
    for skipped in report.skipped[:SKIPPED_LISTED]:
        click.echo(f"  {skipped.where}: {skipped.reason}")
    if len(report.skipped) > SKIPPED_LISTED:
        click.echo(f"  … and {len(report.skipped) - SKIPPED_LISTED} more (--json lists all).")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@cards.command("export")
@click.option("--format", "file_format", type=click.Choice(EXPORT_FORMATS), default="csv")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (default: studygame-cards.<format> here).",
)
def export_file(file_format: str, out: Path | None) -> None:
    """Write your cards as a CSV (a spreadsheet, Quizlet), an Anki package, or bank JSON."""
    settings_or_exit()
    require_schema_at_head(get_engine())
    out = out or Path(f"studygame-cards.{file_format}")
    with session_scope() as session:
        exported = cards_for_export(session, with_media=file_format in WITH_MEDIA)
    out.write_bytes(write_card_file(file_format, exported.cards, exported.media))
    click.echo(f"Wrote {counted(len(exported.cards), 'card')} to {out}.")
