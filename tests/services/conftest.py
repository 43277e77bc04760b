"""Fixtures for the backup and export tests: scratch databases holding committed study data.

The seed writes some of every table, own cards and their images included, so a dump, a
restore and the portable export are proven on each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from studygame import migrations
from studygame.db import scratch_database, session_scope
from studygame.models import (
    Attempt,
    CardMedia,
    CardState,
    LearnerSettings,
    LegacyImport,
    LegacyImportReject,
    OwnCard,
    PinFailure,
    StudySession,
)

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
# Text that trips up CSV, SQL quoting and encodings.
AWKWARD_ANSWERS = ["", None, 'comma, "quotes"\nand a newline', "café ✓ 中文", "back\\slash", "NULL"]


def seed_study_data(session: Session) -> None:
    """Some of every row the app writes: app and legacy sessions and attempts, states, rejects."""
    legacy = LegacyImport(
        file_name="study.db",
        file_sha256="ab" * 32,
        file_size=102_400,
        rows_read=4,
        rows_imported=3,
        rows_rejected=1,
        started_at=NOW - timedelta(days=30),
        finished_at=NOW - timedelta(days=30, seconds=-2),
        code_version="0.1.0",
    )
    session.add(legacy)
    session.flush()
    sitting = StudySession(
        started_at=NOW - timedelta(hours=1), ended_at=NOW, mode="quiz", answered=12, points=7400
    )
    old_sitting = StudySession(
        started_at=NOW - timedelta(days=400),
        mode=None,
        source="legacy",
        legacy_import_id=legacy.id,
        legacy_extra={"device": "laptop", "rowid": 7},
    )
    session.add_all([sitting, old_sitting])
    session.flush()
    for n in range(12):
        session.add(
            Attempt(
                id=uuid.UUID(int=n + 1),
                session_id=sitting.id,
                question_id=f"{n % 5:024x}",
                deck="Biology" if n % 2 else "Chemistry",
                topic=None if n % 3 else "cells",
                mode="quiz",
                given_answer=AWKWARD_ANSWERS[n % len(AWKWARD_ANSWERS)],
                is_correct=n % 3 != 0,
                rating=1 + n % 4,
                response_ms=1234 * n,
                points=0 if n % 3 == 0 else 900 + n,
                answered_at=NOW - timedelta(minutes=60 - n, microseconds=n * 37),
            )
        )
    for n in range(3):
        session.add(
            Attempt(
                id=uuid.UUID(int=1000 + n),
                session_id=old_sitting.id if n else None,
                question_id=f"legacy-{n}",
                topic="history",
                mode="quiz",
                given_answer="1066",
                is_correct=bool(n),
                answered_at=NOW - timedelta(days=400, minutes=n),
                source="legacy",
                legacy_import_id=legacy.id,
                legacy_extra={"hint_used": n == 1, "note": 'x, "y"', "nested": [1, 2.5, None]},
            )
        )
    for n, stability in enumerate([0.1, 1e-9, 123456.789]):
        session.add(
            CardState(
                question_id=f"{n:024x}",
                deck="Biology",
                state=1 + n,
                step=0 if n == 0 else None,
                stability=stability,
                difficulty=5.0 + n / 3,
                due=NOW + timedelta(days=n),
                last_review=NOW - timedelta(days=1),
                reps=n,
                lapses=n // 2,
                updated_at=NOW,
            )
        )
    # Bytes that trip up CSV and COPY: NUL, a backslash, a quote, a line break, high bytes.
    image = b'\x89PNG\x00\\"\n\r\xff' * 100
    session.add(CardMedia(sha256="ab" * 32, mime="image/png", data=image, created_at=NOW))
    session.add_all(
        [
            OwnCard(
                id="own-" + "1" * 32,
                document={"deck": "Café", "prompt": 'say "hi",\nthen\tgo', "answer": "✓",
                          "image": "media:" + "ab" * 32, "choices": ["a, b", "c"]},
                source_key="csv:" + "0" * 64,
                created_at=NOW,
                updated_at=NOW,
            ),
            OwnCard(
                id="own-" + "2" * 32,
                document={"prompt": "gone", "answer": "kept"},
                created_at=NOW - timedelta(days=2),
                updated_at=NOW,
                deleted_at=NOW,
            ),
        ]
    )  # fmt: skip
    session.add(LearnerSettings(daily_goal=40, timezone="Europe/Amsterdam", updated_at=NOW))
    session.add_all([PinFailure(failed_at=NOW - timedelta(seconds=s)) for s in (5, 90)])
    session.add(
        LegacyImportReject(
            id=uuid.uuid5(uuid.NAMESPACE_URL, "study.db/answers/9"),
            import_id=legacy.id,
            source_table="answers",
            source_rowid=9,
            reason="no_question_id",
            raw_row={"id": 9, "question_id": None, "created_at": "2025-03-14 09:26:53"},
            rejected_at=NOW - timedelta(days=30),
        )
    )


def database_with(url: str, *, seed) -> None:
    """Bring the database at `url` to head and commit what `seed` writes."""
    engine = create_engine(url, poolclass=NullPool)
    migrations.upgrade(engine)
    with session_scope(engine) as session:
        seed(session)
    engine.dispose()


@pytest.fixture
def scratch_url(database_url: str) -> Iterator[str]:
    """An empty database of its own, dropped after the test."""
    with scratch_database(database_url) as url:
        yield url


@pytest.fixture(scope="module")
def study_database(database_url: str) -> Iterator[str]:
    """A database at head with committed study data, shared by a module's tests: read only."""
    with scratch_database(database_url) as url:
        database_with(url, seed=seed_study_data)
        yield url


@pytest.fixture
def sqlite_session(tmp_path):
    """A session on a migrated SQLite development file (its triggers are row-level)."""
    engine = create_engine(f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    migrations.upgrade(engine)
    with Session(engine) as session, session.begin():
        yield session
    engine.dispose()
