"""Alembic owns the schema: the revisions must build exactly what the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from studygame import migrations
from studygame.db import scratch_database
from studygame.models import Base

TABLES = {
    "study_sessions",
    "attempts",
    "card_states",
    "legacy_imports",
    "legacy_import_rejects",
}


def test_models_and_migrations_agree_on_postgres(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_head_with_the_product_tables(engine):
    assert migrations.schema_status(engine).at_head
    assert set(inspect(engine).get_table_names()) >= TABLES | {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(database_url):
    # On its own database, so the shared one stays at head for the other tests.
    with scratch_database(database_url) as url:
        engine = create_engine(url)
        try:
            migrations.upgrade(engine)
            assert set(inspect(engine).get_table_names()) >= TABLES
            migrations.downgrade(engine, "base")
            assert set(inspect(engine).get_table_names()) == {"alembic_version"}
            migrations.upgrade(engine)
            assert migrations.schema_status(engine).at_head
        finally:
            engine.dispose()


def test_sqlite_development_file_upgrades_to_head(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'dev.sqlite3'}")
    migrations.upgrade(engine)
    assert migrations.schema_status(engine).at_head
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_revisions_never_import_the_app_models():
    versions = migrations.find_alembic_ini().parent / "alembic" / "versions"
    for revision in versions.glob("*.py"):
        assert "studygame.models" not in revision.read_text(), revision.name
