"""Mapping the old app's rows to attempts, sessions and rejects: one decision per row.

The same functions decide for a dry run and a real import, so both report the same numbers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from studygame.domain.answer_time import answer_time_problem
from studygame.domain.legacy_values import (
    milliseconds,
    parse_bool,
    parse_timestamp,
    question_id_problem,
)
from studygame.domain.modes import Mode
from studygame.services.legacy.sqlite import SESSION_TABLE, Unusable, columns, quote

# Fixed forever: attempt, session and reject ids are uuid5(NAMESPACE, "<content>/<table>/<rowid>")
# where <content> is the file's content sha256, so a second run finds its rows already there.
NAMESPACE = uuid.UUID("6f0d8a57-2b1e-4c5e-9a43-0f3c7d51e2a9")
READ_BATCH = 5000

# Our field -> the column names old files used for it, in order of preference.
ANSWER_COLUMNS = {
    "question_id": ("question_id",),
    "correct": ("correct", "is_correct"),
    "answered_at": ("created_at", "answered_at", "timestamp"),
    "time_taken": ("time_taken",),
    "response_ms": ("response_ms",),
    "session_id": ("session_id",),
    "topic": ("topic",),
    "user_answer": ("user_answer",),
}
REQUIRED_ANSWER_FIELDS = ("question_id", "correct", "answered_at")


@dataclass(frozen=True)
class Limits:
    """The Postgres column lengths that old values must fit, read from the live tables."""

    question_id: int
    topic: int
    mode: int


@dataclass
class Run:
    """One pass over the file: where rows go, and what was seen on the way."""

    import_id: int
    content_sha256: str
    direct: bool
    now: datetime
    limits: Limits
    progress: Callable[[int, int], None] | None
    read: int = 0
    imported: int = 0
    sessions_imported: int = 0
    rejects: list[tuple] = field(default_factory=list)
    question_ids: set[str] = field(default_factory=set)


def id_maker(content_sha256: str, table: str) -> Callable[[object], str]:
    """uuid5(NAMESPACE, "<sha256>/<table>/<rowid>") as 32 hex digits, without uuid.UUID's cost."""
    prefix = NAMESPACE.bytes + f"{content_sha256}/{table}/".encode()

    def new_id(rowid: object) -> str:
        digest = bytearray(hashlib.sha1(prefix + str(rowid).encode()).digest()[:16])
        digest[6] = digest[6] & 0x0F | 0x50  # version 5
        digest[8] = digest[8] & 0x3F | 0x80  # RFC 4122 variant
        return digest.hex()

    return new_id


@dataclass
class OldSession:
    """A row of the old sessions table, on its way to study_sessions."""

    id: str
    rowid: int
    started_at: datetime | None
    ended_at: datetime | None
    mode: str | None
    extra: dict[str, Any]
    raw: dict[str, Any]
    first_answer: datetime | None = None

    def row(self) -> tuple:
        """The study_sessions row, in SESSION_FIELDS order (counters filled in afterwards)."""
        extra = dumps(self.extra) if self.extra else None
        return (self.id, self.started_at, self.ended_at, self.mode, 0, 0, extra)


def read_sessions(db: sqlite3.Connection, table: str, *, run: Run) -> dict[Any, OldSession]:
    """The old sessions by their id as answers refer to it (int or text)."""
    names = columns(db, table)
    lower = {name.lower(): name for name in names}
    id_name, started_name, ended_name, mode_name = (
        lower.get(name) for name in ("id", "started_at", "ended_at", "mode")
    )
    new_id = id_maker(run.content_sha256, SESSION_TABLE)
    sessions: dict[Any, OldSession] = {}
    for rowid, *values in db.execute(f"SELECT rowid, * FROM {quote(table)}"):
        row = dict(zip(names, values, strict=True))
        extra = {
            name: jsonable(value)
            for name, value in row.items()
            if name not in (id_name, started_name, ended_name, mode_name)
        }
        started_at = _moment(row[started_name], run) if started_name else None
        ended_at = _moment(row[ended_name], run) if ended_name else None
        # An unreadable or implausible time stays with the session; the start is then dated
        # by the session's first answer.
        for name, moment in ((started_name, started_at), (ended_name, ended_at)):
            if name and moment is None and row[name] is not None:
                extra[name] = jsonable(row[name])
        mode = text(row[mode_name]) if mode_name else None
        if mode is not None and (len(mode.strip()) > run.limits.mode or not mode.strip()):
            extra[mode_name] = mode
            mode = None
        sessions[_key(row[id_name] if id_name else rowid)] = OldSession(
            id=new_id(rowid),
            rowid=rowid,
            started_at=started_at,
            ended_at=ended_at,
            mode=mode.strip().lower() if mode else None,
            extra=extra,
            raw={name: jsonable(value) for name, value in row.items()},
        )
    return sessions


def _moment(value: object, run: Run) -> datetime | None:
    moment = parse_timestamp(value)
    # A session's times obey the answers' window: outside it they are a broken clock too.
    if moment is None or answer_time_problem(moment, now=run.now) is not None:
        return None
    return moment


def _key(session_id: object) -> object:
    # Answers may hold the session id as text ('12') where sessions has 12.
    if isinstance(session_id, str) and session_id.strip().lstrip("-").isdigit():
        return int(session_id)
    if isinstance(session_id, float) and session_id.is_integer():
        return int(session_id)
    return session_id


def answer_rows(
    db: sqlite3.Connection,
    table: str,
    *,
    sessions: dict[Any, OldSession],
    run: Run,
    held_back: list[tuple],
) -> Iterator[tuple]:
    """The attempts rows, in ATTEMPT_FIELDS order, as the answers are read; rejects on the side."""
    names = columns(db, table)
    lower = {name.lower(): name for name in names}
    found = {
        key: next((lower[alias] for alias in aliases if alias in lower), None)
        for key, aliases in ANSWER_COLUMNS.items()
    }
    missing = [key for key in REQUIRED_ANSWER_FIELDS if found[key] is None]
    if missing:
        # Named as the old app named it.
        raise Unusable(f"has an {table} table without a {ANSWER_COLUMNS[missing[0]][0]} column")
    # Seconds win when both are there; the milliseconds then stay in the extras.
    time_name, scale = (
        (found["time_taken"], 1000) if found["time_taken"] else (found["response_ms"], 1)
    )
    session_name, topic_name = found["session_id"], found["topic"]
    # Select the mapped columns in a fixed order (NULL for absent ones), then the rest.
    mapped = [
        found["question_id"],
        found["correct"],
        found["answered_at"],
        time_name,
        session_name,
        topic_name,
        found["user_answer"],
    ]
    others = [name for name in names if name not in mapped]
    select_list = ", ".join(quote(name) if name else "NULL" for name in (*mapped, *others))
    id_column = lower.get("id")
    new_id = id_maker(run.content_sha256, table)
    rejects, question_ids, progress, now = run.rejects, run.question_ids, run.progress, run.now
    max_question_id, max_topic = run.limits.question_id, run.limits.topic

    total = db.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
    cursor = db.execute(f"SELECT rowid, {select_list} FROM {quote(table)}")
    # One tight loop: at 200,000 rows every attribute lookup and call shows in the timings.
    while batch := cursor.fetchmany(READ_BATCH):
        for rowid, question, correct, answered, seconds, session, topic, answer, *rest in batch:
            answered_at = parse_timestamp(answered)
            is_correct = correct == 1 if correct == 0 or correct == 1 else parse_bool(correct)
            reason = question_id_problem(question, max_length=max_question_id)
            if reason is None:
                if answered_at is None:
                    reason = "bad_timestamp"
                elif answer_time_problem(answered_at, now=now) is not None:
                    reason = "timestamp_out_of_range"
                elif is_correct is None:
                    reason = "bad_correct"
            if reason is not None:
                raw = _raw_row(db, table, rowid)
                rejects.append((new_id(rowid), table, rowid, reason, dumps(raw)))
                continue
            question_id = question if type(question) is str else str(question)
            extra = (
                {
                    name: jsonable(value)
                    for name, value in zip(others, rest, strict=True)
                    if not (name == id_column and value == rowid)
                }
                if rest
                else {}
            )
            response_ms = None
            if seconds is not None:
                response_ms = milliseconds(seconds, scale=scale)
                if response_ms is None:
                    extra[time_name] = jsonable(seconds)
            old = None
            if session is not None:
                old = sessions.get(session) or sessions.get(_key(session))
                if old is None:
                    extra[session_name] = jsonable(session)
                elif old.started_at is None and (
                    old.first_answer is None or answered_at < old.first_answer
                ):
                    old.first_answer = answered_at
            if topic is not None:
                if type(topic) is not str or "\x00" in topic:
                    topic = text(topic)
                if len(topic) > max_topic:
                    extra[topic_name] = topic
                    topic = topic[:max_topic]
            question_ids.add(question_id)
            row = (
                new_id(rowid),
                None if old is None else old.id,
                question_id,
                topic,
                (old.mode if old is not None else None) or Mode.QUIZ.value,
                answer
                if answer is None or (type(answer) is str and "\x00" not in answer)
                else text(answer),
                is_correct,
                response_ms,
                answered_at,
                dumps(extra) if extra else None,
            )
            if old is not None and old.started_at is None:
                held_back.append(row)
            else:
                yield row
        run.read += len(batch)
        if progress is not None:
            progress(run.read, total)


def _raw_row(db: sqlite3.Connection, table: str, rowid: int) -> dict[str, Any]:
    """The whole row as the old file has it, for a reject (rare: one query each is fine)."""
    cursor = db.execute(f"SELECT * FROM {quote(table)} WHERE rowid = ?", (rowid,))
    names = [column[0] for column in cursor.description]
    return {name: jsonable(value) for name, value in zip(names, cursor.fetchone(), strict=True)}


def text(value: object) -> str | None:
    """Old text as Postgres can store it: bytes decoded, NUL characters dropped."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "")


def jsonable(value: object) -> object:
    """An old value as JSON can hold it: bytes in base64, inf/NaN as text, no NUL."""
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def dumps(document: dict[str, Any]) -> str:
    """Compact JSON text, non-ASCII kept."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
