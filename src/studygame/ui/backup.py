"""The Settings page's backup download: a portable zip, built only when it is pressed."""

from __future__ import annotations

from datetime import UTC, datetime

from studygame.services.backups.export import export_zip
from studygame.ui.engine import session


def backup_zip() -> bytes:
    """Every table as CSV in one zip (the same as `studygame export`)."""
    with session() as s:
        return export_zip(s, now=datetime.now(UTC))
