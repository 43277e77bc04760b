"""The `studygame` command: thin click commands that call services."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError

from studygame import __version__, migrations
from studygame.config import ConfigError, get_settings
from studygame.db import describe_connect_error, make_engine, session_scope

APP_ROOT = Path(__file__).resolve().parents[2]


def _settings_or_exit():
    try:
        return get_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.version_option(__version__, prog_name="studygame")
def main() -> None:
    """StudyGame: a self-hosted study game for one learner."""


@main.command()
@click.option("--port", default=8501, show_default=True, help="Port to serve the app on.")
def run(port: int) -> None:
    """Start the app (upgrading the local development database first)."""
    settings = _settings_or_exit()
    if settings.uses_local_database:
        migrations.upgrade(make_engine(settings, direct=True))
    home = APP_ROOT / "Home.py" if (APP_ROOT / "Home.py").is_file() else Path("Home.py")
    command = [sys.executable, "-m", "streamlit", "run", str(home), f"--server.port={port}"]
    raise SystemExit(subprocess.call(command))


@main.group()
def db() -> None:
    """The database schema."""


@db.command()
def upgrade() -> None:
    """Apply every migration (the same as `alembic upgrade head`), on the direct URL."""
    engine = make_engine(_settings_or_exit(), direct=True)
    try:
        migrations.upgrade(engine)
        status = migrations.schema_status(engine)
    except OperationalError as exc:
        raise click.ClickException(describe_connect_error(exc, engine)) from None
    click.echo(f"Schema at {status.current} (head).")


@main.command()
def doctor() -> None:
    """Check settings, database, question bank and backup tools; exit 1 if anything is wrong."""
    from studygame.services.doctor import Check, run_checks

    try:
        checks = run_checks(get_settings())
    except ConfigError as exc:
        checks = [Check("settings", False, str(exc))]
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        click.echo(f"{mark} {check.name:<14} {check.detail}")
    if not all(check.ok for check in checks):
        raise SystemExit(1)


@main.group()
def schedule() -> None:
    """The spaced-repetition schedule (FSRS card states)."""


@schedule.command()
def rebuild() -> None:
    """Recompute every card state by replaying all attempts in time order."""
    from studygame.services.schedule import learner_retention, rebuild_card_states

    _settings_or_exit()
    with session_scope() as session:
        retention = learner_retention(session)
        cards = rebuild_card_states(session, desired_retention=retention)
    click.echo(f"Rebuilt {cards} card states (desired retention {retention:.2f}).")


# --- question bank ---------------------------------------------------------------------------


@main.group()
def content() -> None:
    """The question bank (MongoDB or the bundled sample decks)."""


@content.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def check(as_json: bool) -> None:
    """Load the question bank: questions per deck and type, every skipped document and why."""
    import json

    from studygame.services.content import ContentUnavailable, load_bank

    try:
        bank = load_bank(_settings_or_exit())
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
