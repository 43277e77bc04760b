"""The learner's own cards: checked by the bank's rules, stable ids, hidden not lost, imports."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from studygame.domain.card_drafts import CardDraft, CardFile, SkippedRow
from studygame.models import CardMedia, OwnCard
from studygame.services.content import build_bank
from studygame.services.own_cards import (
    ID_PREFIX,
    NO_SUCH_CARD,
    CardRefused,
    add_card,
    cards_for_export,
    delete_cards,
    edit_card,
    import_cards,
    move_cards,
    own_cards_bank,
)

NOW = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
CAPITAL = {"deck": "Geography", "prompt": "Capital of Peru?", "answer": "Lima", "type": "typed"}


def png(width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(params=["session", "sqlite_session"])
def db(request):
    """Every store test runs on Postgres and on the SQLite development file."""
    return request.getfixturevalue(request.param)


def test_a_card_is_added_with_a_stable_id_and_studied_as_the_bank_reads_it(db):
    card_id = add_card(db, CAPITAL, now=NOW)
    assert card_id.startswith(ID_PREFIX) and len(card_id) <= 64
    (question,) = own_cards_bank(db).questions
    assert (question.id, question.deck, question.type, question.answer) == (
        card_id,
        "Geography",
        "typed",
        "Lima",
    )


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"deck": "D", "answer": "x"}, "The document has no prompt"),
        ({"deck": "D", "prompt": "p"}, "The document has no answer"),
        ({"prompt": "p", "answer": "Lyon", "choices": ["Paris", "Nice"]}, "not one of the choices"),
        ({"prompt": "p", "answer": "a", "deck": "D" * 201}, "longer than 200"),
        ({"prompt": "p\x1b[2J", "answer": "a"}, "control character"),
    ],
)
def test_a_card_the_bank_would_skip_is_refused_with_its_reason_and_nothing_stored(
    db, document, reason
):
    with pytest.raises(CardRefused, match=reason):
        add_card(db, document, now=NOW)
    assert db.scalar(select(func.count()).select_from(OwnCard)) == 0


def test_editing_keeps_the_id_and_a_refused_edit_changes_nothing(db):
    card_id = add_card(db, CAPITAL, now=NOW)
    edit_card(db, card_id, {**CAPITAL, "answer": "Lima, Peru"}, now=NOW + timedelta(minutes=1))
    assert own_cards_bank(db).by_id[card_id].answer == "Lima, Peru"
    with pytest.raises(CardRefused):
        edit_card(db, card_id, {**CAPITAL, "prompt": ""}, now=NOW)
    assert own_cards_bank(db).by_id[card_id].prompt == "Capital of Peru?"


def test_deleting_hides_the_card_and_an_edit_of_it_from_another_tab_is_refused(db):
    kept, hidden = add_card(db, CAPITAL, now=NOW), add_card(db, CAPITAL, now=NOW)
    assert delete_cards(db, [hidden], now=NOW) == 1
    assert delete_cards(db, [hidden], now=NOW) == 0
    assert [q.id for q in own_cards_bank(db).questions] == [kept]
    with pytest.raises(CardRefused, match="not among your cards"):
        edit_card(db, hidden, CAPITAL, now=NOW)
    assert NO_SUCH_CARD.count(".") == 1


def test_moving_cards_is_all_or_nothing(db):
    first, second = add_card(db, CAPITAL, now=NOW), add_card(db, CAPITAL, now=NOW)
    assert move_cards(db, [first, second], "South America", now=NOW) == 2
    assert set(own_cards_bank(db).decks) == {"South America"}
    with pytest.raises(CardRefused, match="longer than 200"):
        move_cards(db, [first, second], "x" * 201, now=NOW)


def draft(key: str, **fields) -> CardDraft:
    return CardDraft(key, {"deck": "Imported", "prompt": f"Q {key}", "answer": "A", **fields})


def test_an_import_adds_each_card_once_however_often_the_file_comes(db):
    card_file = CardFile(
        "csv",
        (draft("csv:1"), draft("csv:2"), draft("csv:bad", prompt="")),
        skipped=(SkippedRow("line 9", "The row has one column."),),
    )
    first = import_cards(db, card_file, now=NOW)
    assert (first.added, first.already_there) == (2, 0)
    assert [s.where for s in first.skipped] == ["line 9", "card csv:bad"]
    again = import_cards(db, card_file, now=NOW)
    assert (again.added, again.already_there) == (0, 2)
    assert len(own_cards_bank(db).questions) == 2


def test_a_deleted_imported_card_does_not_come_back_with_the_same_file(db):
    card_file = CardFile("csv", (draft("csv:1"),))
    import_cards(db, card_file, now=NOW)
    delete_cards(db, [q.id for q in own_cards_bank(db).questions], now=NOW)
    assert import_cards(db, card_file, now=NOW).added == 0


def test_imported_images_are_stored_once_and_a_missing_or_broken_one_skips_only_its_card(db):
    card_file = CardFile(
        "apkg",
        (
            draft("anki:a:0", image="media:flag.png"),
            draft("anki:b:0", image="media:flag.png"),
            draft("anki:c:0", image="media:gone.png"),
            draft("anki:d:0", image="media:junk.png"),
        ),
        media={"flag.png": png(), "junk.png": b"<script>alert(1)</script>"},
    )
    report = import_cards(db, card_file, now=NOW)
    assert report.added == 2 and report.images == 1
    assert {s.where for s in report.skipped} == {"image junk.png", "card anki:c:0", "card anki:d:0"}
    images = {q.image for q in own_cards_bank(db).questions}
    (stored,) = db.scalars(select(CardMedia.sha256)).all()
    assert images == {f"media:{stored}"}


def test_a_csv_pointing_at_an_image_already_stored_keeps_it(db):
    import_cards(
        db, CardFile("apkg", (draft("a", image="media:f.png"),), {"f.png": png()}), now=NOW
    )
    (reference,) = {q.image for q in own_cards_bank(db).questions}
    report = import_cards(db, CardFile("csv", (draft("b", image=reference),)), now=NOW)
    assert report.added == 1 and not report.skipped


def test_own_cards_join_the_bank_and_one_clashing_with_a_bank_id_is_skipped(db):
    bank = build_bank("bundled", [{"_id": "own-x", "prompt": "p", "answer": "a"}])
    mine = add_card(db, CAPITAL, now=NOW)
    db.add(OwnCard(id="own-x", document=CAPITAL, created_at=NOW, updated_at=NOW))
    joined = bank.with_own_cards(own_cards_bank(db))
    assert [q.id for q in joined.questions] == ["own-x", mine]
    assert joined.by_id["own-x"].prompt == "p"
    assert [s.id for s in joined.skipped] == ["own-x"]


def test_an_export_carries_live_cards_and_in_a_package_their_images_as_files(db):
    import_cards(
        db, CardFile("apkg", (draft("a", image="media:f.png"),), {"f.png": png()}), now=NOW
    )
    hidden = add_card(db, CAPITAL, now=NOW)
    delete_cards(db, [hidden], now=NOW)
    (stored,) = db.scalars(select(CardMedia.sha256)).all()

    package = cards_for_export(db, with_media=True)
    ((_, document),) = package.cards
    assert document["image"] == f"media:{stored}.png"
    assert package.media == {f"{stored}.png": png()}

    csv_export = cards_for_export(db, with_media=False)
    assert csv_export.cards[0][1]["image"] == f"media:{stored}" and csv_export.media == {}


def test_two_tabs_importing_the_same_file_at_once_add_each_card_once(own_database_url):
    # The second import waits on the first's unique keys, then finds its cards there.
    engine = create_engine(own_database_url)
    card_file = CardFile("csv", tuple(draft(f"csv:{n}") for n in range(200)))
    first, second = Session(engine), Session(engine)
    try:
        assert import_cards(first, card_file, now=NOW).added == 200
        reports: list = []
        racing = threading.Thread(
            target=lambda: reports.append(import_cards(second, card_file, now=NOW))
        )
        racing.start()
        racing.join(timeout=1)
        assert racing.is_alive()  # blocked on the first tab's uncommitted keys
        first.commit()
        racing.join(timeout=30)
        second.commit()
        assert (reports[0].added, reports[0].already_there) == (0, 200)
        with Session(engine) as check:
            assert check.scalar(select(func.count()).select_from(OwnCard)) == 200
    finally:
        first.close()
        second.close()
        engine.dispose()
