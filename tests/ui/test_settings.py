"""Settings pasted into Streamlit's secrets box and settings in the environment agree."""

import json

from streamlit.testing.v1 import AppTest

from studygame.config import get_settings

SECRETS = {
    "DATABASE_URL": "postgres://me:s3cret@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/neondb"
    "?sslmode=require&channel_binding=require",
    "APP_PIN": "4815",
    "MONGODB_URI": "mongodb+srv://me:m0ngo@cluster0.example.mongodb.net/",
    "MONGODB_DB": "cards",
    "STUDYGAME_ENV": "production",
}


def show_settings():
    """The app's view of its settings, secrets revealed (for this test only)."""
    import json

    import streamlit as st
    from pydantic import SecretStr

    from studygame.ui.settings import app_settings

    settings = app_settings()
    fields = {
        name: value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        for name, value in settings
    }
    fields["hosted"] = settings.hosted
    fields["missing"] = settings.missing_secrets()
    st.code(json.dumps(fields, sort_keys=True))


def as_fields(settings) -> dict:
    fields = {
        name: value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)
        for name, value in settings
    }
    return {**fields, "hosted": settings.hosted, "missing": settings.missing_secrets()}


def test_secrets_box_and_environment_give_the_same_settings(monkeypatch):
    app = AppTest.from_function(show_settings)
    app.secrets.update(SECRETS)
    app.run()
    assert not app.exception, app.exception
    from_secrets = json.loads(app.code[0].value)

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    from_environment = as_fields(get_settings())

    assert from_secrets == from_environment
    assert from_secrets["database_url"].startswith("postgresql+psycopg://me:s3cret@")
    assert from_secrets["hosted"] is True and from_secrets["missing"] == []
