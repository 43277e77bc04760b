"""The study data as typed SQLAlchemy models; Alembic's revisions own the real schema."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from studygame.domain.answer_time import EARLIEST_ANSWER, MAX_AHEAD
from studygame.domain.card_drafts import MAX_KEY_CHARS, MAX_MEDIA_BYTES

# Postgres gets JSONB (indexable, compact); the SQLite dev file gets plain JSON text.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamptz that always comes back timezone-aware in UTC, on SQLite as well."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        # SQLite stores the text without an offset; it was written as UTC.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints keep Alembic's batch mode (SQLite) and autogenerate comparisons stable.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSONDocument,
    }


class StudySession(Base):
    """One sitting in one mode, from the first answer to the last."""

    __tablename__ = "study_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    mode: Mapped[str | None] = mapped_column(String(16))
    answered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    correct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    source: Mapped[str] = mapped_column(String(8), default="app", server_default="app")
    legacy_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("legacy_imports.id", ondelete="SET NULL")
    )
    legacy_extra: Mapped[dict[str, Any] | None]
    # The run's plan (domain/run.py Plan.to_json): what a reload resumes.
    plan: Mapped[dict[str, Any] | None]

    __table_args__ = (
        CheckConstraint("source IN ('app', 'legacy')", name="source"),
        Index(
            "ix_study_sessions_open",
            "mode",
            "started_at",
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )


class Attempt(Base):
    """One answered question. The id is made by the app before the write, so a retry is a no-op."""

    __tablename__ = "attempts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("study_sessions.id", ondelete="SET NULL"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    deck: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))
    given_answer: Mapped[str | None] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    response_ms: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    answered_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(8), default="app", server_default="app")
    legacy_import_id: Mapped[int | None] = mapped_column(
        ForeignKey("legacy_imports.id", ondelete="SET NULL")
    )
    legacy_extra: Mapped[dict[str, Any] | None]

    __table_args__ = (
        CheckConstraint("source IN ('app', 'legacy')", name="source"),
        CheckConstraint("rating BETWEEN 1 AND 4", name="rating"),
        CheckConstraint("response_ms >= 0", name="response_ms"),
        # Postgres's form (revision 0005); SQLite refuses now() in a CHECK and uses triggers.
        CheckConstraint(
            f"answered_at >= '{EARLIEST_ANSWER:%Y-%m-%d %H:%M:%S+00}' AND answered_at <= "
            f"now() + interval '{MAX_AHEAD.total_seconds() // 60:.0f} minutes'",
            name="answered_at_window",
        ),
        Index("ix_attempts_question_id_answered_at", "question_id", "answered_at"),
        Index("ix_attempts_answered_at", "answered_at"),
        # The most-wrong list reads only the wrong answers.
        Index(
            "ix_attempts_wrong",
            "question_id",
            postgresql_include=["source"],
            postgresql_where=text("NOT is_correct"),
            sqlite_where=text("NOT is_correct"),
        ),
    )


class AttemptReject(Base):
    """An answer set aside because it was dated outside the answer window, kept whole."""

    __tablename__ = "attempt_rejects"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    attempt: Mapped[dict[str, Any]]
    rejected_at: Mapped[datetime]


class ActivityBucket(Base):
    """Running totals of the answers in one 15-minute UTC bucket, kept by triggers on attempts.

    Every time zone's offset is a multiple of 15 minutes, so a local day is a set of buckets.
    """

    __tablename__ = "activity_buckets"

    bucket_start: Mapped[datetime] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(8), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    # Answers with a response time, and their time summed (each capped at 60 s).
    timed: Mapped[int] = mapped_column(Integer)
    studied_ms: Mapped[int] = mapped_column(BigInteger)
    # Review-mode answers (a card's first answer included: question_firsts tells those apart).
    reviews: Mapped[int] = mapped_column(Integer)
    reviews_correct: Mapped[int] = mapped_column(Integer)


class TopicTotal(Base):
    """Running totals of the answers per deck and topic ('' when none), kept by triggers."""

    __tablename__ = "topic_totals"

    deck: Mapped[str] = mapped_column(String(200), primary_key=True)
    topic: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str] = mapped_column(String(8), primary_key=True)
    answers: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    # Home's XP total is the sum of these: no scan of every attempt's points.
    points: Mapped[int] = mapped_column(BigInteger)


class QuestionFirst(Base):
    """When a question was first answered (any mode, any source), kept by triggers on attempts.

    A later answer in Review mode is a true review; the first one is not.
    """

    __tablename__ = "question_firsts"

    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_answered_at: Mapped[datetime]


class CardState(Base):
    """The FSRS state of one question; rebuildable at any time by replaying `attempts`."""

    __tablename__ = "card_states"

    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deck: Mapped[str | None] = mapped_column(String(200))
    # fsrs.State: 1 learning, 2 review, 3 relearning.
    state: Mapped[int] = mapped_column(SmallInteger)
    step: Mapped[int | None] = mapped_column(SmallInteger)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(index=True)
    last_review: Mapped[datetime | None]
    reps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    lapses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("state BETWEEN 1 AND 3", name="state"),)


class LearnerSettings(Base):
    """The learner's preferences: a single row, kept in the database so every device shares it."""

    __tablename__ = "learner_settings"

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=1)
    daily_goal: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    new_cards_per_day: Mapped[int] = mapped_column(Integer, default=20, server_default="20")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    speed_round_seconds: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    desired_retention: Mapped[float] = mapped_column(Float, default=0.9, server_default="0.9")
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("id = 1", name="single_row"),
        CheckConstraint("daily_goal BETWEEN 1 AND 1000", name="daily_goal"),
        CheckConstraint("new_cards_per_day BETWEEN 0 AND 1000", name="new_cards_per_day"),
        CheckConstraint("speed_round_seconds BETWEEN 10 AND 600", name="speed_round_seconds"),
        CheckConstraint("desired_retention > 0.7 AND desired_retention < 0.99", name="retention"),
    )


class PinFailure(Base):
    """A wrong PIN, by time only: the server-side memory of the brute-force throttle."""

    __tablename__ = "pin_failures"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    failed_at: Mapped[datetime] = mapped_column(index=True)


class LegacyImport(Base):
    """One run of the old SQLite file's import."""

    __tablename__ = "legacy_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    # The sha256 of the file's content (its rows as SQLite reads them), not of its bytes.
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(BigInteger)
    rows_read: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_imported: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_already_imported: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    code_version: Mapped[str] = mapped_column(String(32))


class LegacyImportReject(Base):
    """A row of the old file that could not be imported, kept raw with the reason."""

    __tablename__ = "legacy_import_rejects"

    # Deterministic (uuid5 of the content sha256 and the row's table and id): reruns are no-ops.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("legacy_imports.id", ondelete="CASCADE"), index=True
    )
    source_table: Mapped[str] = mapped_column(String(64))
    source_rowid: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(32))
    raw_row: Mapped[dict[str, Any]]
    rejected_at: Mapped[datetime]


class SchedulerParameters(Base):
    """One fit of the learner's FSRS parameters, proven on held-out days; latest applied is live."""

    __tablename__ = "scheduler_parameters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fitted_at: Mapped[datetime]
    parameters: Mapped[list[float]] = mapped_column(JSONDocument)
    reviews_used: Mapped[int] = mapped_column(Integer)
    train_reviews: Mapped[int] = mapped_column(Integer)
    test_reviews: Mapped[int] = mapped_column(Integer)
    default_log_loss: Mapped[float] = mapped_column(Float)
    default_rmse: Mapped[float] = mapped_column(Float)
    fitted_log_loss: Mapped[float] = mapped_column(Float)
    fitted_rmse: Mapped[float] = mapped_column(Float)
    applied: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("ix_scheduler_parameters_applied_fitted_at", "applied", "fitted_at"),)


class OwnCard(Base):
    """A card the learner added or imported: a bank-shaped document, studied beside the bank."""

    __tablename__ = "own_cards"

    # The question id its answers and schedule are kept under: editing never changes it.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # The question-bank document without its _id (docs/question-bank.md).
    document: Mapped[dict[str, Any]]
    # Where an imported card came from (domain/card_drafts.py CardDraft.key): importing the
    # same file again adds nothing.
    source_key: Mapped[str | None] = mapped_column(String(MAX_KEY_CHARS), unique=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Deleting hides a card; its answers stay, and so does its key (a re-import adds nothing).
    deleted_at: Mapped[datetime | None]


class CardMedia(Base):
    """An image a card shows, kept in the database so a host needs no file storage."""

    __tablename__ = "card_media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    mime: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(f"length(data) BETWEEN 1 AND {MAX_MEDIA_BYTES}", name="size"),
    )
