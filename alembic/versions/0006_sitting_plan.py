"""A sitting keeps its plan (questions, order, clock), so a round can resume after a reload.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("study_sessions") as batch:
        batch.add_column(
            sa.Column("plan", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"))
        )
    # Resuming looks for the newest open sitting of a mode.
    op.create_index(
        "ix_study_sessions_open",
        "study_sessions",
        ["mode", "started_at"],
        postgresql_where=sa.text("ended_at IS NULL"),
        sqlite_where=sa.text("ended_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_study_sessions_open", table_name="study_sessions")
    with op.batch_alter_table("study_sessions") as batch:
        batch.drop_column("plan")
