"""Answers the database could not take yet: kept in memory and on disk, replayed exactly once.

An answer that cannot be written (Postgres unreachable, Neon waking too slowly, a cut
connection) is appended to the outbox with the UUID the app gave it. When the database
answers again the outbox replays each entry through `record_attempt` in its own
transaction and forgets it only after that transaction has committed. A replay of an
answer that did reach the database (the connection died after COMMIT) inserts nothing:
the UUID is the attempt's primary key. The card state is not queued: `record_attempt`
derives it from the attempt at replay time, in answer order.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame.db import session_scope
from studygame.services.learner import get_learner_settings
from studygame.services.study import NewAttempt, record_attempt

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.jsonl"
# After a failed write, wait this long before a page view tries the database again: each
# try can take the whole connect timeout when the network drops packets.
RETRY_AFTER_S = 15.0


def is_connection_error(exc: BaseException) -> bool:
    """True when the database could not be reached or the connection broke mid-way."""
    return isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


@dataclass(frozen=True)
class FlushResult:
    saved: int  # written now
    already_saved: int  # had reached the database before (a replay, a no-op)
    pending: int  # still waiting
    database_down: bool  # stopped early because the database could not be reached


@dataclass(frozen=True)
class SaveOutcome:
    saved: bool  # this answer is in the database now
    flushed: int  # earlier answers from the outbox written just before it
    pending: int  # answers still waiting, this one included when it was queued


class Outbox:
    """The queue of answers not yet in the database; safe to share between sessions."""

    def __init__(self, path: Path | None, *, clock: Callable[[], float] = time.monotonic):
        """Open the outbox at `path` (None: memory only), loading what an earlier run left."""
        self._lock = threading.Lock()
        self._clock = clock
        self._last_failure: float | None = None
        self.path = path
        self._entries: list[NewAttempt] = []
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch()
                self._entries = _read_entries(path)
            except OSError as exc:
                # A read-only or full disk: keep answers in memory, say so on the badge.
                log.warning("outbox kept in memory only: %s", exc.strerror or exc)
                self.path = None

    @property
    def durable(self) -> bool:
        """True when queued answers are also on disk (they survive an app restart)."""
        return self.path is not None

    def pending(self) -> int:
        """How many answers wait to be saved."""
        with self._lock:
            return len(self._entries)

    def entries(self) -> list[NewAttempt]:
        """The queued answers, oldest first."""
        with self._lock:
            return list(self._entries)

    def add(self, attempt: NewAttempt) -> None:
        """Queue an answer; on disk first, so a crash right after loses nothing."""
        with self._lock:
            self._add(attempt)

    def flush(self, engine: Engine, *, desired_retention: float | None = None) -> FlushResult:
        """Replay queued answers oldest first, each in its own committed transaction.

        Stops at the first connection error and keeps the rest. An entry the database
        refuses for another reason stays queued (logged) and the others go on. Without
        `desired_retention`, the learner's saved setting is used.
        """
        with self._lock:
            return self._flush(engine, desired_retention)

    def flush_if_due(
        self, engine: Engine, *, desired_retention: float | None = None
    ) -> FlushResult | None:
        """Flush when answers wait and the last failure is old enough; None when not tried."""
        with self._lock:
            if not self._entries or not self._retry_due():
                return None
            return self._flush(engine, desired_retention)

    def save(self, engine: Engine, attempt: NewAttempt, *, desired_retention: float) -> SaveOutcome:
        """Write an answer: older queued ones first, then this one; queue it if that fails.

        Only a connection error queues the answer; any other database error propagates.
        """
        with self._lock:
            flushed = self._flush(engine, desired_retention) if self._entries else None
            earlier = flushed.saved if flushed else 0
            if flushed is None or not flushed.database_down:
                try:
                    with session_scope(engine) as session:
                        record_attempt(
                            session, attempt=attempt, desired_retention=desired_retention
                        )
                except Exception as exc:
                    if not is_connection_error(exc):
                        raise
                    self._last_failure = self._clock()
                else:
                    return SaveOutcome(saved=True, flushed=earlier, pending=len(self._entries))
            self._add(attempt)
            return SaveOutcome(saved=False, flushed=earlier, pending=len(self._entries))

    def _add(self, attempt: NewAttempt) -> None:
        if any(entry.id == attempt.id for entry in self._entries):
            return
        if self.path is not None:
            try:
                _append(self.path, attempt)
            except OSError as exc:
                log.warning("outbox kept in memory only: %s", exc.strerror or exc)
                self.path = None
        self._entries.append(attempt)

    def _retry_due(self) -> bool:
        return self._last_failure is None or self._clock() - self._last_failure >= RETRY_AFTER_S

    def _flush(self, engine: Engine, desired_retention: float | None) -> FlushResult:
        saved = already = 0
        database_down = False
        kept: list[NewAttempt] = []
        remaining = sorted(self._entries, key=lambda entry: entry.answered_at)
        for index, attempt in enumerate(remaining):
            try:
                with session_scope(engine) as session:
                    retention = (
                        get_learner_settings(session).desired_retention
                        if desired_retention is None
                        else desired_retention
                    )
                    inserted = record_attempt(session, attempt=attempt, desired_retention=retention)
            except Exception as exc:
                if is_connection_error(exc):
                    self._last_failure = self._clock()
                    database_down = True
                    kept.extend(remaining[index:])
                    break
                log.error("answer %s stays in the outbox: %s", attempt.id, type(exc).__name__)
                kept.append(attempt)
                continue
            # Committed: only now may the entry leave the outbox.
            if inserted:
                saved += 1
            else:
                already += 1
        if len(kept) != len(self._entries):
            self._entries = kept
            self._rewrite()
        return FlushResult(
            saved=saved, already_saved=already, pending=len(kept), database_down=database_down
        )

    def _rewrite(self) -> None:
        if self.path is None:
            return
        temporary = self.path.with_suffix(".tmp")
        try:
            with temporary.open("w", encoding="utf-8") as file:
                file.writelines(_line(entry) for entry in self._entries)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            log.warning("outbox kept in memory only: %s", exc.strerror or exc)
            self.path = None


def _line(attempt: NewAttempt) -> str:
    record = {
        name: str(value) if isinstance(value, uuid.UUID | datetime) else value
        for name, value in asdict(attempt).items()
    }
    return json.dumps(record, sort_keys=True) + "\n"


def _append(path: Path, attempt: NewAttempt) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(_line(attempt))
        file.flush()
        os.fsync(file.fileno())


def _parse(line: str) -> NewAttempt:
    record = json.loads(line)
    names = {field.name for field in fields(NewAttempt)}
    values = {name: record[name] for name in names}
    values["id"] = uuid.UUID(values["id"])
    if values["session_id"] is not None:
        values["session_id"] = uuid.UUID(values["session_id"])
    values["answered_at"] = datetime.fromisoformat(values["answered_at"])
    return NewAttempt(**values)


def _read_entries(path: Path) -> list[NewAttempt]:
    entries: list[NewAttempt] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entries.append(_parse(line))
        except (ValueError, KeyError, TypeError):
            # A line cut short by a crash mid-write; the rest of the file is still good.
            log.warning("outbox line %d of %s is unreadable and was skipped", number, path.name)
    return entries
