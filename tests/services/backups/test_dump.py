import gzip
import hashlib
import subprocess
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

from studygame.migrations import schema_status
from studygame.services.backups import dump as backup
from studygame.services.backups.dump import (
    create_backup,
    manifest_path,
    read_manifest,
    rotate_backups,
    stats_of,
)
from studygame.services.backups.pg_client import ClientProblem
from studygame.services.backups.restore import (
    prepare_restore,
    run_restore,
    verify_backup,
)

from ..conftest import NOW

APP_TABLES = {
    "alembic_version",
    "attempts",
    "card_states",
    "learner_settings",
    "legacy_import_rejects",
    "legacy_imports",
    "pin_failures",
    "study_sessions",
}


@pytest.mark.parametrize("compress", [True, False], ids=["sql.gz", "sql"])
def test_backup_restores_into_a_new_database_with_identical_rows_and_checksums(
    study_database, scratch_url, tmp_path, compress
):
    source = stats_of(study_database)
    assert set(source) >= APP_TABLES
    assert all(source[name].rows for name in APP_TABLES), "the seed leaves no table empty"

    result = create_backup(
        database_url=study_database, out_dir=tmp_path, now=NOW, compress=compress
    )
    restored = run_restore(prepare_restore(result.dump, database_url=scratch_url))

    assert restored == source
    engine = create_engine(scratch_url, poolclass=NullPool)
    assert schema_status(engine).at_head
    engine.dispose()
    assert result.dump.name == f"studygame-2026-11-25T0300Z.sql{'.gz' if compress else ''}"
    assert result.rows == sum(stats.rows for stats in source.values())


def test_the_manifest_describes_the_dump(study_database, tmp_path):
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)
    manifest = read_manifest(result.dump)

    assert manifest.tables == stats_of(study_database)
    assert manifest.sha256 == hashlib.sha256(result.dump.read_bytes()).hexdigest()
    assert manifest.size_bytes == result.dump.stat().st_size
    assert manifest.plain_bytes == len(gzip.decompress(result.dump.read_bytes()))
    assert (manifest.server_major, manifest.pg_dump_major) == (15, 15)
    assert (
        manifest.alembic_revision
        == schema_status(create_engine(study_database, poolclass=NullPool)).head
    )
    assert manifest.created_at == "2026-11-25T03:00:00Z"


def _fake_pg_dump(folder: Path, version: str) -> Path:
    program = folder / "pg_dump"
    program.write_text(f"#!/bin/sh\necho 'pg_dump (PostgreSQL) {version}'\n")
    program.chmod(0o755)
    return program


@pytest.mark.parametrize(
    ("client", "server", "needed"),
    [("14.11 (Debian 14.11-1)", None, 15), (None, 18, 18)],
    ids=["pg_dump 14, server 15", "pg_dump 15, server 18"],
)
def test_a_pg_dump_older_than_the_server_says_which_client_to_install(
    study_database, tmp_path, monkeypatch, client, server, needed
):
    if client is not None:
        monkeypatch.setenv("PG_DUMP", str(_fake_pg_dump(tmp_path, client)))
    if server is not None:
        monkeypatch.setattr(backup, "server_major_version", lambda connection: server)
    out = tmp_path / "backups"

    with pytest.raises(ClientProblem) as problem:
        create_backup(database_url=study_database, out_dir=out, now=NOW)

    message = str(problem.value)
    assert f"cannot work with this PostgreSQL {needed} server" in message
    assert f"sudo apt-get install postgresql-client-{needed}" in message
    assert f"brew install postgresql@{needed}" in message
    assert list(out.iterdir()) == []


def test_rotation_keeps_exactly_n_and_never_deletes_a_file_it_did_not_write(
    study_database, tmp_path
):
    foreign = {
        "notes.txt": "my notes",
        # Our naming, but no manifest: a copy the learner made by hand.
        "studygame-2020-01-01T0000Z.sql.gz": "a copy",
        # A manifest that is not ours beside a file with our naming.
        "studygame-2020-01-02T0000Z.sql": "another copy",
        "studygame-2020-01-02T0000Z.json": '{"mine": true}',
    }
    for name, content in foreign.items():
        (tmp_path / name).write_text(content)
    days = [NOW.replace(day=day) for day in range(20, 25)]
    written = [create_backup(database_url=study_database, out_dir=tmp_path, now=d) for d in days]
    # A backup of ours that someone overwrote afterwards is no longer ours to delete.
    oldest = written[0].dump
    oldest.write_bytes(oldest.read_bytes() + b"-- edited\n")

    deleted = rotate_backups(tmp_path, keep=2)

    ours = {r.dump.name for r in written[-2:]} | {r.manifest.name for r in written[-2:]}
    assert {p.name for p in tmp_path.iterdir()} == set(foreign) | ours | {
        oldest.name,
        manifest_path(oldest).name,
    }
    assert {p.name for p in deleted} == {
        name for r in written[1:3] for name in (r.dump.name, r.manifest.name)
    }
    for name, content in foreign.items():
        assert (tmp_path / name).read_text() == content


def test_each_backup_rotates_to_keep(study_database, tmp_path):
    for day in (21, 22, 23):
        result = create_backup(
            database_url=study_database, out_dir=tmp_path, now=NOW.replace(day=day), keep=2
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "studygame-2026-11-22T0300Z.json",
        "studygame-2026-11-22T0300Z.sql.gz",
        "studygame-2026-11-23T0300Z.json",
        "studygame-2026-11-23T0300Z.sql.gz",
    ]
    assert [p.name for p in result.deleted] == [
        "studygame-2026-11-21T0300Z.sql.gz",
        "studygame-2026-11-21T0300Z.json",
    ]


def test_rotation_never_deletes_the_backup_it_just_wrote_when_the_clock_is_behind(
    study_database, tmp_path
):
    newer = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)
    # The clock went back five days: the new file's name sorts before the existing one.
    behind = create_backup(
        database_url=study_database, out_dir=tmp_path, now=NOW.replace(day=20), keep=1
    )

    assert behind.dump.exists() and behind.manifest.exists()
    assert sorted(p.name for p in behind.deleted) == sorted([newer.dump.name, newer.manifest.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [behind.dump.name, behind.manifest.name]
    )


def test_rotation_reports_only_the_files_it_deleted(study_database, tmp_path, monkeypatch):
    first = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW.replace(day=20))
    second = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)
    real_unlink = Path.unlink

    def raced(path, missing_ok=False):
        # Another process's rotation removes the dump between our listing and our unlink.
        if path == first.dump:
            real_unlink(path)
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", raced)
    deleted = rotate_backups(tmp_path, keep=1, just_written=second.dump)

    assert deleted == [first.manifest]
    assert second.dump.exists()


def test_no_subprocess_sees_the_password_on_its_command_line(
    database_url, scratch_url, tmp_path, monkeypatch
):
    password = "p@ss/w#rd?x%:y"
    seen = []
    real_popen = subprocess.Popen

    def recording(args, *rest, **kwargs):
        seen.append(list(map(str, args)))
        return real_popen(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording)
    # Local Postgres trusts root, so the password is ignored by the server but still travels.
    source = make_url(database_url).set(password=password).render_as_string(hide_password=False)
    with_query = (make_url(scratch_url)._replace(query={"password": password})).render_as_string(
        hide_password=False
    )
    result = create_backup(database_url=source, out_dir=tmp_path, now=NOW)
    verify_backup(result.dump, database_url=with_query)

    assert {Path(args[0]).name for args in seen} >= {"pg_dump", "psql"}
    for args in seen:
        for secret in (password, quote(password, safe=""), "password="):
            assert not any(secret in arg for arg in args), args


def test_a_backup_waits_for_another_ones_rotation_to_finish(study_database, tmp_path):
    first = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW.replace(day=20))
    finished = threading.Event()

    def second_backup():
        create_backup(database_url=study_database, out_dir=tmp_path, now=NOW, keep=1)
        finished.set()

    with backup.folder_lock(tmp_path):
        worker = threading.Thread(target=second_backup)
        worker.start()
        # Another process's rotation holds the folder: the second backup must not rotate now.
        assert not finished.wait(timeout=3)
        assert first.dump.exists()
    worker.join()
    assert finished.is_set() and not first.dump.exists()
