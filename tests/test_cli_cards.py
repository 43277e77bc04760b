"""`studygame cards import/export`: added once, dry runs write nothing, one-sentence errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from studygame.cli import main
from studygame.models import CardState, OwnCard
from studygame.services.card_media import stored_image
from studygame.services.own_cards import own_cards_bank
from tests.services.card_files.anki_packages import real_png, spanish_package

QUIZLET = "hola\thello\nadiós\tgoodbye\ngracias\tthank you\n"


def run(*args: str):
    return CliRunner().invoke(main, ["cards", *args])


def stored_cards(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(OwnCard))
    engine.dispose()
    return count


@pytest.fixture
def quizlet_file(tmp_path):
    path = tmp_path / "Spanish.txt"
    path.write_text(QUIZLET, encoding="utf-8")
    return path


def test_a_dry_run_reports_and_writes_nothing(app_database, quizlet_file):
    result = run("import", str(quizlet_file), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Spanish.txt: 3 cards added, 0 already there; 0 left out.",
        "Dry run: nothing was written.",
    ]
    assert stored_cards(app_database) == 0


def test_importing_twice_adds_the_cards_once(app_database, quizlet_file):
    assert run("import", str(quizlet_file)).exit_code == 0
    again = run("import", str(quizlet_file), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.output) == {
        "file": "Spanish.txt",
        "format": "tsv",
        "dry_run": False,
        "added": 0,
        "already_there": 3,
        "images": 0,
        "reviews": 0,
        "skipped": [],
    }
    assert stored_cards(app_database) == 3


def test_skipped_rows_are_listed_with_their_reasons(app_database, tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("prompt,answer\nCapital of Peru?,Lima\nNo answer here,\n", encoding="utf-8")
    result = run("import", str(path), "--deck", "Geography")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "mixed.csv: 1 card added, 0 already there; 1 left out."
    assert lines[1].startswith("  line 3: ")


def test_a_file_that_cannot_be_read_is_one_sentence_and_writes_nothing(app_database, tmp_path):
    path = tmp_path / "broken.json"
    path.write_bytes(b"{not json")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.output == "Error: The file is not JSON: line 1 cannot be read.\n"
    assert stored_cards(app_database) == 0


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_an_export_imports_back_as_the_same_cards(
    app_database, quizlet_file, tmp_path, file_format
):
    run("import", str(quizlet_file), "--deck", "Spanish")
    out = tmp_path / f"cards.{file_format}"
    exported = run("export", "--format", file_format, "--out", str(out))
    assert exported.output == f"Wrote 3 cards to {out}.\n"
    back = run("import", str(out), "--json")
    # The same documents: a CSV row's key is its content, a bank document's its _id.
    assert (json.loads(back.output)["added"], json.loads(back.output)["already_there"]) == (0, 3)
    if file_format == "csv":
        first_row = out.read_text(encoding="utf-8-sig").splitlines()[1]
        assert first_row.startswith("Spanish,,flashcard,hola")


def test_an_anki_package_comes_in_with_its_image_and_history_and_goes_back_out(
    app_database, tmp_path
):
    package = tmp_path / "spanish.apkg"
    package.write_bytes(spanish_package())
    result = run("import", str(package), "--history")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "spanish.apkg: 3 cards added, 0 already there, 3 past reviews kept; 0 left out."
    ]
    engine = create_engine(app_database)
    with Session(engine) as session:
        bank = own_cards_bank(session)
        decks = {q.deck for q in bank.questions}
        (with_image,) = [q for q in bank.questions if q.image]
        assert stored_image(session, with_image.image) == (real_png(), "image/png")
        # The reversed card asks "the dog": the picture waits for its answer.
        (reversed_card,) = [q for q in bank.questions if q.explanation_image]
        assert reversed_card.prompt == "the dog"
        assert reversed_card.explanation_image == with_image.image
        states = session.scalars(select(CardState.question_id)).all()
    engine.dispose()
    assert decks == {"Spanish::Animals", "Default"}
    assert with_image.prompt == "el perro" and with_image.answer == "the dog"
    assert len(states) == 2  # the two cards with reviews are scheduled from them

    again = json.loads(run("import", str(package), "--history", "--json").output)
    assert (again["added"], again["already_there"], again["reviews"]) == (0, 3, 0)

    out = tmp_path / "mine.apkg"
    assert run("export", "--format", "apkg", "--out", str(out)).exit_code == 0
    back = json.loads(run("import", str(out), "--json").output)
    # Each note carries its question id: the export comes back as the very same cards.
    assert (back["added"], back["already_there"], back["images"], back["skipped"]) == (0, 3, 1, [])
