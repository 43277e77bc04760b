"""The old SQLite file's import, on the real Postgres test database (rolled back per test)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from studygame import migrations
from studygame.models import Attempt, LegacyImport, LegacyImportReject, StudySession
from studygame.services.legacy import importer as legacy

T0 = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # the import's clock
SESSIONS = [
    {
        "id": 1,
        "started_at": "2025-03-14 09:20:00",
        "ended_at": "2025-03-14 09:40:00",
        "mode": "quiz",
    },
    {"id": 2, "started_at": "2025-03-15 10:00:00", "ended_at": None, "mode": "Review"},
]
CANONICAL_ANSWERS = [
    {
        "session_id": 1,
        "question_id": "64b7f0c2a1b2c3d4e5f60718",
        "topic": "capitals",
        "user_answer": "Paris",
        "correct": 1,
        "time_taken": 1.2344,
        "created_at": "2025-03-14 09:26:53",
    },
    {
        "session_id": 1,
        "question_id": "q2",
        "topic": None,
        "user_answer": "Lyon",
        "correct": 0,
        "time_taken": None,
        "created_at": "2025-03-14 09:27:10",
    },
    {
        "session_id": 2,
        "question_id": "q3",
        "topic": "rivers",
        "user_answer": "Seine",
        "correct": 1,
        "time_taken": 0.5006,
        "created_at": "2025-03-15 10:01:00",
    },
]
# Nothing NOT NULL, as in files whose old app lost its constraints in a rebuild.
LOOSE_SCHEMA = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at TEXT, ended_at TEXT, mode TEXT);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY, session_id, question_id, topic, user_answer, correct, time_taken,
    created_at
);
"""


LEGACY_SCHEMA_WITHOUT_CREATED_AT = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at TEXT, ended_at TEXT, mode TEXT);
CREATE TABLE answers (
    id INTEGER PRIMARY KEY, session_id, question_id, topic, user_answer, correct, time_taken
);
"""


def legacy_schema(
    *,
    answers: str = "answers",
    correct: str = "correct",
    created_at: str = "created_at",
    time_taken: str = "time_taken REAL",
    extra: str = "",
    sessions: bool = True,
) -> str:
    """The old schema with the drifts real files show, one keyword per drift."""
    session_table = (
        "CREATE TABLE sessions (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,"
        " ended_at TEXT, mode TEXT);"
        if sessions
        else ""
    )
    return (
        f"{session_table} CREATE TABLE {answers} (id INTEGER PRIMARY KEY AUTOINCREMENT,"
        f" session_id INTEGER, question_id TEXT NOT NULL, topic TEXT, user_answer TEXT,"
        f" {correct} NOT NULL, {time_taken}, {created_at} NOT NULL{extra});"
    )


def run_import(session: Session, path, **options) -> legacy.ImportReport:
    return legacy.import_legacy_file(session, path=path, clock=lambda: NOW, **options)


def reasons(**counts: int) -> dict[str, int]:
    return {reason: counts.get(reason, 0) for reason in legacy.REJECT_REASONS}


def imported(session: Session, report: legacy.ImportReport) -> dict[str, Attempt]:
    rows = session.scalars(select(Attempt).where(Attempt.legacy_import_id == report.import_id))
    return {attempt.question_id: attempt for attempt in rows}


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_canonical_file_imports_every_answer_with_its_session(session, legacy_db):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    files = file_states(path)

    report = run_import(session, path)

    assert report.as_json() == {
        "read": 3,
        "imported": 3,
        "rejected": 0,
        "reject_reasons": reasons(),
        "already_imported": 0,
    }
    assert report.sessions_imported == 2
    attempts = imported(session, report)
    first = attempts["64b7f0c2a1b2c3d4e5f60718"]
    assert (first.answered_at, first.is_correct, first.response_ms) == (T0, True, 1234)
    assert (first.topic, first.given_answer, first.mode) == ("capitals", "Paris", "quiz")
    assert (first.source, first.rating, first.points, first.deck) == ("legacy", None, 0, None)
    assert first.legacy_extra is None
    assert attempts["q2"].response_ms is None
    assert attempts["q3"].response_ms == 501
    assert attempts["q3"].mode == "review"
    sitting = session.get(StudySession, first.session_id)
    assert (sitting.source, sitting.mode, sitting.answered, sitting.correct) == (
        "legacy",
        "quiz",
        2,
        1,
    )
    assert sitting.started_at == datetime(2025, 3, 14, 9, 20, tzinfo=UTC)
    assert sitting.ended_at == datetime(2025, 3, 14, 9, 40, tzinfo=UTC)
    record = session.get(LegacyImport, report.import_id)
    # The hash of the content, not of the file's bytes: see the WAL tests.
    assert (record.file_name, record.file_sha256, record.file_size) == (
        "study.db",
        report.content_sha256,
        path.stat().st_size,
    )
    assert (record.rows_read, record.rows_imported, record.rows_rejected) == (3, 3, 0)
    assert record.code_version.startswith("cli/studygame ")
    assert record.started_at == NOW
    assert record.finished_at == NOW
    assert file_states(path) == files  # bytes and modification times


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-14 09:26:53", T0),
        ("2025-03-14T09:26:53", T0),
        ("2025-03-14T09:26:53Z", T0),
        ("2025-03-14T09:26:53.250Z", T0.replace(microsecond=250000)),
        ("2025-03-14T11:26:53+02:00", T0),
        ("2025-03-14T04:26:53.5-05:00", T0.replace(microsecond=500000)),
        (1741944413, T0),
        (1741944413000, T0),
        (1741944413.25, T0.replace(microsecond=250000)),
        (1741944413250.0, T0.replace(microsecond=250000)),
        ("1741944413", T0),
        ("1741944413000", T0),
        (" 2025-03-14 09:26:53 ", T0),
    ],
)
def test_every_timestamp_format_becomes_utc(session, legacy_db, raw, expected):
    row = {"question_id": "q1", "correct": 1, "created_at": raw}
    report = run_import(session, legacy_db(tables={"answers": [row]}))
    assert imported(session, report)["q1"].answered_at == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, False),
        (1, True),
        ("0", False),
        ("1", True),
        ("true", True),
        ("false", False),
        ("True", True),
        ("False", False),
        ("yes", True),
        ("no", False),
        ("YES", True),
    ],
)
def test_every_boolean_spelling(session, legacy_db, raw, expected):
    row = {"question_id": "q1", "correct": raw, "created_at": "2025-03-14 09:26:53"}
    report = run_import(session, legacy_db(tables={"answers": [row]}))
    assert imported(session, report)["q1"].is_correct is expected


@pytest.mark.parametrize(
    ("column", "raw", "expected_ms", "kept"),
    [
        ("time_taken REAL", 1.2344, 1234, None),
        ("time_taken REAL", 1.2346, 1235, None),
        ("time_taken REAL", 12, 12000, None),
        ("time_taken REAL", None, None, None),
        ("time_taken TEXT", "2.5", 2500, None),
        ("time_taken TEXT", "slow", None, "slow"),
        ("time_taken REAL", -1.0, None, -1.0),
        ("response_ms INTEGER", 1234, 1234, None),
        ("response_ms INTEGER", None, None, None),
        ("response_ms TEXT", "987", 987, None),
    ],
)
def test_response_time_in_milliseconds(session, legacy_db, column, raw, expected_ms, kept):
    name = column.split()[0]
    row = {"question_id": "q1", "correct": 1, "created_at": "2025-03-14 09:26:53", name: raw}
    report = run_import(
        session, legacy_db(tables={"answers": [row]}, schema=legacy_schema(time_taken=column))
    )
    attempt = imported(session, report)["q1"]
    assert attempt.response_ms == expected_ms
    assert attempt.legacy_extra == (None if kept is None else {name: kept})


DRIFTS = {
    "canonical": {},
    "attempts table": {"answers": "attempts"},
    "is_correct": {"correct": "is_correct"},
    "answered_at": {"created_at": "answered_at"},
    "timestamp": {"created_at": "timestamp"},
    "response_ms": {"time_taken": "response_ms INTEGER"},
    "no sessions table": {"sessions": False},
    "extra columns": {"extra": ", difficulty INTEGER, device TEXT"},
}


def drifted_file(legacy_db, drifts: dict):
    """A file with these drifts, holding one answer per session case, with matching values."""
    schema = legacy_schema(**drifts)
    table = drifts.get("answers", "answers")
    correct = drifts.get("correct", "correct")
    created_at = drifts.get("created_at", "created_at")
    time_name = drifts.get("time_taken", "time_taken").split()[0]
    time_value = 1500 if time_name == "response_ms" else 1.5
    extra = {"difficulty": 3, "device": "phone"} if "extra" in drifts else {}
    answers = [
        {
            "question_id": f"q{n}",
            "session_id": session_id,
            correct: "yes",
            time_name: time_value,
            created_at: "2025-03-14T09:26:53Z",
            **extra,
        }
        for n, session_id in enumerate((1, None, 99))
    ]
    tables = {table: answers}
    if drifts.get("sessions", True):
        tables = {"sessions": SESSIONS[:1], **tables}
    return legacy_db(tables=tables, schema=schema)


@pytest.mark.parametrize("drift", list(DRIFTS), ids=list(DRIFTS))
def test_each_drift_alone_imports_completely(session, legacy_db, drift):
    drifts = DRIFTS[drift]
    check_drifted_import(session, drifted_file(legacy_db, drifts), drifts)


def test_all_drifts_at_once(session, legacy_db):
    drifts = {key: value for drift in DRIFTS.values() for key, value in drift.items()}
    check_drifted_import(session, drifted_file(legacy_db, drifts), drifts)


def check_drifted_import(session, path, drifts):
    digest = sha256(path)
    report = run_import(session, path)
    assert (report.read, report.imported, report.rejected) == (3, 3, 0)
    attempts = imported(session, report)
    extra = {"difficulty": 3, "device": "phone"} if "extra" in drifts else {}
    for attempt in attempts.values():
        assert (attempt.answered_at, attempt.is_correct, attempt.response_ms) == (T0, True, 1500)
    has_sessions = drifts.get("sessions", True)
    assert (attempts["q0"].session_id is not None) is has_sessions
    assert attempts["q0"].legacy_extra == (
        (extra or None) if has_sessions else {**extra, "session_id": 1}
    )
    assert attempts["q1"].session_id is None
    assert attempts["q1"].legacy_extra == (extra or None)
    # A dangling session id imports with no session; the old id stays with the answer.
    assert attempts["q2"].session_id is None
    assert attempts["q2"].legacy_extra == {**extra, "session_id": 99}
    again = run_import(session, path)
    assert (again.read, again.imported, again.rejected, again.already_imported) == (3, 0, 0, 3)
    assert sha256(path) == digest


def test_rejects_keep_the_raw_row_and_reason(session, legacy_db):
    good = {"question_id": "q1", "correct": 1, "created_at": "2025-03-14 09:26:53"}
    rows = [
        good,
        {**good, "question_id": None},
        {**good, "question_id": ""},
        {**good, "question_id": "   "},
        {**good, "created_at": "yesterday"},
        {**good, "created_at": None},
        {**good, "created_at": ""},
        {**good, "correct": "maybe"},
        {**good, "question_id": "x" * 65},
    ]
    path = legacy_db(tables={"answers": rows}, schema=LOOSE_SCHEMA)

    report = run_import(session, path)

    assert report.as_json() == {
        "read": 9,
        "imported": 1,
        "rejected": 8,
        "reject_reasons": reasons(
            missing_question_id=3, bad_timestamp=3, bad_correct=1, bad_question_id=1
        ),
        "already_imported": 0,
    }
    assert report.imported + report.rejected == report.read
    rejects = {
        reject.source_rowid: reject
        for reject in session.scalars(
            select(LegacyImportReject).where(LegacyImportReject.import_id == report.import_id)
        )
    }
    assert sorted(rejects) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert rejects[2].reason == "missing_question_id"
    assert rejects[2].source_table == "answers"
    assert rejects[5].reason == "bad_timestamp"
    assert rejects[5].raw_row == {
        "id": 5,
        "session_id": None,
        "question_id": "q1",
        "topic": None,
        "user_answer": None,
        "correct": 1,
        "time_taken": None,
        "created_at": "yesterday",
    }
    assert rejects[5].rejected_at == NOW


def test_a_session_without_a_readable_start_is_dated_by_its_first_answer(session, legacy_db):
    sessions = [{"id": 1, "started_at": "soon", "mode": "quiz"}, {"id": 2, "started_at": None}]
    answers = [
        {"session_id": 1, "question_id": "q1", "correct": 1, "created_at": "2025-03-14 09:26:53"},
        {"session_id": 2, "question_id": "q2", "correct": 1, "created_at": "2025-03-14 09:26:53"},
    ]
    path = legacy_db(
        tables={"sessions": [*sessions, {"id": 3}], "answers": answers}, schema=LOOSE_SCHEMA
    )

    report = run_import(session, path)

    attempts = imported(session, report)
    sitting = session.get(StudySession, attempts["q1"].session_id)
    assert sitting.started_at == T0
    assert sitting.legacy_extra == {"started_at": "soon"}
    # Session 3 has no answers and no time at all: kept as a reject, not counted as an answer.
    session_rejects = session.scalars(
        select(LegacyImportReject).where(
            LegacyImportReject.import_id == report.import_id,
            LegacyImportReject.source_table == "sessions",
        )
    ).all()
    assert [(r.source_rowid, r.reason) for r in session_rejects] == [(3, "bad_timestamp")]
    assert (report.read, report.imported, report.rejected) == (2, 2, 0)


def test_a_file_with_no_answers_imports_nothing(session, legacy_db):
    report = run_import(session, legacy_db(tables={}))
    assert report.as_json()["read"] == 0
    assert session.get(LegacyImport, report.import_id).rows_read == 0


def test_a_second_run_imports_nothing_twice_and_another_file_imports_alongside(session, legacy_db):
    rows = [*CANONICAL_ANSWERS, {"question_id": "", "correct": 1, "created_at": "x"}]
    path = legacy_db(tables={"sessions": SESSIONS, "answers": rows})
    first = run_import(session, path)
    counts = attempt_counts(session)

    again = run_import(session, path)

    assert (first.imported, first.rejected) == (3, 1)
    assert again.as_json() == {
        "read": 4,
        "imported": 0,
        "rejected": 0,
        "reject_reasons": reasons(),
        "already_imported": 4,
    }
    assert again.question_ids == frozenset()
    assert attempt_counts(session) == counts
    assert session.get(LegacyImport, again.import_id).rows_already_imported == 4
    other = legacy_db(tables={"answers": CANONICAL_ANSWERS[:1]}, name="laptop.db")
    assert run_import(session, other).imported == 1


def attempt_counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Attempt, StudySession, LegacyImportReject)
    )


def test_dry_run_reports_the_same_numbers_and_writes_nothing(session, legacy_db):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    imports = session.scalar(select(func.count()).select_from(LegacyImport))
    counts = attempt_counts(session)

    report = run_import(session, path, dry_run=True)

    assert (report.read, report.imported) == (3, 3)
    # The caller's transaction is intact and usable.
    assert attempt_counts(session) == counts
    assert session.scalar(select(func.count()).select_from(LegacyImport)) == imports


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"question_id,correct\nq1,1\n", "is not an SQLite database"),
        (b"", "has no answers or attempts table"),
        ("truncated", "is a damaged SQLite database"),
        ("corrupt", "is a damaged SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 4000, "is not an SQLite database"),
        ("no created_at", "has an answers table without a created_at column"),
    ],
    ids=["text", "empty", "truncated", "corrupt", "bad header", "no created_at"],
)
def test_a_bad_file_is_refused_in_one_sentence_and_changes_nothing(
    session, legacy_db, tmp_path, content, problem
):
    if content == "truncated":
        path = legacy_db(tables={"answers": CANONICAL_ANSWERS * 400})
        content = path.read_bytes()[: len(path.read_bytes()) // 2]
    elif content == "corrupt":
        path = legacy_db(tables={"answers": CANONICAL_ANSWERS * 400})
        content = bytearray(path.read_bytes())
        content[3 * 4096 : 3 * 4096 + 600] = b"\xa5" * 600  # the middle of an answers page
        content = bytes(content)
    elif content == "no created_at":
        # The column is missed only once the COPY has begun: the savepoint must undo it.
        rows = [{k: v for k, v in row.items() if k != "created_at"} for row in CANONICAL_ANSWERS]
        schema = LEGACY_SCHEMA_WITHOUT_CREATED_AT
        content = legacy_db(tables={"sessions": SESSIONS, "answers": rows}, schema=schema)
        content = content.read_bytes()
    path = tmp_path / "broken.db"
    path.write_bytes(content)
    digest = sha256(path)
    counts = attempt_counts(session)
    imports = session.scalar(select(func.count()).select_from(LegacyImport))

    with pytest.raises(legacy.LegacyFileError) as caught:
        run_import(session, path)

    message = str(caught.value)
    assert message.startswith(str(path)) and problem in message
    assert message.count(". ") == 0 and message.endswith(".")
    # The caller's transaction is intact and usable.
    assert attempt_counts(session) == counts
    assert session.scalar(select(func.count()).select_from(LegacyImport)) == imports
    assert sha256(path) == digest


def test_a_missing_file_is_one_sentence(session, tmp_path):
    with pytest.raises(legacy.LegacyFileError, match=r"nowhere\.db cannot be read: No such file"):
        run_import(session, tmp_path / "nowhere.db")


def test_the_sqlite_development_database_takes_the_plain_insert_path(legacy_db, tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    migrations.upgrade(engine)
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    try:
        for expected in (3, 0):
            with Session(engine) as dev, dev.begin():
                report = run_import(dev, path)
                assert report.imported == expected
                assert report.read == 3
        with Session(engine) as dev:
            attempt = dev.scalars(select(Attempt).where(Attempt.question_id == "q3")).one()
            assert (attempt.answered_at, attempt.response_ms) == (
                datetime(2025, 3, 15, 10, 1, tzinfo=UTC),
                501,
            )
            assert isinstance(attempt.session_id, uuid.UUID)
    finally:
        engine.dispose()


def test_rows_already_there_without_their_import_record_are_skipped(session, legacy_db):
    # A hand-cleaned database: the import record is gone but its attempts stayed, so the
    # fast straight-in COPY meets existing ids and the import falls back to skipping them.
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    first = run_import(session, path)
    session.execute(delete(LegacyImport).where(LegacyImport.id == first.import_id))

    again = run_import(session, path)

    assert (again.read, again.imported, again.already_imported) == (3, 0, 3)


def test_text_that_is_not_utf8_is_kept_with_the_bad_bytes_replaced(session, legacy_db):
    path = legacy_db(tables={})
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO answers (question_id, correct, created_at, user_answer)"
        " VALUES ('q1', 1, '2025-03-14 09:26:53', CAST(X'63616678e9' AS TEXT))"
    )
    db.commit()
    db.close()

    report = run_import(session, path)

    assert imported(session, report)["q1"].given_answer == "cafx\ufffd"


def test_nul_characters_that_postgres_cannot_store_are_dropped(session, legacy_db):
    row = {
        "question_id": "q1",
        "correct": 1,
        "created_at": "2025-03-14 09:26:53",
        "topic": "to\x00pic",
        "user_answer": "a\x00b",
        "note": "n\x00",
    }
    path = legacy_db(tables={"answers": [row]}, schema=legacy_schema(extra=", note TEXT"))

    attempt = imported(session, run_import(session, path))["q1"]

    assert (attempt.topic, attempt.given_answer, attempt.legacy_extra) == (
        "topic",
        "ab",
        {"note": "n"},
    )


def test_the_importer_never_imports_the_app_models():
    # Revision 0002 runs these modules: they must not depend on models that change later;
    # pure domain rules (the answer window) are what the import must apply, now and later.
    modules = {"importer", "sqlite", "rows", "write"}
    imported_modules = set()
    for module in modules:
        source = (Path(legacy.__file__).parent / f"{module}.py").read_text()
        imported_modules |= set(re.findall(r"^from (studygame\S*) import", source, re.MULTILINE))
    assert imported_modules == {
        "studygame",
        "studygame.domain.answer_time",
        "studygame.domain.legacy_values",
        "studygame.domain.modes",
        "studygame.services.legacy",
        *(f"studygame.services.legacy.{module}" for module in modules - {"importer"}),
    }


def test_a_path_with_uri_characters_is_opened_as_the_file_it_names(session, legacy_db):
    path = legacy_db(tables={"answers": CANONICAL_ANSWERS}, name="old #1 ?x=y 100%.db")
    assert run_import(session, path).imported == 3


FOREIGN_KEYS = text(
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
    " WHERE conrelid = 'attempts'::regclass AND contype = 'f' ORDER BY conname"
)


def test_the_foreign_keys_are_back_and_hold_after_an_import(session, legacy_db):
    keys = session.execute(FOREIGN_KEYS).all()
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})

    run_import(session, path)

    assert len(keys) == 2
    assert session.execute(FOREIGN_KEYS).all() == keys


def test_a_role_that_does_not_own_the_tables_imports_with_the_keys_in_place(
    database_url, legacy_db
):
    role = f"studygame_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(text(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"))
        connection.execute(text(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    engine = create_engine(make_url(database_url).set(username=role))
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    try:
        with Session(engine) as session, session.begin():
            keys = session.execute(FOREIGN_KEYS).all()
            assert run_import(session, path).imported == 3
            assert session.execute(FOREIGN_KEYS).all() == keys
            session.rollback()
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


@pytest.mark.parametrize(
    ("answered_at", "reason"),
    [
        (NOW + timedelta(minutes=10), None),
        (NOW + timedelta(minutes=10, seconds=1), "timestamp_out_of_range"),
        (NOW + timedelta(days=1), "timestamp_out_of_range"),
        (datetime(2000, 1, 1, tzinfo=UTC), None),
        (datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC), "timestamp_out_of_range"),
        (datetime(1, 1, 1, tzinfo=UTC), "timestamp_out_of_range"),
    ],
)
def test_answers_are_in_the_answer_window_from_2000_to_ten_minutes_after_the_import(
    session, legacy_db, answered_at, reason
):
    row = {"question_id": "q1", "correct": 1, "created_at": answered_at.isoformat()}
    path = legacy_db(tables={"answers": [row]})

    dry = run_import(session, path, dry_run=True)
    report = run_import(session, path)

    assert dry.as_json() == report.as_json()
    assert report.reject_reasons == reasons(**({reason: 1} if reason else {}))
    assert report.imported == (0 if reason else 1)


def test_answers_outside_the_window_are_kept_as_rejects_and_every_row_is_counted_once(
    session, legacy_db
):
    moments = [NOW, datetime(1, 1, 1, tzinfo=UTC), NOW + timedelta(hours=1), NOW]
    rows = [
        {"question_id": f"w{i}", "correct": 1, "created_at": moment.isoformat()}
        for i, moment in enumerate(moments)
    ]
    path = legacy_db(tables={"answers": rows})

    first = run_import(session, path)
    again = run_import(session, path)

    assert (first.read, first.imported, first.rejected) == (4, 2, 2)
    assert first.read == first.imported + first.rejected
    # A rerun finds the rejects already kept: they count as already imported, not twice.
    assert (again.read, again.imported, again.rejected, again.already_imported) == (4, 0, 0, 4)
    kept = session.scalars(
        select(LegacyImportReject.raw_row).where(LegacyImportReject.import_id == first.import_id)
    ).all()
    assert sorted(row["question_id"] for row in kept) == ["w1", "w2"]
    assert session.scalar(select(func.count()).select_from(LegacyImportReject)) == 2


def wal_file(legacy_db) -> tuple[Path, sqlite3.Connection]:
    """A WAL-mode file whose last two answers are still only in its -wal, and its open writer."""
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS[:1]})
    writer = sqlite3.connect(path)
    assert writer.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    for row in CANONICAL_ANSWERS[1:]:
        writer.execute(
            f"INSERT INTO answers ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
    writer.commit()
    return path, writer


def file_states(path: Path) -> dict[str, tuple | None]:
    """Bytes and modification time of the file and its side files (None when absent)."""
    states = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = path.with_name(path.name + suffix)
        states[suffix] = (part.read_bytes(), part.stat().st_mtime_ns) if part.exists() else None
    return states


def test_rows_still_in_the_wal_are_read_and_the_original_files_are_untouched(session, legacy_db):
    path, writer = wal_file(legacy_db)
    before = file_states(path)
    try:
        report = run_import(session, path)
        after = file_states(path)
    finally:
        writer.close()  # the writer's close checkpoints: compared before it

    assert before["-wal"] is not None and before["-shm"] is not None
    assert (report.read, report.imported, report.rejected) == (3, 3, 0)
    assert set(imported(session, report)) == {row["question_id"] for row in CANONICAL_ANSWERS}
    assert after == before


def test_a_wal_file_imported_then_checkpointed_imports_nothing_twice(session, legacy_db):
    path, writer = wal_file(legacy_db)
    try:
        first = run_import(session, path)
        counts = attempt_counts(session)
        main_file = path.read_bytes()
        writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        writer.close()

    again = run_import(session, path)

    assert path.read_bytes() != main_file  # the checkpoint moved the rows into the main file
    assert (first.read, first.imported) == (3, 3)
    assert (again.read, again.imported, again.rejected, again.already_imported) == (3, 0, 0, 3)
    assert again.content_sha256 == first.content_sha256
    assert attempt_counts(session) == counts


def test_a_file_locked_by_a_writer_is_one_sentence_and_changes_nothing(session, legacy_db):
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("DELETE FROM answers")
    counts = attempt_counts(session)
    imports = session.scalar(select(func.count()).select_from(LegacyImport))
    try:
        with pytest.raises(legacy.LegacyFileError) as caught:
            run_import(session, path)
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert str(caught.value) == (
        f"{path} is locked by a program writing to it; close the old app and run the import again."
    )
    assert attempt_counts(session) == counts
    assert session.scalar(select(func.count()).select_from(LegacyImport)) == imports


def test_a_file_imported_before_content_hashing_imports_nothing_twice(
    session, legacy_db, monkeypatch
):
    # The importer used to derive every id from the sha256 of the main file's bytes.
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    with monkeypatch.context() as patch:
        patch.setattr(legacy.legacy_sqlite, "content_sha256", lambda db, tables: sha256(path))
        old = run_import(session, path)
    counts = attempt_counts(session)

    again = run_import(session, path)

    assert (old.imported, again.imported, again.already_imported) == (3, 0, 3)
    assert attempt_counts(session) == counts


def test_a_file_written_while_it_is_copied_is_one_sentence_and_changes_nothing(
    session, legacy_db, monkeypatch
):
    # A WAL-mode file: its writers take no lock that the copy would wait for.
    path = legacy_db(tables={"sessions": SESSIONS, "answers": CANONICAL_ANSWERS})
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
    copy = shutil.copyfile

    def copy_while_the_old_app_writes(source, target):
        copy(source, target)
        with contextlib.closing(sqlite3.connect(path)) as writer, writer:
            writer.execute("DELETE FROM answers WHERE id = 1")

    monkeypatch.setattr(shutil, "copyfile", copy_while_the_old_app_writes)
    counts = attempt_counts(session)

    with pytest.raises(legacy.LegacyFileError) as caught:
        run_import(session, path)

    assert str(caught.value) == (
        f"{path} changed while it was being read; close the old app first."
    )
    assert attempt_counts(session) == counts


def test_a_directory_is_one_sentence(session, tmp_path):
    with pytest.raises(legacy.LegacyFileError, match=r"^\S+ cannot be read: Is a directory\.$"):
        run_import(session, tmp_path)


GUIDE = Path(__file__).parents[3] / "docs" / "migrating-from-sqlite.md"


def test_the_guide_lists_every_reject_reason_in_order_and_no_other():
    section = GUIDE.read_text().split("## 5. Rejected rows")[1].split("\n## ")[0]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)
    assert listed == list(legacy.REJECT_REASONS)


def test_the_guides_json_example_has_every_reject_reason():
    example = re.search(r"^```json\n(.*?)\n```$", GUIDE.read_text(), re.MULTILINE | re.DOTALL)
    assert list(json.loads(example.group(1))["reject_reasons"]) == list(legacy.REJECT_REASONS)


HALF_WRITTEN = """
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA cache_size = 2")  # spill the changed pages into the file before the commit
db.execute("BEGIN")
db.execute("UPDATE answers SET question_id = 'half-written-' || question_id")
os._exit(0)  # the old app dies mid-write: its journal is left 'hot'
"""


def test_a_writer_that_died_mid_write_leaves_the_last_committed_rows(session, legacy_db):
    path = legacy_db(tables={"answers": CANONICAL_ANSWERS * 400})
    subprocess.run([sys.executable, "-c", HALF_WRITTEN, str(path)], check=True)
    before = file_states(path)
    journal = path.with_name(path.name + "-journal")

    report = run_import(session, path)

    assert journal.exists() and b"half-written-" in path.read_bytes()
    assert file_states(path) == before
    assert (report.read, report.imported) == (1200, 1200)
    assert set(imported(session, report)) == {row["question_id"] for row in CANONICAL_ANSWERS}
