"""The pooled path is real: PgBouncer in transaction mode, with the app's production settings."""

import psycopg
from sqlalchemy.engine import make_url

from studygame.config import get_settings
from studygame.db import postgres_connect_args


def test_the_pooler_fixture_is_pgbouncer_in_transaction_mode(pooler_url):
    # Session state set by one client leaks to the next on a transaction-mode pooler:
    # this is why the app must never rely on a session-level SET.
    url = make_url(pooler_url)
    conninfo = dict(
        host=url.host, hostaddr="127.0.0.1", port=url.port, user=url.username, dbname=url.database
    )
    with psycopg.connect(**conninfo, autocommit=True, prepare_threshold=None) as first:
        first.execute("SET application_name = 'left-behind'")
    with psycopg.connect(**conninfo, autocommit=True, prepare_threshold=None) as second:
        shown = second.execute("SHOW application_name").fetchone()[0]
    assert shown == "left-behind"


def test_the_app_uses_production_settings_through_the_pooler(pooler_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", pooler_url)
    get_settings.cache_clear()
    args = postgres_connect_args(make_url(get_settings().sqlalchemy_url))
    assert args["prepare_threshold"] is None
