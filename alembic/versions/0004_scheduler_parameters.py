"""Every fit of the learner's FSRS parameters; the latest applied one drives the schedule.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduler_parameters",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("fitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("reviews_used", sa.Integer(), nullable=False),
        sa.Column("train_reviews", sa.Integer(), nullable=False),
        sa.Column("test_reviews", sa.Integer(), nullable=False),
        sa.Column("default_log_loss", sa.Float(), nullable=False),
        sa.Column("default_rmse", sa.Float(), nullable=False),
        sa.Column("fitted_log_loss", sa.Float(), nullable=False),
        sa.Column("fitted_rmse", sa.Float(), nullable=False),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scheduler_parameters"),
    )
    op.create_index(
        "ix_scheduler_parameters_applied_fitted_at",
        "scheduler_parameters",
        ["applied", "fitted_at"],
    )


def downgrade() -> None:
    # The card states stay as the fitted parameters left them; `schedule rebuild` resets them.
    op.drop_index("ix_scheduler_parameters_applied_fitted_at", "scheduler_parameters")
    op.drop_table("scheduler_parameters")
