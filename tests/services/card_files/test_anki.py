"""Anki packages in and out: real .apkg files, both layouts, every mapping and every refusal."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
import zlib
from datetime import UTC, datetime

import pytest
import zstandard

from studygame.domain.card_drafts import MAX_CARDS_PER_FILE, MEDIA_PREFIX, BadCardFile
from studygame.domain.questions import parse_question
from studygame.domain.rating import Rating
from studygame.services.card_files.anki_read import read_anki_package
from studygame.services.card_files.anki_write import write_anki_package

from .anki_packages import JPEG, PNG, Note, Review, latest_package, legacy_package, zip_of

BUILDERS = {"legacy": legacy_package, "latest": latest_package}


@pytest.fixture(params=BUILDERS)
def build(request):
    """A package builder: the schema 11 layout, then the zstd schema 18 one."""
    return BUILDERS[request.param]


def documents(card_file):
    return {draft.key: dict(draft.document) for draft in card_file.drafts}


def test_a_basic_note_is_one_flashcard_with_its_deck_and_tags(build):
    notes = [Note("g1", "Basic", ["hola", "hello"], tags="spanish greet", deck="Spanish::Verbs")]
    read = read_anki_package(build(notes))
    assert read.format == "apkg"
    assert documents(read) == {
        "anki:g1:0": {
            "type": "flashcard", "prompt": "hola", "answer": "hello",
            "deck": "Spanish::Verbs", "tags": ["spanish", "greet"],
        }
    }  # fmt: skip
    assert read.skipped == ()


def test_a_reversed_note_is_two_flashcards_one_each_way(build):
    notes = [Note("g2", "Basic (and reversed card)", ["perro", "dog"], ords=[0, 1])]
    found = documents(read_anki_package(build(notes)))
    assert (found["anki:g2:0"]["prompt"], found["anki:g2:0"]["answer"]) == ("perro", "dog")
    assert (found["anki:g2:1"]["prompt"], found["anki:g2:1"]["answer"]) == ("dog", "perro")


def test_an_optional_reverse_follows_the_cards_anki_made(build):
    notes = [
        Note("only", "Basic (optional reversed card)", ["gato", "cat", ""], ords=[0]),
        Note("both", "Basic (optional reversed card)", ["uno", "one", "y"], ords=[0, 1]),
    ]
    found = documents(read_anki_package(build(notes)))
    assert sorted(found) == ["anki:both:0", "anki:both:1", "anki:only:0"]
    assert found["anki:both:1"]["prompt"] == "one"


def test_type_in_the_answer_is_a_typed_card(build):
    notes = [Note("t", "Basic (type in the answer)", ["Capital of Peru?", "Lima"])]
    found = documents(read_anki_package(build(notes)))
    assert found["anki:t:0"] == {
        "type": "typed", "prompt": "Capital of Peru?", "answer": "Lima", "deck": "Default",
        "tags": [],
    }  # fmt: skip


def test_a_cloze_note_is_one_typed_card_per_cloze_number(build):
    text = "{{c1::Paris}} is the capital of {{c2::France::country}}, and {{c1::Paris}} is big"
    notes = [Note("c", "Cloze", [text, "<i>Extra</i> fact"], ords=[0, 1])]
    found = documents(read_anki_package(build(notes)))
    assert found["anki:c:0"]["prompt"] == "[...] is the capital of France, and [...] is big"
    assert found["anki:c:0"]["answer"] == "Paris"
    assert found["anki:c:1"]["prompt"] == "Paris is the capital of [country], and Paris is big"
    assert found["anki:c:1"]["answer"] == "France"
    assert {d["type"] for d in found.values()} == {"typed"}
    assert found["anki:c:0"]["explanation"] == "Extra fact"


def test_nested_clozes_hide_each_its_own_text_and_show_the_other(build):
    # Anki 2.1.56 and later: c1 hides "Canberra, in ACT", c2 only "ACT".
    text = "The capital is {{c1::Canberra, in {{c2::ACT::a territory}}}}; {{c3::odd}}}} stays"
    notes = [Note("n", "Cloze", [text, ""], ords=[0, 1, 2])]
    found = documents(read_anki_package(build(notes)))
    assert found["anki:n:0"]["prompt"] == "The capital is [...]; odd}} stays"
    assert found["anki:n:0"]["answer"] == "Canberra, in ACT"
    assert found["anki:n:1"]["prompt"] == "The capital is Canberra, in [a territory]; odd}} stays"
    assert found["anki:n:1"]["answer"] == "ACT"
    assert found["anki:n:2"]["answer"] == "odd"


def test_a_cloze_left_open_is_text(build):
    notes = [Note("o", "Cloze", ["{{c1::Lima}} and {{c2::never closed", ""], ords=[0, 1])]
    read = read_anki_package(build(notes))
    found = documents(read)
    assert found["anki:o:0"]["prompt"] == "[...] and {{c2::never closed"
    assert [s.reason for s in read.skipped] == ["Its card 2 has no cloze c2 in its text."]


def test_a_long_cloze_is_revealed_not_typed(build):
    notes = [Note("long", "Cloze", ["{{c1::the mitochondria make most of the energy}}.", ""])]
    assert documents(read_anki_package(build(notes)))["anki:long:0"]["type"] == "flashcard"


def test_a_note_type_with_one_field_is_skipped_with_its_reason(build):
    read = read_anki_package(build([Note("w", "Just a word", ["solo"])]))
    assert read.drafts == ()
    assert [(s.where, s.reason) for s in read.skipped] == [
        ("note 1690000000000", "Its note type has one field: a card needs a prompt and an answer.")
    ]


def test_field_html_becomes_plain_literal_text(build):
    front = "Line one<br>line&nbsp;two<div>three</div><b>bold</b> &lt;b&gt;not bold&lt;/b&gt;"
    back = "ok<script>alert('x')</script><img src=x onerror=alert(1)>&amp; done"
    found = documents(read_anki_package(build([Note("h", "Basic", [front, back])])))
    assert found["anki:h:0"]["prompt"] == "Line one\nline two\nthree\nbold <b>not bold</b>"
    assert found["anki:h:0"]["answer"] == "ok& done"


def test_a_field_that_is_only_script_is_skipped_not_run(build):
    read = read_anki_package(build([Note("s", "Basic", ["<script>steal()</script>", "x"])]))
    assert read.drafts == ()
    assert "prompt" in read.skipped[0].reason


def test_the_prompts_image_is_kept_with_its_bytes(build):
    notes = [
        Note("i", "Basic", ['Which bird? <img src="bird.png">', "robin"]),
        Note("p", "Basic", ['<img src="only.jpg">', "a photo"]),
    ]
    media = {"bird.png": PNG, "only.jpg": JPEG, "unused.png": PNG}
    read = read_anki_package(build(notes, media))
    found = documents(read)
    assert found["anki:i:0"]["image"] == MEDIA_PREFIX + "bird.png"
    assert found["anki:p:0"]["prompt"] == "(see the image)"
    assert dict(read.media) == {"bird.png": PNG, "only.jpg": JPEG}


def test_an_answer_side_image_goes_with_the_explanation_and_a_sound_is_left_out(build):
    notes = [Note("a", "Basic", ["bird [sound:song.mp3]", 'robin <img src="r.png">'])]
    read = read_anki_package(build(notes, {"r.png": PNG}))
    document = documents(read)["anki:a:0"]
    # Shown after the answer, the answer side's image cannot give it away.
    assert "image" not in document and document["explanation_image"] == "media:r.png"
    assert document["prompt"] == "bird"
    reasons = [s.reason for s in read.skipped]
    assert not any("r.png" in r for r in reasons)
    assert any("song.mp3" in r and "no audio" in r for r in reasons)
    assert read.media == {"r.png": PNG}


def test_a_third_image_is_left_out_and_said(build):
    notes = [
        Note("t", "Basic", ['<img src="q.png"> bird', 'robin <img src="r.png"><img src="s.png">'])
    ]
    read = read_anki_package(build(notes, {"q.png": PNG, "r.png": PNG, "s.png": PNG}))
    document = documents(read)["anki:t:0"]
    assert (document["image"], document["explanation_image"]) == ("media:q.png", "media:r.png")
    assert [s.reason for s in read.skipped] == [
        "Its image s.png was left out: a card shows one image with its prompt and one with "
        "its answer."
    ]
    assert set(read.media) == {"q.png", "r.png"}


def test_a_media_file_that_is_not_an_image_is_not_kept(build):
    notes = [Note("x", "Basic", ['<img src="evil.png"> what?', "that"])]
    read = read_anki_package(build(notes, {"evil.png": b"<svg onload=alert(1)>"}))
    assert "image" not in documents(read)["anki:x:0"]
    assert read.media == {}
    assert "not a PNG, JPEG, GIF or WebP" in read.skipped[0].reason


def test_keys_are_stable_so_the_same_file_twice_gives_the_same_drafts(build):
    notes = [Note("gX", "Basic (and reversed card)", ["a", "b"], ords=[0, 1])]
    assert read_anki_package(build(notes)) == read_anki_package(io.BytesIO(build(notes)))


def test_the_history_maps_ease_to_rating_and_leaves_out_reschedules(build):
    at = 1_700_000_000_000
    notes = [Note("r", "Basic", ["q", "a"]), Note("gone", "Just a word", ["w"])]
    reviews = [
        Review("r", 0, at, 1, 12_000, kind=0),
        Review("r", 0, at + 1000, 3, -5),
        Review("r", 0, at + 2000, 4),
        Review("r", 0, at + 3000, 0, 0, kind=4),
        Review("gone", 0, at + 4000, 3),
    ]
    read = read_anki_package(build(notes, reviews=reviews), with_history=True)
    assert [(r.card_key, r.rating, r.response_ms) for r in read.reviews] == [
        ("anki:r:0", Rating.AGAIN, 12_000),
        ("anki:r:0", Rating.GOOD, 0),
        ("anki:r:0", Rating.EASY, 5000),
    ]
    assert read.reviews[0].answered_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert any(s.where == "review history" and "not answers" in s.reason for s in read.skipped)
    assert read_anki_package(build(notes, reviews=reviews)).reviews == ()


def test_every_draft_reads_as_a_bank_question(build):
    notes = [
        Note("a", "Basic", ["q", "a"]),
        Note("b", "Cloze", ["{{c1::x}} y", ""]),
        Note("bad", "Basic", ["prompt", "answer\x07bell"]),
    ]
    read = read_anki_package(build(notes))
    for draft in read.drafts:
        parse_question({"_id": "x", **draft.document})
    assert [s.where for s in read.skipped] == ["note 1690000000002"]
    assert "control character" in read.skipped[0].reason


def test_a_colpkg_upload_is_read_the_same_way(build):
    upload = io.BytesIO(build([Note("g", "Basic", ["q", "a"])]))
    upload.name = "collection.colpkg"
    assert read_anki_package(upload).format == "colpkg"


def test_a_legacy_2_package_reads_collection_anki21():
    data = legacy_package([Note("n", "Basic", ["q", "a"])], collection_name="collection.anki21")
    assert len(read_anki_package(data).drafts) == 1


# Refusals: each one a clear sentence, and nothing read.


def refusal(data) -> str:
    with pytest.raises(BadCardFile) as raised:
        read_anki_package(data)
    return str(raised.value)


def test_a_file_that_is_not_a_zip_is_refused():
    assert refusal(b"SQLite format 3\x00 definitely not a zip") == (
        "This is not an Anki package (.apkg or .colpkg): it is not a zip file."
    )


def test_a_zip_without_a_collection_is_refused():
    assert "holds no Anki collection" in refusal(zip_of({"notes.txt": b"hello"}))


def test_a_collection_that_is_not_sqlite_is_refused():
    assert "not an SQLite database" in refusal(zip_of({"collection.anki2": b"x" * 5000}))
    latest = zip_of({"collection.anki21b": zstandard.ZstdCompressor().compress(b"x" * 5000)})
    assert "not an SQLite database" in refusal(latest)


def test_a_newer_package_version_is_refused_with_what_to_do():
    assert "newer Anki" in refusal(zip_of({"meta": b"\x08\x07", "collection.anki21b": b""}))


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "media\\..\\x", "C:evil", "a/../../b"])
def test_a_member_with_an_unsafe_path_is_refused(name):
    data = legacy_package([Note("n", "Basic", ["q", "a"])])
    with zipfile.ZipFile(io.BytesIO(data)) as original:
        members = {m.filename: original.read(m) for m in original.infolist()}
    assert "unsafe path" in refusal(zip_of(members | {name: b"x"}))


def lying_zip(real_size: int, declared_size: int) -> bytes:
    """A zip whose collection inflates to `real_size` zeros but declares `declared_size`."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    body = b"".join(compressor.compress(chunk) for _ in range(real_size >> 20)) + compressor.flush()
    # Written by hand (local header, deflated zeros, central directory): zipfile would not lie.
    name = b"collection.anki2"
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, 0, len(body), declared_size,
                        len(name), 0) + name  # fmt: skip
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, 0, len(body),
                          declared_size, len(name), 0, 0, 0, 0, 0, 0) + name  # fmt: skip
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return bytes(local + body + central + end)


def test_a_zip_bomb_that_declares_its_size_is_refused_before_inflating():
    started = time.monotonic()
    assert "zip bomb" in refusal(lying_zip(64 << 20, 1 << 30))
    assert time.monotonic() - started < 5


def test_a_zip_bomb_that_lies_about_its_size_is_refused_quickly():
    # 1 GB of zeros declared as 1 KB: reading stops at the declared size, far below 1 GB.
    started = time.monotonic()
    message = refusal(lying_zip(1 << 30, 1024))
    assert "damaged" in message or "zip bomb" in message
    assert time.monotonic() - started < 30


def test_a_zstd_collection_that_inflates_past_the_limit_is_refused():
    zeros = zstandard.ZstdCompressor(level=1).compressobj()
    chunk = bytes(1 << 20)
    bomb = b"".join(zeros.compress(chunk) for _ in range(300)) + zeros.flush()
    assert "larger than 256 MB" in refusal(zip_of({"collection.anki21b": bomb}))


def test_100001_notes_are_refused_quickly():
    data = legacy_package([Note(f"n{i}", "Basic", ["q", "a"]) for i in range(100_001)])
    started = time.monotonic()
    assert refusal(data) == (
        f"This package holds 100,001 notes; StudyGame imports at most {MAX_CARDS_PER_FILE:,} "
        "from one file."
    )
    assert time.monotonic() - started < 5


# Export: the learner's cards as a package Anki opens, and StudyGame reads back unchanged.

ROUND_TRIP = {
    "card:1": {
        "deck": "Spanish::Greetings", "topic": "Basics", "tags": ["es", "greet"], "type": "mcq",
        "prompt": "How do you say 'thank you'?", "choices": ["gracias", "hola", "adiós"],
        "answer": "gracias", "explanation": "Literally 'graces'.", "difficulty": 1,
    },
    "card:2": {
        "deck": "Maths", "tags": [], "type": "typed", "prompt": "2 ** 10?", "answer": "1024",
        "accepted": ["1,024", "one thousand twenty-four"], "image": MEDIA_PREFIX + "pow.png",
    },
    "card:3": {
        "deck": "Science", "tags": [], "type": "truefalse",
        "prompt": "Water boils at 100 °C at sea level.", "answer": "True",
    },
    "65f0c0ffee0000000000a001": {
        "deck": "Python Basics", "tags": ["html"], "type": "flashcard",
        "prompt": "What does <script>alert(1)</script> & &amp; do?\n  indented  twice",
        "answer": "Nothing here: it is <b>text</b>, 中文 ✓ 🙂",
    },
}  # fmt: skip


def test_an_export_reads_back_as_the_same_documents():
    exported = write_anki_package(ROUND_TRIP.items(), {"pow.png": PNG, "unused.png": PNG})
    read = read_anki_package(exported)
    assert read.skipped == ()
    assert dict(read.media) == {"pow.png": PNG}
    assert sorted(documents(read).values(), key=lambda d: d["prompt"]) == sorted(
        ROUND_TRIP.values(), key=lambda d: d["prompt"]
    )
    # Each card comes back under its question id, so its history follows it.
    assert {d.id: d.document["prompt"] for d in read.drafts} == {
        question_id: document["prompt"] for question_id, document in ROUND_TRIP.items()
    }


def test_exporting_twice_gives_the_same_keys():
    first = read_anki_package(write_anki_package(ROUND_TRIP.items(), {"pow.png": PNG}))
    again = read_anki_package(write_anki_package(ROUND_TRIP.items(), {"pow.png": PNG}))
    assert [d.key for d in first.drafts] == [d.key for d in again.drafts]
    assert len({d.key for d in first.drafts}) == len(ROUND_TRIP)


def test_an_export_is_a_schema_11_package_with_a_json_media_map():
    exported = write_anki_package(ROUND_TRIP.items(), {"pow.png": PNG})
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        assert sorted(archive.namelist()) == ["0", "collection.anki2", "media"]
        assert json.loads(archive.read("media")) == {"0": "pow.png"}
        assert archive.read("0") == PNG
