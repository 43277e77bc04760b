"""The pooled path is real: PgBouncer in transaction mode, with the app's production settings."""

import psycopg
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from studygame.cli import main
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


def test_db_upgrade_warns_when_the_direct_url_is_only_derived_from_a_pooled_one(
    database_url, monkeypatch
):
    # A pooled (-pooler) URL and no DATABASE_URL_DIRECT: the migration host is a guess.
    pooled = make_url(database_url).set(
        host="ep-test-pooler.invalid", query={"hostaddr": "127.0.0.1"}
    )
    monkeypatch.setenv("DATABASE_URL", pooled.render_as_string(hide_password=False))
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Warning: DATABASE_URL is a pooled endpoint" in result.output
    assert "migrating on ep-test.invalid" in result.output

    monkeypatch.setenv("DATABASE_URL_DIRECT", database_url)
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0 and "Warning" not in result.output
