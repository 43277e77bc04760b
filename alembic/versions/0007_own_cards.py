"""The learner's own cards and the images cards show.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled here rather than imported: a revision must not change when the app's code does
# (tests/test_migrations.py checks them against domain/card_drafts.py).
MAX_KEY_CHARS = 100
MAX_MEDIA_BYTES = 1024 * 1024


def upgrade() -> None:
    op.create_table(
        "own_cards",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column(
            "document",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("source_key", sa.String(MAX_KEY_CHARS), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_own_cards"),
        sa.UniqueConstraint("source_key", name="uq_own_cards_source_key"),
    )
    op.create_table(
        "card_media",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("mime", sa.String(32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"length(data) BETWEEN 1 AND {MAX_MEDIA_BYTES}", name="ck_card_media_size"
        ),
        sa.PrimaryKeyConstraint("sha256", name="pk_card_media"),
    )


def downgrade() -> None:
    op.drop_table("card_media")
    op.drop_table("own_cards")
