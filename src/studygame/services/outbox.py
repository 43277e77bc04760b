"""Answers the database could not take yet: kept in a queue, replayed exactly once.

An answer that cannot be written (Postgres unreachable, Neon waking too slowly, a cut,
hanging or slow connection) is queued (`outbox_queue`) with the UUID the app gave it.
When the database answers again the queue is replayed oldest first, in batches of
`BATCH` answers, one transaction each (`record_attempts`); an answer leaves the queue
only after its transaction has committed. A replay of an answer that did reach the
database (the connection died after COMMIT, or a write that outlived its deadline
finished later) inserts nothing: the UUID is the primary key.

No lock is held while talking to the database: a replay reads the queue, writes, then
removes what committed. Two processes replaying the same entry at once is harmless (the
second insert is a no-op).

A tap's answer goes with the backlog when the backlog fits in one batch (so a card's
answers are written in time order). Behind a longer backlog the tap's answer is written
first, alone, and the backlog drains in the background, a batch at a time: the tap never
waits for it. (A card answered both in the backlog and by the tap is still right: an
answer older than its card's last review makes the card be replayed from its history.)

An answer the database refuses for its content (a value too long for its column, a
foreign key that does not exist), not for a connection problem, would fail forever: a
batch that fails so is retried one answer at a time, and the refused answer moves to the
dead-letter file with the reason, never retried.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from studygame.db import session_scope
from studygame.domain.attempt import NewAttempt
from studygame.services.learner import get_learner_settings
from studygame.services.outbox_queue import AnswerQueue
from studygame.services.study import AnswerRefused, Recorded, record_attempt, record_attempts

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.jsonl"
# After a failed write, wait this long before a page view tries the database again: each
# try can take the whole connect timeout when the network drops packets.
RETRY_AFTER_S = 15.0
# A tap must get its answer on screen quickly even when the database hangs or crawls:
# after this long the answer is queued, and the write goes on in the background (if it
# commits, the queued copy's replay is a harmless no-op).
SAVE_DEADLINE_S = 2.5
# Answers replayed per transaction: six statements for all of them (a local Postgres
# takes thousands a second this way, see docs/performance.md), and a batch stays short
# enough that a tab's own write never waits long behind it.
BATCH = 500

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
    flushed: int  # earlier answers from the outbox written with it
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
        self._queue = AnswerQueue(path)
        self._clock = clock
        self._deadline_s = deadline_s
        self._last_failure: float | None = None
        self._last_hang: float | None = None  # the last write that outlived its deadline
        # One tap's write at a time, and one replay of the backlog at a time, per process;
        # each waited for with a deadline, never forever. A tap never waits for a replay.
        self._writing = threading.Lock()
        self._replaying = threading.Lock()

    @property
    def path(self) -> Path | None:
        """The outbox file; None when answers are kept in memory only."""
        return self._queue.path

    @property
    def durable(self) -> bool:
        """True when queued answers are also on disk (they survive an app restart)."""
        return self.path is not None

    @property
    def dead_letter_path(self) -> Path | None:
        """Where answers the database refused for their content are kept, with the reason."""
        return self._queue.dead_letter_path

    def pending(self) -> int:
        """How many answers wait to be saved (by any process sharing the file)."""
        return self._queue.count()

    def entries(self) -> list[NewAttempt]:
        """The queued answers, each once, oldest first; lines that are not answers are skipped."""
        return self._queue.oldest()

    def rejected(self) -> int:
        """How many answers were moved aside because the database refused their content."""
        return self._queue.rejected()

    def add(self, attempt: NewAttempt) -> None:
        """Queue an answer; on disk (fsynced) before this returns, so a crash loses nothing."""
        self._queue.add(attempt)

    def flush(self, engine: Engine, *, desired_retention: float | None = None) -> FlushResult:
        """Replay queued answers oldest first, a batch per committed transaction.

        Stops at the first connection error and keeps the rest; an entry the database
        refuses for its content is dead-lettered and the others go on. Without
        `desired_retention`, the learner's saved setting is used. Bounded in time: past
        the deadline it reports the database down and the replay finishes on its own.
        """
        outcome = self._bounded(
            self._replaying,
            lambda: self._replay(engine, desired_retention, budget_s=self._deadline_s / 2),
        )
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
        """Write an answer, with the queued ones if they fit in one batch; queue it if that fails.

        Returns within about the deadline whatever the database does: a connection error,
        a hang or a slow write still running then all queue the answer. Behind a longer
        backlog the answer is written alone, and the backlog drains in the background.
        """
        if self._hung_recently():
            # The database hung moments ago: don't make this tap wait for it again.
            self.add(attempt)
            return SaveOutcome(saved=False, flushed=0, pending=self.pending())
        backlog = self._queue.oldest() if self.pending() < BATCH else []

        def write() -> _Written:
            self._queue.set_aside_unreadable()
            written = self._write([*backlog, attempt], engine, desired_retention)
            return self._settle(written, [*backlog, attempt], queued=backlog)

        written = self._bounded(self._writing, write)
        recorded = None if written is None else written.outcomes.get(attempt.id)
        if recorded is None:
            self.add(attempt)
            return SaveOutcome(saved=False, flushed=0, pending=self.pending())
        # Counted before the drain starts: its thread would hold the GIL while the tap waits.
        pending = self.pending()
        if pending:
            self._replay_in_background(engine, desired_retention)
        return SaveOutcome(
            saved=recorded in (Recorded.SAVED, Recorded.ALREADY_SAVED),
            flushed=written.saved - (recorded is Recorded.SAVED),
            pending=pending,
            rejected=None if isinstance(recorded, Recorded) else recorded,
            answered_elsewhere=recorded is Recorded.ANSWERED_ELSEWHERE,
        )

    def _replay(
        self, engine: Engine, desired_retention: float | None, *, budget_s: float | None
    ) -> FlushResult:
        """Replay the queue a batch at a time until it is empty, the database fails, or
        `budget_s` has passed."""
        self._queue.set_aside_unreadable()
        totals = _Written(outcomes={}, down=False)
        stop_at = None if budget_s is None else time.monotonic() + budget_s
        while batch := self._queue.oldest(BATCH):
            written = self._settle(
                self._write(batch, engine, desired_retention), batch, queued=batch
            )
            totals = _Written(outcomes={**totals.outcomes, **written.outcomes}, down=written.down)
            if written.down or not written.outcomes:
                break
            if stop_at is not None and time.monotonic() > stop_at:
                break
        return FlushResult(
            saved=totals.saved,
            already_saved=totals.count(Recorded.ALREADY_SAVED),
            pending=self.pending(),
            database_down=totals.down,
            rejected=sum(not isinstance(o, Recorded) for o in totals.outcomes.values()),
            answered_elsewhere=totals.count(Recorded.ANSWERED_ELSEWHERE),
        )

    def _replay_in_background(self, engine: Engine, desired_retention: float | None) -> None:
        """Drain the backlog on a thread of its own, unless a replay runs already."""
        if not self._replaying.acquire(blocking=False):
            return

        def run() -> None:
            try:
                self._replay(engine, desired_retention, budget_s=None)
            except Exception:  # a thread's error would vanish: say it
                log.exception("the outbox's background replay failed")
            finally:
                self._replaying.release()

        threading.Thread(target=run, name="outbox-replay", daemon=True).start()

    def _write(
        self, attempts: list[NewAttempt], engine: Engine, desired_retention: float | None
    ) -> _Written:
        """Record these answers in one transaction; one by one if that one is refused."""
        if len(attempts) > 1:
            try:
                with session_scope(engine) as session:
                    recorded = record_attempts(
                        session,
                        attempts=attempts,
                        desired_retention=_retention(session, desired_retention),
                    )
                return _Written(dict(zip((a.id for a in attempts), recorded, strict=True)), False)
            except Exception as exc:
                if is_connection_error(exc):
                    self._last_failure = self._clock()
                    return _Written({}, down=True)
        outcomes: dict[uuid.UUID, Recorded | str] = {}
        for attempt in attempts:
            try:
                with session_scope(engine) as session:
                    recorded = record_attempt(
                        session,
                        attempt=attempt,
                        desired_retention=_retention(session, desired_retention),
                    )
            except Exception as exc:
                if is_connection_error(exc):
                    self._last_failure = self._clock()
                    return _Written(outcomes, down=True)
                outcomes[attempt.id] = _refusal(exc)
                continue
            outcomes[attempt.id] = recorded  # committed: the block has ended
        return _Written(outcomes, down=False)

    def _settle(
        self, written: _Written, attempts: list[NewAttempt], *, queued: list[NewAttempt]
    ) -> _Written:
        """Set refused answers aside and take the `queued` ones that are done out of the queue."""
        self._queue.dead_letter(
            [(a.to_line(), written.outcomes[a.id]) for a in attempts if written.refused(a.id)]
        )
        # Committed (or refused for good): only now may they leave the queue.
        self._queue.remove({a.id for a in queued} & written.outcomes.keys())
        return written

    def _bounded(self, lock: threading.Lock, work: Callable[[], T]) -> T | None:
        """Run `work` (database I/O) in a worker thread; None when it outlives the deadline.

        One at a time per lock: a tap waits for another tab's write, but only up to the
        same deadline. A worker that outlives it runs on to its end; what it writes is
        keyed by the answers' UUIDs, so finishing late duplicates nothing.
        """
        started = time.monotonic()
        if not lock.acquire(timeout=self._deadline_s):
            self._last_failure = self._last_hang = self._clock()
            return None
        result: dict[str, object] = {}

        def run() -> None:
            try:
                result["value"] = work()
            except BaseException as exc:  # handed to the caller's thread below
                result["error"] = exc
            finally:
                lock.release()

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


@dataclass(frozen=True)
class _Written:
    """What became of a batch: each answer's Recorded, or why it was refused."""

    outcomes: dict[uuid.UUID, Recorded | str]
    down: bool  # the database failed before every answer was taken

    @property
    def saved(self) -> int:
        return self.count(Recorded.SAVED)

    def count(self, recorded: Recorded) -> int:
        return sum(outcome is recorded for outcome in self.outcomes.values())

    def refused(self, attempt_id: uuid.UUID) -> bool:
        return not isinstance(self.outcomes.get(attempt_id, Recorded.SAVED), Recorded)


def _retention(session, desired_retention: float | None) -> float:
    """The retention to schedule with: the given one, else the learner's saved setting."""
    if desired_retention is None:
        return get_learner_settings(session).desired_retention
    return desired_retention


def _refusal(exc: Exception) -> str:
    """One sentence for why the database refused an answer's content (no values quoted)."""
    if isinstance(exc, AnswerRefused):
        return str(exc)
    orig = getattr(exc, "orig", None)
    kind = type(orig or exc).__name__
    detail = str(orig or exc).strip().splitlines()[0] if str(orig or exc).strip() else kind
    # psycopg's first line names the rule, e.g. "value too long for type character varying(64)".
    return f"the database refused it ({kind}: {detail[:160]})"
