"""Import the old app's SQLite history when LEGACY_SQLITE_PATH (or -x legacy_sqlite=PATH) is set.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 12:10:00

Data only: it reads the file read-only and adds legacy attempts, sessions and rejects (see
docs/migrating-from-sqlite.md). It does not touch card_states: `studygame db upgrade` rebuilds
the schedule of the imported questions afterwards; after a bare `alembic upgrade head`, run
`studygame import-legacy PATH` once more (it imports nothing twice and rebuilds the schedule).
"""

import logging
from collections.abc import Sequence
from pathlib import Path

from alembic import context, op
from sqlalchemy.orm import Session

from studygame.config import get_settings
from studygame.services.legacy import importer as legacy

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    path = context.get_x_argument(as_dictionary=True).get("legacy_sqlite") or (
        get_settings().legacy_sqlite_path
    )
    if not path:
        return
    if context.is_offline_mode():
        raise RuntimeError("The legacy SQLite import reads a file: run it online, not with --sql.")
    # A Session bound to Alembic's connection joins its transaction: all or nothing.
    with Session(bind=op.get_bind()) as session:
        report = legacy.import_legacy_file(session, path=Path(path), door="alembic")
    log.info("Legacy import of %s: %s", Path(path).name, report.as_json())


def downgrade() -> None:
    # Removes exactly what this revision imported (imports made by `studygame import-legacy`
    # stay); the learner can bring it back with the upgrade, which is idempotent. Plain
    # statements, so `alembic downgrade --sql` can print them too.
    for statement in legacy.deletions(door="alembic"):
        op.execute(statement)
