import json
import re
from pathlib import Path

import pytest

from studygame.db import scratch_database
from studygame.models import LearnerSettings
from studygame.services.backups import dump as backup
from studygame.services.backups.dump import BackupError, create_backup, stats_of
from studygame.services.backups.restore import prepare_restore, run_restore, verify_backup
from studygame.services.backups.vetting import DumpRefused, vet_lines

from ..conftest import NOW, database_with

HEAD = [
    "--\n",
    "-- PostgreSQL database dump\n",
    "--\n",
    "\\restrict abc123\n",
    "SET standard_conforming_strings = on;\n",
]
TAIL = ["--\n", "-- PostgreSQL database dump complete\n", "--\n", "\\unrestrict abc123\n"]
COPY = "COPY public.attempts (id, answer) FROM stdin;\n"


def _vet(*body: str) -> frozenset[str]:
    return vet_lines([*HEAD, *body, *TAIL])


@pytest.mark.parametrize(
    "body",
    [
        # COPY data may hold anything: backslashes, a `\!` at a line start, psql variables.
        [COPY, "1\t\\\\! touch /tmp/x\n", "2\t:'x' `id` \\o |cat\n", "\\.\n"],
        # A dollar-quoted body spans lines and may hold semicolons and backslashes.
        [
            "CREATE FUNCTION public.f() RETURNS trigger\n",
            "    LANGUAGE plpgsql\n",
            "    AS $$\nBEGIN\n  x := '\\! no'; RETURN NULL;\nEND\n$$;\n",
        ],
        ["CREATE TABLE public.t (\n    a text DEFAULT 'a;\\b'::text\n);\n"],
        ["SELECT pg_catalog.setval('public.t_id_seq', 5, true);\n"],
    ],
    ids=["copy data", "dollar-quoted body", "literal with ; and \\", "setval"],
)
def test_what_pg_dump_writes_passes(body):
    _vet(*body)


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([*HEAD, "\\! touch /tmp/x\n", *TAIL], "meta-command \\!"),
        ([*HEAD, *TAIL, "\\! touch /tmp/x\n"], "after pg_dump's closing"),
        ([*HEAD, "SELECT 1 \\! touch /tmp/x\n", *TAIL], "follows SQL"),
        ([*HEAD, "\\o |touch /tmp/x\n", *TAIL], "meta-command \\o"),
        ([*HEAD, "\\i /tmp/evil.sql\n", *TAIL], "meta-command \\i"),
        ([*HEAD, "COPY (SELECT 1) TO PROGRAM 'touch /tmp/x';\n", *TAIL], "does not write"),
        ([*HEAD, "COPY public.t (a) FROM PROGRAM 'id';\n", *TAIL], "does not write"),
        ([*HEAD, "SELECT :'secret';\n", *TAIL], "psql variable"),
        ([*HEAD, "SET standard_conforming_strings = off;\n", *TAIL], "does not write"),
        ([*HEAD, "SET client_encoding = 'SJIS';\n", *TAIL], "does not write"),
        (
            [*HEAD, "CREATE FUNCTION public.f() RETURNS trigger LANGUAGE c AS 'x';\n", *TAIL],
            "does not write",
        ),
        ([*HEAD, "DO $$ BEGIN PERFORM 1; END $$;\n", *TAIL], "does not write"),
        ([*HEAD, "/* x */ SELECT 1;\n", *TAIL], "comment"),
        ([*HEAD, "\\unrestrict abc123\n", "\\! id\n", *TAIL], "out of place"),
        ([*HEAD, COPY, "1\tx\n"], "cut short"),
        ([*HEAD, "CREATE TABLE public.t (\n"], "cut short"),
        (HEAD, "cut short"),
    ],
    ids=[
        "shell",
        "shell after unrestrict",
        "meta after SQL",
        "output pipe",
        "include",
        "copy to program",
        "copy from program",
        "variable",
        "lexing setting",
        "encoding",
        "C function",
        "DO block",
        "block comment",
        "early unrestrict",
        "cut in copy",
        "cut in statement",
        "cut before the end",
    ],
)
def test_anything_else_is_refused_with_the_reason(lines, reason):
    with pytest.raises(DumpRefused, match=re.escape(reason)):
        vet_lines(lines)


def _tamper(dump: Path, edit) -> None:
    """Edit the dump and rewrite its manifest to match, as an attacker would."""
    dump.write_text(edit(dump.read_text()))
    manifest_file = backup.manifest_path(dump)
    manifest = json.loads(manifest_file.read_text())
    manifest["size_bytes"] = dump.stat().st_size
    manifest["sha256"] = backup._sha256(dump)
    manifest_file.write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    "edit",
    [
        lambda sql, m: sql + f"\\! touch {m}\n",
        lambda sql, m: sql.replace("SET lock_timeout", f"\\o |touch {m}\nSET lock_timeout"),
        lambda sql, m: sql.replace(
            "SET lock_timeout", f"\\copy (SELECT 1) TO program 'touch {m}'\nSET lock_timeout"
        ),
        lambda sql, m: sql.replace(
            "SET lock_timeout", f"COPY (SELECT 1) TO PROGRAM 'touch {m}';\nSET lock_timeout"
        ),
        lambda sql, m: sql.replace("SET lock_timeout", f"\\i {m}.sql\nSET lock_timeout"),
    ],
    ids=["\\! after unrestrict", "\\o |cmd", "\\copy program", "COPY TO PROGRAM", "\\i"],
)
def test_a_tampered_dump_is_refused_before_psql_runs_anything(
    study_database, scratch_url, tmp_path, edit
):
    marker = tmp_path / "marker"
    (tmp_path / "marker.sql").write_text(f"\\! touch {marker}\n")
    out = tmp_path / "backups"
    result = create_backup(database_url=study_database, out_dir=out, now=NOW, compress=False)
    _tamper(result.dump, lambda sql: edit(sql, marker))

    with pytest.raises(BackupError, match=r"was refused before running psql"):
        verify_backup(result.dump, database_url=study_database)
    with pytest.raises(BackupError, match=r"was refused before running psql"):
        run_restore(prepare_restore(result.dump, database_url=scratch_url))

    assert not marker.exists()
    assert stats_of(scratch_url) == {}


def test_an_honest_dump_passes_the_vetting_and_verifies(study_database, tmp_path):
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)
    assert verify_backup(result.dump, database_url=study_database).ok


def test_backslashes_in_copy_data_restore(database_url, tmp_path):
    def seed(session):
        session.add(LearnerSettings(daily_goal=1, timezone="\\! touch x\n\\.\\", updated_at=NOW))

    with scratch_database(database_url) as source:
        database_with(source, seed=seed)
        result = create_backup(database_url=source, out_dir=tmp_path, now=NOW)
        assert verify_backup(result.dump, database_url=source).ok


def test_with_a_signing_key_only_a_manifest_signed_with_it_restores(
    study_database, scratch_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("BACKUP_SIGNING_KEY", "k3y")
    signed = create_backup(database_url=study_database, out_dir=tmp_path / "a", now=NOW)
    monkeypatch.delenv("BACKUP_SIGNING_KEY")
    unsigned = create_backup(database_url=study_database, out_dir=tmp_path / "b", now=NOW)
    edited = create_backup(database_url=study_database, out_dir=tmp_path / "c", now=NOW)
    monkeypatch.setenv("BACKUP_SIGNING_KEY", "k3y")
    manifest = json.loads(edited.manifest.read_text())
    manifest["signature"] = json.loads(signed.manifest.read_text())["signature"]
    manifest["tables"]["attempts"]["rows"] += 1
    edited.manifest.write_text(json.dumps(manifest))
    no_manifest = create_backup(database_url=study_database, out_dir=tmp_path / "d", now=NOW)
    no_manifest.manifest.unlink()

    for refused in (unsigned, edited, no_manifest):
        with pytest.raises(BackupError, match=r"BACKUP_SIGNING_KEY is set and its manifest"):
            prepare_restore(refused.dump, database_url=scratch_url)
    monkeypatch.setenv("BACKUP_SIGNING_KEY", "another key")
    with pytest.raises(BackupError, match=r"does not match that key"):
        prepare_restore(signed.dump, database_url=scratch_url)
    assert stats_of(scratch_url) == {}

    monkeypatch.setenv("BACKUP_SIGNING_KEY", "k3y")
    assert verify_backup(signed.dump, database_url=study_database).ok


def test_a_dump_swapped_after_the_check_is_refused_as_it_is_fed(
    study_database, scratch_url, tmp_path
):
    marker = tmp_path / "marker"
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW, compress=False)
    plan = prepare_restore(result.dump, database_url=scratch_url)
    result.dump.write_text(
        result.dump.read_text().replace("SET lock_timeout", f"\\! touch {marker}\nSET lock_timeout")
    )

    with pytest.raises(BackupError, match=r"changed since it was checked and was refused"):
        run_restore(plan)
    assert not marker.exists()
    assert stats_of(scratch_url) == {}


def test_a_manifest_cannot_smuggle_sql_into_the_restore(study_database, scratch_url, tmp_path):
    marker = tmp_path / "marker"
    result = create_backup(database_url=study_database, out_dir=tmp_path, now=NOW)
    manifest = json.loads(result.manifest.read_text())
    manifest["tables"]["attempts"]["rows"] = f"0 THEN END IF; END $check$;\n\\! touch {marker}\n"
    result.manifest.write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match=r"is not a readable StudyGame backup manifest"):
        run_restore(prepare_restore(result.dump, database_url=scratch_url))
    assert not marker.exists()
    assert stats_of(scratch_url) == {}
