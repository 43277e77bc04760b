"""Answers the database could not take yet: kept on disk, replayed exactly once.

An answer that cannot be written (Postgres unreachable, Neon waking too slowly, a cut or
hanging connection) is appended to the outbox with the UUID the app gave it. When the
database answers again each entry is replayed through `record_attempt` in its own
transaction and leaves the outbox only after that transaction has committed. A replay
of an answer that did reach the database (the connection died after COMMIT, or a write
that outlived its deadline finished later) inserts nothing: the UUID is the primary key.

The file is the queue, shared by every process that opens it (two app processes on one
disk, or the CLI beside the app): each change happens under an exclusive `flock` on a
sibling lock file that is never replaced, and every reader re-reads the file. Appends
start on a fresh line, so a line torn by a crash costs only itself. No lock is held
while talking to the database: a replay reads the queue, writes, then removes what
committed. Two processes replaying the same entry at once is harmless (the second
insert is a no-op).

An entry the database refuses for its content (a value too long for its column, a
foreign key that does not exist), not for a connection problem, would fail forever: it
moves to the dead-letter file beside the outbox with the reason, and is never retried.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame.db import session_scope
from studygame.domain.attempt import NewAttempt
from studygame.services.learner import get_learner_settings
from studygame.services.study import AnswerRefused, Recorded, record_attempt

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.jsonl"
# After a failed write, wait this long before a page view tries the database again: each
# try can take the whole connect timeout when the network drops packets.
RETRY_AFTER_S = 15.0
# A tap must get its answer on screen quickly even when the database hangs: after this
# long the answer is queued and the write, if it ever finishes, is a harmless duplicate.
SAVE_DEADLINE_S = 2.5

T = TypeVar("T")


def is_connection_error(exc: BaseException) -> bool:
    """True when the database could not be reached or the connection broke mid-way."""
    return isinstance(exc, OperationalError | TimeoutError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


@dataclass(frozen=True)
class FlushResult:
    saved: int  # written now
    already_saved: int  # had reached the database before (a replay, a no-op)
    pending: int  # still waiting
    database_down: bool  # stopped early because the database could not be reached
    rejected: int = 0  # moved to the dead-letter file now: the database refused their content
    answered_elsewhere: int = 0  # dropped: their card was answered elsewhere after showing


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool  # this answer is in the database now
    flushed: int  # earlier answers from the outbox written just before it
    pending: int  # answers still waiting, this one included when it was queued
    rejected: str | None = None  # why the database refused this answer (it is dead-lettered)
    answered_elsewhere: bool = False  # not recorded: its card was answered in another tab


class Outbox:
    """The queue of answers not yet in the database; safe to share between threads and processes."""

    def __init__(
        self,
        path: Path | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        deadline_s: float = SAVE_DEADLINE_S,
    ):
        """Open the outbox at `path` (None: memory only); what an earlier run left is kept."""
        self._clock = clock
        self._deadline_s = deadline_s
        self._last_failure: float | None = None
        self._last_hang: float | None = None  # the last write that outlived its deadline
        self._memory: list[str] = []  # the lines, when there is no usable disk
        self._memory_lock = threading.Lock()
        # One database write at a time per process; waited for with a deadline, never forever.
        self._writing = threading.Lock()
        self.path = path
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
                self._lock_path.touch()
            except OSError as exc:
                self._to_memory(exc)

    @property
    def durable(self) -> bool:
        """True when queued answers are also on disk (they survive an app restart)."""
        return self.path is not None

    @property
    def dead_letter_path(self) -> Path | None:
        """Where answers the database refused for their content are kept, with the reason."""
        return None if self.path is None else self.path.with_suffix(".dead.jsonl")

    @property
    def _lock_path(self) -> Path:
        return self.path.with_suffix(".lock")

    def pending(self) -> int:
        """How many answers wait to be saved (by any process sharing the file)."""
        return len(self.entries())

    def entries(self) -> list[NewAttempt]:
        """The queued answers, each once, oldest first; unreadable lines are skipped."""
        with self._locked() as lines:
            return _parse_all(lines)[0]

    def rejected(self) -> int:
        """How many answers were moved aside because the database refused their content."""
        path = self.dead_letter_path
        try:
            return 0 if path is None else len(path.read_text(encoding="utf-8").splitlines())
        except OSError:
            return 0

    def add(self, attempt: NewAttempt) -> None:
        """Queue an answer; on disk (fsynced) before this returns, so a crash loses nothing."""
        line = attempt.to_line()
        if self.path is not None:
            try:
                with self._file_lock():
                    _append_text(self.path, line)
                return
            except OSError as exc:
                self._to_memory(exc)
        with self._memory_lock:
            self._memory.append(line.rstrip("\n"))

    def flush(self, engine: Engine, *, desired_retention: float | None = None) -> FlushResult:
        """Replay queued answers oldest first, each in its own committed transaction.

        Stops at the first connection error and keeps the rest; an entry the database
        refuses for its content is dead-lettered and the others go on. Without
        `desired_retention`, the learner's saved setting is used. Bounded in time: past
        the deadline it reports the database down and the replay finishes on its own.
        """
        outcome = self._bounded(lambda: self._flush(engine, desired_retention))
        if outcome is None:
            return FlushResult(0, 0, self.pending(), database_down=True)
        return outcome

    def flush_if_due(
        self, engine: Engine, *, desired_retention: float | None = None
    ) -> FlushResult | None:
        """Flush when answers wait and the last failure is old enough; None when not tried."""
        if not self._retry_due() or not self.pending():
            return None
        return self.flush(engine, desired_retention=desired_retention)

    def save(self, engine: Engine, attempt: NewAttempt, *, desired_retention: float) -> SaveOutcome:
        """Write an answer: older queued ones first, then this one; queue it if that fails.

        Returns within about the deadline whatever the database does: a connection error,
        a hang or a write still running then all queue the answer.
        """
        if self._hung_recently():
            # The database hung moments ago: don't make this tap wait for it again.
            self.add(attempt)
            return SaveOutcome(saved=False, flushed=0, pending=self.pending())

        def write() -> tuple[FlushResult | None, str | None]:
            flushed = self._flush(engine, desired_retention) if self.pending() else None
            if flushed is not None and flushed.database_down:
                return flushed, "down"
            try:
                with session_scope(engine) as session:
                    recorded = record_attempt(
                        session, attempt=attempt, desired_retention=desired_retention
                    )
            except Exception as exc:
                if is_connection_error(exc):
                    self._last_failure = self._clock()
                    return flushed, "down"
                reason = _refusal(exc)
                self._dead_letter([(attempt.to_line(), reason)])
                return flushed, reason
            return flushed, None if recorded is not Recorded.ANSWERED_ELSEWHERE else "elsewhere"

        outcome = self._bounded(write)
        if outcome is None:
            self.add(attempt)
            return SaveOutcome(saved=False, flushed=0, pending=self.pending())
        flushed, problem = outcome
        earlier = flushed.saved if flushed else 0
        if problem == "down":
            self.add(attempt)
            return SaveOutcome(saved=False, flushed=earlier, pending=self.pending())
        if problem == "elsewhere":
            return SaveOutcome(
                saved=False, flushed=earlier, pending=self.pending(), answered_elsewhere=True
            )
        return SaveOutcome(
            saved=problem is None, flushed=earlier, pending=self.pending(), rejected=problem
        )

    def _bounded(self, work: Callable[[], T]) -> T | None:
        """Run `work` (database I/O) in a worker thread; None when it outlives the deadline.

        One write at a time: a tap waits for another tab's write, but only up to the same
        deadline. A worker that outlives it runs on to its end; what it writes is keyed by
        the answers' UUIDs, so finishing late duplicates nothing.
        """
        started = time.monotonic()
        if not self._writing.acquire(timeout=self._deadline_s):
            self._last_failure = self._last_hang = self._clock()
            return None
        result: dict[str, object] = {}

        def run() -> None:
            try:
                result["value"] = work()
            except BaseException as exc:  # handed to the caller's thread below
                result["error"] = exc
            finally:
                self._writing.release()

        worker = threading.Thread(target=run, name="outbox-write", daemon=True)
        worker.start()
        worker.join(max(self._deadline_s - (time.monotonic() - started), 0.0))
        if worker.is_alive():
            self._last_failure = self._last_hang = self._clock()
            log.warning("the database did not answer within %.1f s", self._deadline_s)
            return None
        if "error" in result:
            raise result["error"]
        return result["value"]

    def _hung_recently(self) -> bool:
        return self._last_hang is not None and self._clock() - self._last_hang < RETRY_AFTER_S

    def _retry_due(self) -> bool:
        return self._last_failure is None or self._clock() - self._last_failure >= RETRY_AFTER_S

    def _flush(self, engine: Engine, desired_retention: float | None) -> FlushResult:
        with self._locked() as lines:
            queued, unreadable = _parse_all(lines)
        if unreadable:
            self._dead_letter(unreadable)
        saved = already = elsewhere = 0
        database_down = False
        done: set[uuid.UUID] = set()
        refused: list[tuple[str, str]] = []
        # A long backlog is replayed a slice per call, well inside the deadline: only a
        # database that stops answering should make a flush outlive it.
        stop_at = time.monotonic() + self._deadline_s / 2
        for attempt in queued:
            if time.monotonic() > stop_at:
                break
            try:
                with session_scope(engine) as session:
                    retention = (
                        get_learner_settings(session).desired_retention
                        if desired_retention is None
                        else desired_retention
                    )
                    recorded = record_attempt(session, attempt=attempt, desired_retention=retention)
            except Exception as exc:
                if is_connection_error(exc):
                    self._last_failure = self._clock()
                    database_down = True
                    break
                refused.append((attempt.to_line(), _refusal(exc)))
                done.add(attempt.id)
                continue
            # Committed: only now may the entry leave the outbox.
            done.add(attempt.id)
            saved += recorded is Recorded.SAVED
            already += recorded is Recorded.ALREADY_SAVED
            elsewhere += recorded is Recorded.ANSWERED_ELSEWHERE
        if refused:
            self._dead_letter(refused)
        if done or unreadable:
            self._remove(done, drop_unreadable={line for line, _ in unreadable})
        return FlushResult(
            saved=saved,
            already_saved=already,
            pending=self.pending(),
            database_down=database_down,
            rejected=len(refused),
            answered_elsewhere=elsewhere,
        )

    def _remove(self, ids: set[uuid.UUID], *, drop_unreadable: set[str]) -> None:
        """Drop these answers (and these unreadable lines) from the file, whoever added them."""

        def keep(line: str) -> bool:
            if line in drop_unreadable:
                return False
            try:
                return NewAttempt.from_line(line).id not in ids
            except ValueError:
                return True  # torn now, perhaps being appended: the next flush decides

        with self._locked(rewrite=keep) as _lines:
            pass

    def _dead_letter(self, entries: list[tuple[str, str]]) -> None:
        for _, reason in entries:
            log.error("an answer could not be saved and was set aside: %s", reason)
        path = self.dead_letter_path
        if path is None:
            return
        at = datetime.now(UTC).isoformat()
        records = "".join(
            json.dumps({"line": line.rstrip("\n"), "reason": reason, "at": at}) + "\n"
            for line, reason in entries
        )
        try:
            with self._file_lock():
                _append_text(path, records)
        except OSError as exc:
            log.warning("dead-letter file not written: %s", exc.strerror or exc)

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        with self._lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def _locked(self, *, rewrite: Callable[[str], bool] | None = None) -> Iterator[list[str]]:
        """The queue's lines under the lock; with `rewrite`, only the lines it keeps remain."""
        if self.path is not None:
            try:
                with self._file_lock():
                    lines = self.path.read_text(encoding="utf-8").splitlines()
                    if rewrite is not None:
                        lines = [line for line in lines if rewrite(line)]
                        _replace_text(self.path, "".join(f"{line}\n" for line in lines))
                    yield lines
                    return
            except OSError as exc:
                self._to_memory(exc)
        with self._memory_lock:
            if rewrite is not None:
                self._memory = [line for line in self._memory if rewrite(line)]
            yield list(self._memory)

    def _to_memory(self, exc: OSError) -> None:
        # A read-only or full disk: keep answers in memory, say so on the badge.
        log.warning("outbox kept in memory only: %s", exc.strerror or exc)
        lines: list[str] = []
        if self.path is not None:
            with contextlib.suppress(OSError):
                lines = self.path.read_text(encoding="utf-8").splitlines()
        self.path = None
        with self._memory_lock:
            self._memory = lines


def _append_text(path: Path, text: str) -> None:
    """Append whole lines, fsynced; a torn last line (a crash mid-write) is ended first."""
    with path.open("a+b") as file:  # appends always land at the end, whatever is read
        if file.seek(0, os.SEEK_END) > 0:
            file.seek(-1, os.SEEK_END)
            if file.read(1) != b"\n":
                file.write(b"\n")
        file.write(text.encode("utf-8"))
        file.flush()
        os.fsync(file.fileno())


def _replace_text(path: Path, text: str) -> None:
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


def _parse_all(lines: list[str]) -> tuple[list[NewAttempt], list[tuple[str, str]]]:
    """The answers in these lines (each id once, oldest first), and the unreadable lines."""
    entries: dict[uuid.UUID, NewAttempt] = {}
    unreadable: list[tuple[str, str]] = []
    for line in lines:
        if not line.strip():
            continue
        try:
            attempt = NewAttempt.from_line(line)
        except ValueError as exc:
            unreadable.append((line, f"not an answer ({exc})"))
            continue
        entries.setdefault(attempt.id, attempt)
    return sorted(entries.values(), key=lambda entry: entry.answered_at), unreadable


def _refusal(exc: Exception) -> str:
    """One sentence for why the database refused an answer's content (no values quoted)."""
    if isinstance(exc, AnswerRefused):
        return str(exc)
    orig = getattr(exc, "orig", None)
    kind = type(orig or exc).__name__
    detail = str(orig or exc).strip().splitlines()[0] if str(orig or exc).strip() else kind
    # psycopg's first line names the rule, e.g. "value too long for type character varying(64)".
    return f"the database refused it ({kind}: {detail[:160]})"
