"""Restores on the real Postgres: a dump into a new database, refused into a used one,
undone when its counts disagree, verified against its manifest."""

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete
from sqlalchemy.pool import NullPool

from studygame.db import session_scope
from studygame.models import PinFailure
from studygame.services.backups.dump import (
    BackupError,
    create_backup,
    stats_of,
)
from studygame.services.backups.restore import (
    describe_replaced,
    prepare_restore,
    run_restore,
    verify_backup,
)

from ..conftest import NOW, database_with


def _other_data(session):
    session.add(PinFailure(failed_at=NOW))


def _cut_in_half(dump: Path) -> None:
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])


def _break_a_statement(dump: Path) -> None:
    sql = dump.read_text()
    assert "CREATE TABLE public.pin_failures (" in sql
    dump.write_text(
        sql.replace("CREATE TABLE public.pin_failures (", "CREATE TABLE pin_fail ure (")
    )


FOREIGN_SCHEMA = [
    # A target's own table whose default calls a function, with a trigger and a view.
    "CREATE FUNCTION public.their_default() RETURNS int LANGUAGE sql AS 'SELECT 7'",
    "CREATE TABLE public.their_notes (id int DEFAULT public.their_default(), body text)",
    "CREATE FUNCTION public.their_touch() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TRIGGER their_touch BEFORE INSERT ON public.their_notes "
    "FOR EACH ROW EXECUTE FUNCTION public.their_touch()",
    "CREATE VIEW public.their_view AS SELECT body FROM public.their_notes",
    "INSERT INTO public.their_notes (body) VALUES ('keep me')",
]


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    engine.dispose()


def _schema_of(url: str) -> tuple:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        found = tuple(
            sorted(connection.exec_driver_sql(sql).scalars())
            for sql in (
                "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
                "SELECT viewname FROM pg_views WHERE schemaname = 'public'",
                "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef "
                "WHERE adrelid = 'public.their_notes'::regclass",
            )
        )
    engine.dispose()
    return found


def _schema_of_objects(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "UNION ALL SELECT tgname FROM pg_trigger UNION ALL SELECT proname FROM pg_proc "
            "WHERE pronamespace = 'public'::regnamespace ORDER BY 1"
        ).all()
    engine.dispose()
    return [name for (name,) in found]


def test_restore_refuses_a_database_with_tables_unless_forced(
    study_database, scratch_url, tmp_path
):
    database_with(scratch_url, seed=_other_data)
    before = stats_of(scratch_url)
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)

    with pytest.raises(BackupError, match=r"^The target database is not empty \(it has .*pin_fail"):
        prepare_restore(result.dump, database_url=scratch_url)
    assert stats_of(scratch_url) == before

    plan = prepare_restore(result.dump, database_url=scratch_url, force=True)
    assert plan.replaced["pin_failures"] == 1
    assert run_restore(plan) == stats_of(study_database)


@pytest.mark.parametrize(
    ("compress", "keep_manifest", "damage", "message"),
    [
        (True, True, _cut_in_half, "does not match its manifest"),
        (True, False, _cut_in_half, "refused before running psql: its gzip data is incomplete"),
        (False, False, _cut_in_half, "refused before running psql: .*cut short"),
        (False, False, _break_a_statement, "refused before running psql: .*CREATE TABLE pin_fail"),
    ],
    ids=["size differs from manifest", "gzip cut", "sql cut", "broken statement"],
)
def test_a_damaged_dump_fails_and_leaves_the_target_as_it_was(
    study_database, scratch_url, tmp_path, compress, keep_manifest, damage, message
):
    database_with(scratch_url, seed=_other_data)
    before = stats_of(scratch_url)
    result = create_backup(
        database_url=study_database, out_dir=tmp_path, now=NOW, compress=compress
    )
    damage(result.dump)
    if not keep_manifest:
        result.manifest.unlink()

    # --force: even the tables a restore would replace must come back untouched.
    with pytest.raises(BackupError, match=message):
        run_restore(prepare_restore(result.dump, database_url=scratch_url, force=True))
    assert stats_of(scratch_url) == before


def test_a_count_that_disagrees_with_the_manifest_undoes_the_restore(
    study_database, scratch_url, tmp_path
):
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)
    manifest = json.loads(result.manifest.read_text())
    manifest["tables"]["attempts"]["rows"] += 1
    result.manifest.write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match="attempts has 15 rows after the restore, the manifest"):
        run_restore(prepare_restore(result.dump, database_url=scratch_url))
    assert stats_of(scratch_url) == {}


def test_verify_compares_with_the_manifest_or_the_live_database(study_database, tmp_path):
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)

    with_manifest = verify_backup(result.dump, database_url=study_database)
    result.manifest.unlink()
    live = verify_backup(result.dump, database_url=study_database)
    engine = create_engine(study_database, poolclass=NullPool)
    with session_scope(engine) as session:
        failure = PinFailure(failed_at=NOW)
        session.add(failure)
    try:
        changed = verify_backup(result.dump, database_url=study_database)
    finally:
        with session_scope(engine) as session:
            session.execute(delete(PinFailure).where(PinFailure.id == failure.id))
        engine.dispose()

    assert (with_manifest.ok, with_manifest.compared_with) == (
        True,
        "its manifest studygame-2026-11-25T0300Z.json",
    )
    assert (live.ok, live.compared_with) == (True, "the live database")
    assert changed.differences == ("pin_failures: 2 rows, expected 3",)


def test_force_removes_only_our_objects_and_leaves_the_targets_own(
    study_database, scratch_url, tmp_path
):
    database_with(scratch_url, seed=_other_data)
    _execute(scratch_url, *FOREIGN_SCHEMA)
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)

    plan = prepare_restore(result.dump, database_url=scratch_url, force=True)
    announced = describe_replaced(plan)
    restored = run_restore(plan)

    assert "their_" not in announced
    assert "pin_failures (1 row)" in announced
    assert "function attempts_roll_up()" in announced
    assert restored == stats_of(study_database)
    assert "their_notes" not in restored
    assert stats_of(scratch_url)["their_notes"].rows == 1
    functions, triggers, views, defaults = _schema_of(scratch_url)
    assert {"their_default", "their_touch", "attempts_roll_up"} <= set(functions)
    assert "their_touch" in triggers and views == ["their_view"]
    assert defaults == ["their_default()"]


@pytest.mark.parametrize(
    ("foreign", "named"),
    [
        ("CREATE VIEW public.their_view AS SELECT count(*) FROM public.attempts", "their_view"),
        (
            "CREATE TABLE public.their_refs (a uuid REFERENCES public.attempts (id))",
            "their_refs",
        ),
        (
            "CREATE TABLE public.their_log (id int); CREATE TRIGGER their_roll AFTER INSERT "
            "ON public.their_log FOR EACH STATEMENT EXECUTE FUNCTION public.attempts_roll_up()",
            "their_roll",
        ),
    ],
    ids=["view on our table", "foreign key to our table", "trigger on our function"],
)
def test_force_refuses_when_a_foreign_object_depends_on_ours(
    study_database, scratch_url, tmp_path, foreign, named
):
    database_with(scratch_url, seed=_other_data)
    _execute(scratch_url, foreign)
    before = (stats_of(scratch_url), _schema_of_objects(scratch_url))
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)

    with pytest.raises(BackupError, match=rf"^--force removes only StudyGame's own .*{named}"):
        prepare_restore(result.dump, database_url=scratch_url, force=True)
    assert (stats_of(scratch_url), _schema_of_objects(scratch_url)) == before
