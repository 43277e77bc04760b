"""The outbox's queue: answers waiting on disk (or in memory), shared by every process.

The file is a log of JSON lines: an answer (`NewAttempt.to_line()`), or a removal,
`{"removed": [ids]}`, appended once those answers have committed. Every change happens
under an exclusive `flock` on a sibling lock file that is never replaced; appends start
on a fresh line, so a line torn by a crash costs only itself.

Each process keeps an index of the log (the answers still queued, by id) and reads only
the bytes appended since it last looked: counting, queueing and removing cost what
changed, never the size of the queue. The log is rewritten with just the queued answers
(compacted) when removals outnumber them, or to drop lines that are not answers. A
rewrite writes a new token into the lock file, which tells every other process to read
the log afresh (an inode number alone can be reused).

A line that is not an answer (not UTF-8, not JSON, not an object, or not valid for
`NewAttempt`) is never counted and never blocks the others: it moves to the dead-letter
file with its reason at the next flush.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from studygame.domain.attempt import NewAttempt

log = logging.getLogger(__name__)


class _Removal(BaseModel):
    """A log line saying these answers committed and have left the queue."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    removed: list[uuid.UUID]


_REMOVAL_START = b'{"removed":'


@dataclass(frozen=True)
class _Queued:
    line: str
    answered_at: datetime


class AnswerQueue:
    """The queued answers, oldest first; safe to share between threads and processes."""

    def __init__(self, path: Path | None):
        """Open the queue at `path` (None: memory only); what an earlier run left is kept."""
        self._store: _FileStore | _MemoryStore = _MemoryStore()
        if path is not None:
            try:
                self._store = _FileStore(path)
            except OSError as exc:
                self._to_memory(exc)
        self._reset(identity=None)

    @property
    def path(self) -> Path | None:
        """The log on disk; None when answers are kept in memory only."""
        return self._store.path

    @property
    def dead_letter_path(self) -> Path | None:
        """Where answers that can never be saved are kept, with the reason."""
        return None if self.path is None else self.path.with_suffix(".dead.jsonl")

    def count(self) -> int:
        """How many answers are queued (by any process sharing the file)."""
        with self._synced():
            return len(self._live)

    def add(self, attempt: NewAttempt) -> None:
        """Queue an answer; on disk (fsynced) before this returns, so a crash loses nothing."""
        with self._synced():
            self._write(attempt.to_line().encode("utf-8"))

    def oldest(self, limit: int | None = None) -> list[NewAttempt]:
        """The queued answers, oldest first: all of them, or the first `limit`."""
        with self._synced():
            if not self._in_time_order:
                self._live = dict(sorted(self._live.items(), key=lambda i: i[1].answered_at))
                self._in_time_order = True
            queued = [q.line for q in itertools.islice(self._live.values(), limit)]
        return [NewAttempt.from_line(line) for line in queued]

    def remove(self, ids: set[uuid.UUID]) -> None:
        """Take these answers (committed now) out of the queue, whoever queued them."""
        if not ids:
            return
        removal = _Removal(removed=sorted(ids, key=str)).model_dump_json() + "\n"
        with self._synced():
            self._write(removal.encode("utf-8"))
            if len(self._live) < self._garbage or not self._live:
                self._compact()

    def set_aside_unreadable(self) -> int:
        """Move the lines that are not answers to the dead-letter file; how many there were."""
        with self._synced():
            unreadable = len(self._unreadable)
            if unreadable:
                self._compact()
            return unreadable

    def dead_letter(self, entries: list[tuple[str, str]]) -> None:
        """Keep these (line, reason) aside for good; they are never retried."""
        for _, reason in entries:
            log.error("an answer could not be saved and was set aside: %s", reason)
        with self._synced():
            self._dead_letter(entries)

    def rejected(self) -> int:
        """How many answers were set aside for good."""
        path = self.dead_letter_path
        try:
            return 0 if path is None else path.read_bytes().count(b"\n")
        except OSError:
            return 0

    @contextlib.contextmanager
    def _synced(self) -> Iterator[None]:
        """Under the lock, with the index caught up with the log."""
        try:
            with self._store.locked():
                self._catch_up()
                yield
                return
        except OSError as exc:
            self._to_memory(exc)
        with self._store.locked():
            self._catch_up()
            yield

    def _catch_up(self) -> None:
        identity, size = self._store.identity()
        if identity != self._identity or size < self._offset:
            self._reset(identity)
        if size > self._offset:
            appended = self._store.read_from(self._offset)
            self._offset += len(appended)
            for raw in appended.split(b"\n"):
                self._take(raw)

    def _reset(self, identity: object) -> None:
        self._identity = identity
        self._offset = 0
        self._live: dict[uuid.UUID, _Queued] = {}
        self._unreadable: list[tuple[str, str]] = []
        self._garbage = 0  # lines in the log that are not a queued answer
        self._latest: datetime | None = None  # the latest answer indexed so far
        self._in_time_order = True

    def _take(self, raw: bytes) -> None:
        """Index one line of the log."""
        if not raw.strip():
            return
        self._garbage += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._unreadable.append(
                (raw.decode("utf-8", "backslashreplace"), "not an answer (the line is not UTF-8)")
            )
            return
        if raw.startswith(_REMOVAL_START):
            with contextlib.suppress(ValidationError):
                for answer_id in _Removal.model_validate_json(line, strict=True).removed:
                    self._live.pop(answer_id, None)
                return
        try:
            attempt = NewAttempt.from_line(line)
        except ValueError as exc:
            self._unreadable.append((line, f"not an answer ({exc})"))
            return
        if attempt.id in self._live:
            return  # the same answer queued twice is kept once
        self._garbage -= 1
        if self._latest is not None and attempt.answered_at < self._latest:
            self._in_time_order = False  # sorted when the oldest are next asked for
        else:
            self._latest = attempt.answered_at
        self._live[attempt.id] = _Queued(line, attempt.answered_at)

    def _write(self, data: bytes) -> None:
        """Append to the log and index what was appended (the caller holds the lock)."""
        try:
            self._store.append(data)
        except OSError as exc:
            self._to_memory(exc)
            self._store.append(data)
        self._catch_up()

    def _dead_letter(self, entries: list[tuple[str, str]]) -> None:
        """Append to the dead-letter file (the caller holds the lock)."""
        path = self.dead_letter_path
        if path is None or not entries:
            return
        at = datetime.now(UTC).isoformat()
        records = "".join(
            json.dumps({"line": line.rstrip("\n"), "reason": reason, "at": at}) + "\n"
            for line, reason in entries
        )
        try:
            _append(path, records.encode("utf-8"))
        except OSError as exc:
            log.warning("dead-letter file not written: %s", exc.strerror or exc)

    def _compact(self) -> None:
        """Rewrite the log with only the queued answers; lines that are not answers go aside."""
        for _, reason in self._unreadable:
            log.error("a line of the outbox is not an answer and was set aside: %s", reason)
        self._dead_letter(self._unreadable)
        data = "".join(q.line.rstrip("\n") + "\n" for q in self._live.values()).encode("utf-8")
        try:
            self._store.replace(data)
        except OSError as exc:
            self._to_memory(exc)
            self._store.replace(data)
        self._unreadable, self._garbage = [], 0
        self._identity, self._offset = self._store.identity()[0], len(data)

    def _to_memory(self, exc: OSError) -> None:
        # A read-only or full disk: keep answers in memory, say so on the badge.
        log.warning("outbox kept in memory only: %s", exc.strerror or exc)
        data = b""
        if self._store.path is not None:
            with contextlib.suppress(OSError):
                data = self._store.path.read_bytes()
        self._store = _MemoryStore(data)
        self._reset(identity=None)


class _FileStore:
    """The log on disk, its lock file beside it."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        self.path = path
        self._lock_path = path.with_suffix(".lock")
        self._lock_path.touch()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def identity(self) -> tuple[object, int]:
        """Which log this is (the rewrite token and inode) and its size."""
        status = os.stat(self.path)
        return (self._lock_path.read_bytes(), status.st_ino), status.st_size

    def read_from(self, offset: int) -> bytes:
        with self.path.open("rb") as file:
            file.seek(offset)
            return file.read()

    def append(self, data: bytes) -> None:
        _append(self.path, data)

    def replace(self, data: bytes) -> None:
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        with temporary.open("wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        self._lock_path.write_bytes(uuid.uuid4().hex.encode())


class _MemoryStore:
    """The log in this process's memory, when the disk cannot be written."""

    path: Path | None = None

    def __init__(self, data: bytes = b""):
        self._data = bytearray(data)
        self._generation = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def identity(self) -> tuple[object, int]:
        return self._generation, len(self._data)

    def read_from(self, offset: int) -> bytes:
        return bytes(self._data[offset:])

    def append(self, data: bytes) -> None:
        if self._data and not self._data.endswith(b"\n"):
            self._data += b"\n"
        self._data += data

    def replace(self, data: bytes) -> None:
        self._data = bytearray(data)
        self._generation += 1


def _append(path: Path, data: bytes) -> None:
    """Append whole lines, fsynced; a torn last line (a crash mid-write) is ended first."""
    with path.open("a+b") as file:  # appends always land at the end, whatever is read
        if file.seek(0, os.SEEK_END) > 0:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                file.write(b"\n")
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
