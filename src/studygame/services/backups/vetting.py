"""Vet a plain-SQL dump before psql sees it: only what pg_dump writes for our schema may pass.

psql runs meta-commands (`\\! cmd`, `\\o |cmd`, `\\copy ... program`, `\\i file`) and expands
`:variables` wherever they stand outside a quoted literal, and a manifest can be edited to
match an edited dump. So every line is lexed the way psql lexes it (quotes, dollar quotes,
COPY data blocks) and anything that is not a statement kind pg_dump writes is refused.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO

DUMP_HEADER = b"-- PostgreSQL database dump"
# pg_dump writes this line last (before \unrestrict): a file without it was cut short.
DUMP_COMPLETE = "-- PostgreSQL database dump complete"
GZIP_MAGIC = b"\x1f\x8b"
RESTRICT = re.compile(r"^\\(restrict|unrestrict) ([A-Za-z0-9]+)\s*$")
DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
NAME = r"[a-z_][a-z0-9_]*"
# The statement kinds pg_dump --no-owner --no-privileges writes for StudyGame's schema, matched
# on the statement with its quoted literals blanked out. Settings that change how psql lexes
# (standard_conforming_strings, client_encoding) are pinned to the values the lexer assumes.
ALLOWED = [
    re.compile(p, re.DOTALL)
    for p in (
        r"SET (statement_timeout|lock_timeout|idle_in_transaction_session_timeout|"
        r"transaction_timeout|check_function_bodies|xmloption|client_min_messages|row_security|"
        r"default_tablespace|default_table_access_method) = [A-Za-z0-9_']+",
        r"SET client_encoding = 'UTF8'",
        r"SET standard_conforming_strings = on",
        r"SELECT pg_catalog\.set_config\('search_path', '', false\)",
        rf"SELECT pg_catalog\.setval\('public\.{NAME}', \d+, (true|false)\)",
        rf"CREATE TABLE public\.{NAME} \(.*\)",
        rf"CREATE SEQUENCE public\.{NAME}\s.*",
        rf"CREATE (UNIQUE )?INDEX {NAME} ON public\.{NAME} USING btree .*",
        rf"CREATE TRIGGER {NAME} .* EXECUTE FUNCTION public\.{NAME}\(\)",
        rf"CREATE FUNCTION public\.{NAME}\(\) RETURNS trigger\s+LANGUAGE plpgsql\s+AS ''",
        rf"ALTER TABLE (ONLY )?public\.{NAME}( ALTER COLUMN {NAME})? "
        rf"(ADD CONSTRAINT|SET DEFAULT|ALTER COLUMN|OWNER TO|ENABLE|DISABLE).*",
        rf"ALTER TABLE public\.{NAME} ALTER COLUMN {NAME} ADD GENERATED .*",
        rf"ALTER SEQUENCE public\.{NAME} OWNED BY public\.{NAME}\.{NAME}",
        r"COMMENT ON (TABLE|COLUMN|FUNCTION|INDEX|TRIGGER) .* IS '.*'",
    )
]
COPY_FROM_STDIN = re.compile(rf"COPY public\.{NAME} \([a-z0-9_, ]+\) FROM stdin")
CREATE_TABLE = re.compile(rf"CREATE TABLE public\.({NAME}) \(")


class DumpRefused(ValueError):
    """The dump holds something pg_dump does not write for our schema; message says what."""


def open_dump(dump: Path) -> IO[bytes]:
    """The dump's SQL as bytes, decompressing a gzip file (found by its magic bytes)."""
    with dump.open("rb") as f:
        compressed = f.read(2) == GZIP_MAGIC
    return gzip.open(dump, "rb") if compressed else dump.open("rb")


def vet_dump(dump: Path) -> frozenset[str]:
    """Read the whole dump, refuse anything unsafe or cut short; return the tables it creates."""
    try:
        with open_dump(dump) as sql:
            if DUMP_HEADER not in sql.read(200):
                raise DumpRefused("it is not a plain-SQL dump written by pg_dump")
            sql.seek(0)
            return vet_lines(line.decode("utf-8") for line in sql)
    except (EOFError, OSError, zlib.error):
        raise DumpRefused("its gzip data is incomplete or corrupt (damaged or cut short)") from None
    except UnicodeDecodeError:
        raise DumpRefused("it is not UTF-8 text") from None


def vet_lines(lines: Iterable[str]) -> frozenset[str]:
    """The lexer behind vet_dump, on decoded lines; returns the tables the statements create."""
    lexer = DumpLexer()
    for number, line in enumerate(lines, start=1):
        try:
            lexer.feed(line)
        except DumpRefused as exc:
            raise DumpRefused(f"line {number}: {exc}") from None
    lexer.finish()
    return frozenset(lexer.tables)


class DumpLexer:
    """Feed a dump line by line: `feed` raises DumpRefused at the first unsafe line."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.restrict_key: str | None = None
        self.unrestricted = False
        self.complete = False
        self.in_copy = False
        self.quote: str | None = None  # "'", "E'", '"' or a dollar tag like "$$"
        self.statement: list[str] = []  # the statement so far, quoted text blanked

    def feed(self, line: str) -> None:
        """Lex one line (with its newline); raise DumpRefused if psql would do more than SQL."""
        if self.in_copy:
            # COPY data may hold anything, backslashes included: only `\.` ends it.
            if line.rstrip("\r\n") == "\\.":
                self.in_copy = False
            return
        if self.quote is None and not self.statement:
            stripped = line.strip()
            if not stripped:
                return
            if stripped.startswith("--"):
                if "\\" in stripped:
                    raise DumpRefused("a comment holds a backslash")
                self.complete = self.complete or stripped == DUMP_COMPLETE
                return
            if self.unrestricted:
                raise DumpRefused("there is text after pg_dump's closing \\unrestrict")
            if stripped.startswith("\\"):
                self._meta(stripped)
                return
            if self.restrict_key is None:
                raise DumpRefused("SQL comes before pg_dump's opening \\restrict")
        self._lex(line)

    def _meta(self, line: str) -> None:
        match = RESTRICT.match(line)
        if match is None:
            raise DumpRefused(f"it holds the psql meta-command {line.split()[0]}")
        kind, key = match.groups()
        if kind == "restrict" and self.restrict_key is None:
            self.restrict_key = key
        elif kind == "unrestrict" and key == self.restrict_key and self.complete:
            self.unrestricted = True
        else:
            raise DumpRefused(f"\\{kind} is out of place")

    def _lex(self, line: str) -> None:
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if self.quote is not None:
                i = self._in_quote(line, i)
                continue
            if c == "\\":
                raise DumpRefused("a psql meta-command follows SQL on the same line")
            if c == ":" and line.startswith("::", i):
                self.statement.append("::")
                i += 2
                continue
            if c == ":" and i + 1 < n and (line[i + 1].isalnum() or line[i + 1] in "_'\"{"):
                raise DumpRefused("it holds a psql variable (:name)")
            if c == "`":
                raise DumpRefused("it holds a backtick")
            if line.startswith("/*", i):
                raise DumpRefused("it holds a /* comment */, which pg_dump does not write")
            if line.startswith("--", i):
                if "\\" in line[i:]:
                    raise DumpRefused("a comment holds a backslash")
                break
            if c in "'\"":
                escaped = c == "'" and i > 0 and line[i - 1] in "Ee" and not _word(line, i - 2)
                self.quote = "E'" if escaped else c
                self.statement.append(c)
                i += 1
                continue
            if c == "$" and not _word(line, i - 1):
                tag = DOLLAR_TAG.match(line, i)
                if tag:
                    self.quote = tag.group(0)
                    self.statement.append("''")
                    i = tag.end()
                    continue
            if c == ";":
                self._end_statement()
                i += 1
                continue
            if self.statement or not c.isspace():
                self.statement.append(c)
            i += 1

    def _in_quote(self, line: str, i: int) -> int:
        quote = self.quote
        if quote.startswith("$"):
            end = line.find(quote, i)
            if end < 0:
                return len(line)
            self.quote = None
            return end + len(quote)
        close = quote[-1]
        while i < len(line):
            c = line[i]
            if quote == "E'" and c == "\\":
                self.statement.append(line[i : i + 2])
                i += 2
                continue
            if c == close and line.startswith(close * 2, i):
                self.statement.append(close * 2)
                i += 2
                continue
            self.statement.append(c)
            i += 1
            if c == close:
                self.quote = None
                return i
        return i

    def _end_statement(self) -> None:
        statement = " ".join("".join(self.statement).split())
        self.statement = []
        if COPY_FROM_STDIN.fullmatch(statement):
            self.in_copy = True
            return
        if not any(pattern.fullmatch(statement) for pattern in ALLOWED):
            raise DumpRefused(f"pg_dump does not write {_head(statement)!r} for StudyGame")
        table = CREATE_TABLE.match(statement)
        if table:
            self.tables.add(table.group(1))

    def finish(self) -> None:
        """Raise DumpRefused when the dump ended before pg_dump's closing lines."""
        if self.in_copy or self.quote is not None or "".join(self.statement).strip():
            raise DumpRefused("it is cut short in the middle of a statement")
        if not (self.complete and self.unrestricted):
            raise DumpRefused("it is cut short: it lacks pg_dump's closing lines")


def _word(line: str, i: int) -> bool:
    return i >= 0 and (line[i].isalnum() or line[i] in "_$")


def _head(statement: str) -> str:
    return " ".join(statement.split()[:3])
