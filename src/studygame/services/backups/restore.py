"""Restore and verify a backup: vet the dump, check the target, load it with psql, all or none."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from studygame.db import DatabaseUnavailable, scratch_database
from studygame.services.backups.dump import (
    BackupError,
    Manifest,
    TableStats,
    check_dump,
    compare_stats,
    connect,
    first_error,
    manifest_path,
    read_manifest,
    stats_of,
    table_stats,
)
from studygame.services.backups.own_schema import (
    ForeignDependency,
    check_droppable,
    drop_statements,
    existing_functions,
    own_tables,
)
from studygame.services.backups.pg_client import libpq_target, locate_client, server_major_version
from studygame.services.backups.vetting import DumpLexer, DumpRefused, open_dump


@dataclass(frozen=True)
class RestorePlan:
    """A checked dump and target: what `run_restore` will load, and what it will replace."""

    dump: Path
    database_url: str
    server_major: int
    manifest: Manifest | None
    dump_tables: frozenset[str]
    replaced: dict[str, int]
    replaced_functions: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifyResult:
    compared_with: str
    restored: dict[str, TableStats]
    differences: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.differences


def prepare_restore(dump: Path, *, database_url: str, force: bool = False) -> RestorePlan:
    """Check the dump and the target; refuse a non-empty target unless `force`."""
    manifest = read_manifest(dump)
    dump_tables = check_dump(dump, manifest)
    with connect(database_url) as connection, connection.begin():
        server_major = server_major_version(connection)
        existing = {name: stats.rows for name, stats in table_stats(connection).items()}
        ours = own_tables()
        replaced = {name: rows for name, rows in existing.items() if name in ours}
        functions = existing_functions(connection)
        if force and (replaced or functions):
            try:
                check_droppable(connection, set(replaced))
            except ForeignDependency as exc:
                raise BackupError(
                    f"--force removes only StudyGame's own objects, and one that is not ours "
                    f"depends on them ({exc}): remove or change it first."
                ) from None
    if manifest is not None and manifest.pg_dump_major > server_major:
        raise BackupError(
            f"{dump.name} was written by pg_dump {manifest.pg_dump_major} and restores into "
            f"PostgreSQL {manifest.pg_dump_major} or newer; the target runs {server_major}."
        )
    if existing and not force:
        raise BackupError(
            f"The target database is not empty (it has {_describe(existing)}): restore into "
            "an empty database, or pass --force to replace StudyGame's own tables."
        )
    return RestorePlan(
        dump, database_url, server_major, manifest, dump_tables, replaced, tuple(functions)
    )


def _describe(tables: dict[str, int]) -> str:
    return ", ".join(
        f"{name} ({rows} row{'' if rows == 1 else 's'})" for name, rows in sorted(tables.items())
    )


def describe_replaced(plan: RestorePlan) -> str:
    """What a forced restore drops (our tables with row counts, our functions), to announce."""
    parts = [_describe(plan.replaced)] if plan.replaced else []
    if plan.replaced_functions:
        parts.append("function " + ", ".join(plan.replaced_functions) + " with its triggers")
    return "; ".join(parts)


def run_restore(plan: RestorePlan) -> dict[str, TableStats]:
    """Load the dump with psql in one transaction; any error leaves the target as it was.

    Returns the rows and checksum of every table as restored.
    """
    psql = locate_client("psql", major=plan.server_major)
    url, env = libpq_target(plan.database_url)
    # psql splits quotes by the server's setting; the vetting reads them as pg_dump writes
    # them (standard strings). A target defaulting to `off` must not make the two disagree.
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c standard_conforming_strings=on".strip()
    command = [
        str(psql),
        "--no-psqlrc",
        "--quiet",
        "--single-transaction",
        "--set=ON_ERROR_STOP=1",
        f"--dbname={url}",
        "--file=-",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
        )
        refused = None
        # BrokenPipeError: psql stopped at an error; its exit code and message say which.
        with contextlib.suppress(BrokenPipeError):
            try:
                process.stdin.write(_drop_replaced(plan))
                _feed_vetted(plan.dump, process.stdin)
                process.stdin.write(_check_counts(plan.manifest))
            except DumpRefused as exc:
                # Killed before stdin closes: psql reaching the end of its input would commit.
                refused = exc
                process.kill()
            finally:
                process.stdin.close()
        if refused is not None:
            process.wait()
            raise BackupError(
                f"{plan.dump.name} changed since it was checked and was refused: {refused}; "
                "the target database was left as it was."
            )
        if process.wait() != 0:
            detail = first_error(errors)
            if "\\restrict" in detail:
                detail += " (this psql is older than the pg_dump that wrote the dump: update it)"
            raise BackupError(
                f"The restore failed and the target database was left as it was: {detail}."
            )
    # Only our tables are the restore's result: a table the target kept is not "restored".
    ours = own_tables()
    return {name: s for name, s in stats_of(plan.database_url).items() if name in ours}


def _feed_vetted(dump: Path, stdin: IO[bytes]) -> None:
    # The file is vetted again line by line as it is fed: psql only ever reads lines that
    # passed, even if the file was swapped after prepare_restore read it.
    lexer = DumpLexer()
    with open_dump(dump) as sql:
        for line in sql:
            try:
                lexer.feed(line.decode("utf-8"))
            except UnicodeDecodeError:
                raise DumpRefused("it is not UTF-8 text") from None
            stdin.write(line)
    lexer.finish()


def _drop_replaced(plan: RestorePlan) -> bytes:
    # Inside psql's single transaction: if the restore fails, the dropped objects come back.
    if not (plan.replaced or plan.replaced_functions):
        return b""
    return drop_statements(set(plan.replaced)).encode()


def _check_counts(manifest: Manifest | None) -> bytes:
    # Runs last in the same transaction, so a count that disagrees with the manifest undoes all.
    if manifest is None:
        return b""
    checks = "".join(
        f'  SELECT count(*) INTO found FROM public."{name}";\n'
        f"  IF found <> {stats.rows} THEN RAISE EXCEPTION "
        f"'{name} has % rows after the restore, the manifest says {stats.rows}', found; END IF;\n"
        for name, stats in sorted(manifest.tables.items())
    )
    return f"\nDO $check$\nDECLARE found bigint;\nBEGIN\n{checks}END\n$check$;\n".encode()


def verify_backup(dump: Path, *, database_url: str) -> VerifyResult:
    """Restore into a scratch database and compare rows and checksums with the manifest.

    Without a manifest, the comparison is with the live database at `database_url`.
    """
    manifest = read_manifest(dump)
    if not dump.is_file():
        raise BackupError(f"{dump} does not exist.")
    try:
        with scratch_database(database_url) as scratch_url:
            restored = run_restore(prepare_restore(dump, database_url=scratch_url))
    except DatabaseUnavailable as exc:
        raise BackupError(str(exc)) from None
    if manifest is not None:
        expected, compared_with = manifest.tables, f"its manifest {manifest_path(dump).name}"
    else:
        expected, compared_with = stats_of(database_url), "the live database"
    return VerifyResult(compared_with, restored, tuple(compare_stats(expected, restored)))
