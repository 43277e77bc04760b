"""Initial schema: study sessions, attempts, card states, settings, PIN throttle, legacy import.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 11:50:59
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# JSONB on Postgres, plain JSON text on the SQLite development file.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "card_states",
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("deck", sa.String(length=200), nullable=True),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.SmallInteger(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reps", sa.Integer(), server_default="0", nullable=False),
        sa.Column("lapses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("state BETWEEN 1 AND 3", name=op.f("ck_card_states_state")),
        sa.PrimaryKeyConstraint("question_id", name=op.f("pk_card_states")),
    )
    op.create_index(op.f("ix_card_states_due"), "card_states", ["due"], unique=False)
    op.create_table(
        "learner_settings",
        sa.Column("id", sa.SmallInteger(), nullable=False),
        sa.Column("daily_goal", sa.Integer(), server_default="50", nullable=False),
        sa.Column("new_cards_per_day", sa.Integer(), server_default="20", nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("speed_round_seconds", sa.Integer(), server_default="60", nullable=False),
        sa.Column("desired_retention", sa.Float(), server_default="0.9", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "daily_goal BETWEEN 1 AND 1000", name=op.f("ck_learner_settings_daily_goal")
        ),
        sa.CheckConstraint(
            "desired_retention > 0.7 AND desired_retention < 0.99",
            name=op.f("ck_learner_settings_retention"),
        ),
        sa.CheckConstraint("id = 1", name=op.f("ck_learner_settings_single_row")),
        sa.CheckConstraint(
            "new_cards_per_day BETWEEN 0 AND 1000",
            name=op.f("ck_learner_settings_new_cards_per_day"),
        ),
        sa.CheckConstraint(
            "speed_round_seconds BETWEEN 10 AND 600",
            name=op.f("ck_learner_settings_speed_round_seconds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner_settings")),
    )
    op.create_table(
        "legacy_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.BigInteger(), nullable=False),
        sa.Column("rows_read", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_imported", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_already_imported", sa.Integer(), server_default="0", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code_version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legacy_imports")),
    )
    op.create_index(
        op.f("ix_legacy_imports_file_sha256"), "legacy_imports", ["file_sha256"], unique=False
    )
    op.create_table(
        "pin_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pin_failures")),
    )
    op.create_index(op.f("ix_pin_failures_failed_at"), "pin_failures", ["failed_at"], unique=False)
    op.create_table(
        "legacy_import_rejects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_table", sa.String(length=64), nullable=False),
        sa.Column("source_rowid", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("raw_row", JSON_DOCUMENT, nullable=False),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["legacy_imports.id"],
            name=op.f("fk_legacy_import_rejects_import_id_legacy_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legacy_import_rejects")),
    )
    op.create_index(
        op.f("ix_legacy_import_rejects_import_id"),
        "legacy_import_rejects",
        ["import_id"],
        unique=False,
    )
    op.create_table(
        "study_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=True),
        sa.Column("answered", sa.Integer(), server_default="0", nullable=False),
        sa.Column("correct", sa.Integer(), server_default="0", nullable=False),
        sa.Column("points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source", sa.String(length=8), server_default="app", nullable=False),
        sa.Column("legacy_import_id", sa.Integer(), nullable=True),
        sa.Column("legacy_extra", JSON_DOCUMENT, nullable=True),
        sa.CheckConstraint("source IN ('app', 'legacy')", name=op.f("ck_study_sessions_source")),
        sa.ForeignKeyConstraint(
            ["legacy_import_id"],
            ["legacy_imports.id"],
            name=op.f("fk_study_sessions_legacy_import_id_legacy_imports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_sessions")),
    )
    op.create_table(
        "attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("deck", sa.String(length=200), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=True),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("given_answer", sa.Text(), nullable=True),
        sa.Column("is_correct", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        sa.Column("response_ms", sa.Integer(), nullable=True),
        sa.Column("points", sa.Integer(), server_default="0", nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), server_default="app", nullable=False),
        sa.Column("legacy_import_id", sa.Integer(), nullable=True),
        sa.Column("legacy_extra", JSON_DOCUMENT, nullable=True),
        sa.CheckConstraint("source IN ('app', 'legacy')", name=op.f("ck_attempts_source")),
        sa.CheckConstraint("rating BETWEEN 1 AND 4", name=op.f("ck_attempts_rating")),
        sa.CheckConstraint("response_ms >= 0", name=op.f("ck_attempts_response_ms")),
        sa.ForeignKeyConstraint(
            ["legacy_import_id"],
            ["legacy_imports.id"],
            name=op.f("fk_attempts_legacy_import_id_legacy_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["study_sessions.id"],
            name=op.f("fk_attempts_session_id_study_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    op.create_index("ix_attempts_answered_at", "attempts", ["answered_at"], unique=False)
    op.create_index(
        "ix_attempts_question_id_answered_at",
        "attempts",
        ["question_id", "answered_at"],
        unique=False,
    )
    op.create_index(op.f("ix_attempts_session_id"), "attempts", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_attempts_session_id"), table_name="attempts")
    op.drop_index("ix_attempts_question_id_answered_at", table_name="attempts")
    op.drop_index("ix_attempts_answered_at", table_name="attempts")
    op.drop_table("attempts")
    op.drop_table("study_sessions")
    op.drop_index(op.f("ix_legacy_import_rejects_import_id"), table_name="legacy_import_rejects")
    op.drop_table("legacy_import_rejects")
    op.drop_index(op.f("ix_pin_failures_failed_at"), table_name="pin_failures")
    op.drop_table("pin_failures")
    op.drop_index(op.f("ix_legacy_imports_file_sha256"), table_name="legacy_imports")
    op.drop_table("legacy_imports")
    op.drop_table("learner_settings")
    op.drop_index(op.f("ix_card_states_due"), table_name="card_states")
    op.drop_table("card_states")
