"""The Settings page's backup download."""

import io
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from studygame import migrations
from studygame.config import get_settings
from studygame.db import make_engine
from studygame.ui.backup import backup_zip
from studygame.ui.engine import app_engine

SETTINGS_PAGE = Path(__file__).resolve().parents[2] / "pages" / "7_Settings.py"


def test_the_backup_zip_holds_every_table_and_a_manifest(app_database):
    app_engine.clear()
    try:
        archive = zipfile.ZipFile(io.BytesIO(backup_zip()))
    finally:
        app_engine.clear()
    names = set(archive.namelist())
    assert {"attempts.csv", "card_states.csv", "study_sessions.csv"} <= names
    assert any(name.startswith("manifest") for name in names)


def test_settings_offers_the_download_on_postgres(app_database):
    app_engine.clear()
    app = AppTest.from_file(str(SETTINGS_PAGE), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    buttons = app.get("download_button")
    assert [b.proto.label for b in buttons] == ["Download a backup (zip)"]
    app_engine.clear()


def test_settings_explains_why_there_is_no_download_on_the_local_file():
    migrations.upgrade(make_engine(get_settings(), direct=True))
    app_engine.clear()
    app = AppTest.from_file(str(SETTINGS_PAGE), default_timeout=30)
    app.run()
    assert not app.exception, app.exception
    assert app.get("download_button") == []
    assert any("needs Postgres" in c.value for c in app.caption)
    app_engine.clear()
