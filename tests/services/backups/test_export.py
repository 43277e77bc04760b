import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool

from studygame.config import get_settings
from studygame.db import make_engine, session_scope
from studygame.migrations import head_revision, schema_status
from studygame.models import LegacyImport
from studygame.services.backups.dump import stats_of
from studygame.services.backups.export import (
    ExportError,
    export_file_name,
    export_zip,
    import_export_zip,
)

from ..conftest import NOW


@pytest.fixture(scope="module")
def exported(study_database) -> bytes:
    engine = create_engine(study_database, poolclass=NullPool)
    with session_scope(engine) as session:
        data = export_zip(session, now=NOW)
    engine.dispose()
    return data


def _import(url: str, archive: bytes) -> dict[str, int]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with session_scope(engine) as session:
            return import_export_zip(session, archive=io.BytesIO(archive), now=NOW)
    finally:
        engine.dispose()


def test_export_then_import_gives_identical_checksums(study_database, scratch_url, exported):
    counts = _import(scratch_url, exported)

    assert stats_of(scratch_url) == stats_of(study_database)
    assert counts["attempts"] == 15
    engine = create_engine(scratch_url, poolclass=NullPool)
    assert schema_status(engine).at_head
    # The serial ids continue after the imported ones.
    with session_scope(engine) as session:
        session.add(
            LegacyImport(
                file_name="again.db",
                file_sha256="0" * 64,
                file_size=1,
                started_at=NOW,
                code_version="0.1.0",
            )
        )
    with session_scope(engine) as session:
        assert len(session.scalars(select(LegacyImport.id)).all()) == 2
    engine.dispose()


def test_the_export_holds_one_csv_per_table_and_a_manifest(exported):
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        attempts = archive.read("attempts.csv").decode()
    assert names == {f"{t}.csv" for t in manifest["tables"]} - {"alembic_version.csv"} | {
        "manifest.json"
    }
    assert manifest["format"] == "studygame-export/1"
    assert manifest["created_at"] == "2026-11-25T03:00:00Z"
    assert attempts.startswith("id,session_id,question_id,deck,topic,mode,given_answer,")
    assert export_file_name(NOW) == "studygame-export-2026-11-25T0300Z.zip"


def _rewrite(archive: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            target.writestr(member, change(data) if member == name else data)
    return out.getvalue()


def _flip_a_byte_in(archive: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        info = source.getinfo(name)
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(archive)
    damaged[data_start + info.compress_size // 2] ^= 0xFF
    return bytes(damaged)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"not a zip", "This file is not a StudyGame export (not a readable zip)."),
        (
            lambda data: _rewrite(data, "manifest.json", lambda m: b"{}"),
            "This zip is not a StudyGame export (its manifest.json is missing or bad).",
        ),
        (
            lambda data: _rewrite(data, "card_states.csv", lambda c: c.replace(b",2,", b",x,", 1)),
            "card_states.csv could not be loaded: invalid input syntax for type smallint",
        ),
        (
            lambda data: _rewrite(data, "attempts.csv", lambda c: c.replace(b"1066", b"1067", 1)),
            "The export does not load as its manifest says: attempts: same row count (15) but "
            "different contents.",
        ),
        (lambda data: _flip_a_byte_in(data, "attempts.csv"), "attempts.csv is damaged"),
    ],
    ids=["not a zip", "bad manifest", "bad value", "changed value", "damaged zip"],
)
def test_a_bad_export_changes_nothing(scratch_url, exported, damage, message):
    with pytest.raises(ExportError) as problem:
        _import(scratch_url, damage(exported))
    assert str(problem.value).startswith(message)
    # Not even the schema the import had begun to build is left behind.
    assert stats_of(scratch_url) == {}


def _manifest_revision(revision: str):
    def change(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["alembic_revision"] = revision
        return json.dumps(manifest).encode()

    return change


def test_a_manifest_naming_another_revision_says_which_the_file_and_database_have(
    scratch_url, exported
):
    edited = _rewrite(exported, "manifest.json", _manifest_revision("0003"))
    with pytest.raises(ExportError) as problem:
        _import(scratch_url, edited)
    assert str(problem.value) == (
        f"This export's manifest names schema revision 0003, but the database it was taken "
        f"from was at {head_revision()}: the manifest does not match the data, so nothing "
        "was imported."
    )
    assert stats_of(scratch_url) == {}


def test_a_manifest_naming_an_unknown_revision_says_so(scratch_url, exported):
    edited = _rewrite(exported, "manifest.json", _manifest_revision("0003"))
    edited = _rewrite(
        edited,
        "manifest.json",
        lambda m: m.replace(
            json.loads(m)["tables"]["alembic_version"]["checksum"].encode(), b"0" * 32
        ),
    )
    with pytest.raises(ExportError, match=r"was at a revision this StudyGame does not know:"):
        _import(scratch_url, edited)


def _answered_at(*moments: str):
    """Date the first answers of attempts.csv at `moments`, the rest as they are."""

    def change(data: bytes) -> bytes:
        rows = list(csv.DictReader(io.StringIO(data.decode())))
        for row, moment in zip(rows, moments, strict=False):
            row["answered_at"] = moment
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode()

    return change


def test_answers_outside_the_window_are_refused_with_their_reasons_and_nothing_is_written(
    scratch_url, exported
):
    ahead = NOW + timedelta(minutes=11)
    edited = _rewrite(
        exported,
        "attempts.csv",
        _answered_at("0001-01-01 00:00:00+00", f"{ahead:%Y-%m-%d %H:%M:%S+00}"),
    )
    with pytest.raises(ExportError) as problem:
        _import(scratch_url, edited)
    assert str(problem.value).startswith(
        "Nothing was imported: attempts.csv holds 2 answers that cannot be recorded (answer "
    )
    assert "it is dated 0001-01-01, before 2000-01-01" in str(problem.value)
    assert (
        f"it is dated {ahead:%Y-%m-%d %H:%M} UTC, more than 10 minutes ahead of the server's clock"
        in str(problem.value)
    )
    assert stats_of(scratch_url) == {}


def test_an_answer_ten_minutes_ahead_of_the_import_still_loads(scratch_url, exported):
    # Only the window is checked first: the edited row then fails the manifest's checksum.
    edited = _rewrite(
        exported,
        "attempts.csv",
        _answered_at(f"{NOW + timedelta(minutes=10):%Y-%m-%d %H:%M:%S+00}"),
    )
    with pytest.raises(ExportError, match=r"^The export does not load as its manifest says"):
        _import(scratch_url, edited)


def test_import_refuses_a_database_that_has_data(study_database, exported):
    before = stats_of(study_database)
    with pytest.raises(ExportError, match=r"^The target database already has data \(in .*attempts"):
        _import(study_database, exported)
    assert stats_of(study_database) == before


def test_the_local_development_database_cannot_be_exported():
    engine = make_engine(get_settings())
    with (
        pytest.raises(ExportError, match=r"^The export needs Postgres"),
        session_scope(engine) as s,
    ):
        export_zip(s, now=NOW)
    engine.dispose()
