import re
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from studygame.services.backups.own_schema import OWN_FUNCTIONS, own_tables


def test_the_own_objects_are_exactly_what_the_migrations_create(study_database):
    engine = create_engine(study_database, poolclass=NullPool)
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        functions = connection.execute(
            text("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
        ).scalars()
        trigger_tables = connection.execute(
            text("SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal")
        ).scalars()
        assert (set(tables), sorted(functions)) == (own_tables(), sorted(OWN_FUNCTIONS))
        # Triggers go with their tables, so they must all sit on tables of ours.
        assert {name.removeprefix("public.") for name in trigger_tables} <= own_tables()
    engine.dispose()


def test_the_backups_guide_lists_exactly_the_own_objects():
    guide = (Path(__file__).resolve().parents[3] / "docs" / "backups.md").read_text()
    listed = guide.split("<!-- own-objects:start -->")[1].split("<!-- own-objects:end -->")[0]
    tables_line, functions_line = listed.split("- functions:")
    assert set(re.findall(r"`([a-z_]+)`", tables_line)) == own_tables()
    assert set(re.findall(r"`([a-z_]+)\(\)`", functions_line)) == set(OWN_FUNCTIONS)
