"""The outbox on the real Postgres, behind a TCP proxy the tests cut and restore.

These tests commit for real (the outbox owns its transactions): every row they write
carries a question id made for the test, and is deleted at the end.
"""

import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, delete, event, select, text
from sqlalchemy.orm import Session

from studygame import db
from studygame.config import Settings
from studygame.db import make_engine, session_scope
from studygame.domain.attempt import NewAttempt
from studygame.models import Attempt, CardState, StudySession
from studygame.services import outbox as outbox_module
from studygame.services.outbox import Outbox
from studygame.services.schedule import rebuild_card_states
from studygame.services.study import Recorded, record_attempt

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RETENTION = 0.9


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(question_id: str, *, minute: int, rating: int = 3, session_id=None) -> NewAttempt:
    return NewAttempt(
        id=uuid.uuid4(),
        session_id=session_id,
        question_id=question_id,
        deck="Geography",
        topic="Capitals",
        mode="review",
        given_answer="Paris",
        is_correct=rating > 1,
        rating=rating,
        response_ms=3000,
        points=800 if rating > 1 else 0,
        answered_at=NOW + timedelta(minutes=minute),
    )


@pytest.fixture
def direct(database_url):
    """A connection that bypasses the proxy: what Postgres really holds."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def questions(direct):
    """Question ids private to this test; their rows are deleted afterwards."""
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    ids = [f"{prefix}-{n}" for n in range(3)]
    yield ids
    with direct.begin() as connection:
        sessions = select(Attempt.session_id).where(Attempt.question_id.in_(ids))
        session_ids = [row[0] for row in connection.execute(sessions) if row[0] is not None]
        connection.execute(delete(Attempt).where(Attempt.question_id.in_(ids)))
        connection.execute(delete(CardState).where(CardState.question_id.in_(ids)))
        connection.execute(delete(StudySession).where(StudySession.id.in_(session_ids)))


@pytest.fixture(params=["direct", "pooled"])
def proxied_url(request, database_url):
    """The app's database, direct or through PgBouncer in transaction mode (as on Neon)."""
    return database_url if request.param == "direct" else request.getfixturevalue("pooler_url")


@pytest.fixture
def app_engine(tcp_proxy, proxied_url):
    """The app's own engine (pool, checkout ping, deadlines), connected through the proxy."""
    engine = make_engine(Settings(database_url=tcp_proxy.url(proxied_url)), interactive=True)
    yield engine
    engine.dispose()


def stored_attempts(direct, questions) -> list[uuid.UUID]:
    with direct.connect() as connection:
        rows = connection.execute(select(Attempt.id).where(Attempt.question_id.in_(questions)))
        return [row[0] for row in rows]


def card_rows(direct, questions) -> dict[str, tuple]:
    columns = (CardState.question_id, CardState.state, CardState.stability, CardState.due)
    columns += (CardState.reps, CardState.lapses, CardState.last_review)
    with direct.connect() as connection:
        rows = connection.execute(select(*columns).where(CardState.question_id.in_(questions)))
        return {row[0]: tuple(row[1:]) for row in rows}


def rebuilt_cards(direct, questions) -> dict[str, tuple]:
    """What the card states would be if rebuilt from the attempts (rolled back after)."""
    with direct.connect() as connection, connection.begin() as transaction:
        with Session(bind=connection) as session:
            rebuild_card_states(session, question_ids=questions, desired_retention=RETENTION)
            session.flush()
        columns = (CardState.question_id, CardState.state, CardState.stability, CardState.due)
        columns += (CardState.reps, CardState.lapses, CardState.last_review)
        rows = connection.execute(select(*columns).where(CardState.question_id.in_(questions)))
        rebuilt = {row[0]: tuple(row[1:]) for row in rows}
        transaction.rollback()
    return rebuilt


def test_answers_during_an_outage_arrive_exactly_once_after_it(
    app_engine, tcp_proxy, direct, questions, tmp_path
):
    outbox = Outbox(tmp_path / "outbox.jsonl")
    with session_scope(app_engine) as s:
        sitting = uuid.uuid4()
    before = [answer(questions[n % 3], minute=n, session_id=sitting) for n in range(2)]
    during = [answer(questions[n % 3], minute=10 + n, session_id=sitting) for n in range(5)]
    after = answer(questions[0], minute=30, session_id=sitting)

    for attempt in before:
        assert outbox.save(app_engine, attempt, desired_retention=RETENTION).saved
    tcp_proxy.cut()
    outcomes = [outbox.save(app_engine, a, desired_retention=RETENTION) for a in during]
    assert [(o.saved, o.pending) for o in outcomes] == [(False, n) for n in range(1, 6)]
    assert len(stored_attempts(direct, questions)) == 2
    # The queue is on disk: a restarted app would find all five.
    assert [a.id for a in Outbox(tmp_path / "outbox.jsonl").entries()] == [a.id for a in during]

    tcp_proxy.restore()
    outcome = outbox.save(app_engine, after, desired_retention=RETENTION)

    assert (outcome.saved, outcome.flushed, outcome.pending) == (True, 5, 0)
    stored = stored_attempts(direct, questions)
    assert sorted(map(str, stored)) == sorted(str(a.id) for a in [*before, *during, after])
    assert (tmp_path / "outbox.jsonl").read_text() == ""
    # A second replay of everything (a flush that died after COMMIT) doubles nothing.
    with session_scope(app_engine) as s:
        replays = [
            record_attempt(s, attempt=a, desired_retention=RETENTION)
            for a in [*before, *during, after]
        ]
    assert set(replays) == {Recorded.ALREADY_SAVED}
    assert len(stored_attempts(direct, questions)) == 8
    cards = card_rows(direct, questions)
    assert cards == rebuilt_cards(direct, questions)
    assert sum(card[3] for card in cards.values()) == 8  # reps: every answer counted once


def test_a_connection_cut_between_the_statements_of_an_answer_leaves_nothing_half_done(
    app_engine, tcp_proxy, direct, questions, tmp_path
):
    outbox = Outbox(tmp_path / "outbox.jsonl")
    attempt = answer(questions[0], minute=0)

    def cut_before_the_card(conn, cursor, statement, *args):
        # The attempt row has been inserted in this transaction; the card is next.
        if "card_states" in statement and tcp_proxy.up:
            tcp_proxy.cut()

    event.listen(app_engine, "before_cursor_execute", cut_before_the_card)
    outcome = outbox.save(app_engine, attempt, desired_retention=RETENTION)
    event.remove(app_engine, "before_cursor_execute", cut_before_the_card)

    assert (outcome.saved, outcome.pending) == (False, 1)
    assert stored_attempts(direct, questions) == []
    assert card_rows(direct, questions) == {}

    tcp_proxy.restore()
    flushed = outbox.flush(app_engine, desired_retention=RETENTION)
    assert (flushed.saved, flushed.pending) == (1, 0)
    assert stored_attempts(direct, questions) == [attempt.id]
    assert card_rows(direct, questions)[questions[0]][3] == 1


def written_by_hand(attempt: NewAttempt, **changes) -> str:
    """The answer's outbox line with some values replaced, as another program might write it."""
    return json.dumps({**json.loads(attempt.to_line()), **changes})


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": 5}, "id: UUID input should be a string"),
        ({"session_id": 7}, "session_id: UUID input should be a string"),
        ({"question_id": "x" * 65}, "question_id: String should have at most 64 characters"),
        ({"rating": 9}, "rating: Input should be 1, 2, 3 or 4"),
        ({"answered_at": "2026-11-25T09:00:00"}, "answered_at: Input should have timezone info"),
        ({"points": -5}, "points: Input should be greater than or equal to 0"),
        ({"is_correct": "yes"}, "is_correct: Input should be a valid boolean"),
    ],
)
def test_a_line_that_is_not_an_answer_is_set_aside_with_its_reason_and_the_rest_go_on(
    app_engine, direct, questions, tmp_path, changes, reason
):
    path = tmp_path / "outbox.jsonl"
    outbox = Outbox(path)
    before, after = answer(questions[0], minute=0), answer(questions[1], minute=2)
    odd = written_by_hand(answer(questions[2], minute=1), **changes)
    path.write_text(before.to_line() + odd + "\n" + after.to_line())

    assert outbox.pending() == 2
    flushed = outbox.flush(app_engine, desired_retention=RETENTION)

    assert (flushed.saved, flushed.pending) == (2, 0)
    assert sorted(stored_attempts(direct, questions)) == sorted([before.id, after.id])
    (dead,) = [json.loads(line) for line in outbox.dead_letter_path.read_text().splitlines()]
    assert dead["line"] == odd
    assert dead["reason"].startswith(f"not an answer ({reason}")
    assert path.read_text() == ""
    # Saving goes on, and never retries the odd line.
    assert outbox.save(app_engine, answer(questions[2], minute=3), desired_retention=0.9).saved
    assert outbox.rejected() == 1


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1, 2]", "the line: Input should be an object"),
        (b"5", "the line: Input should be an object"),
        (b"null", "the line: Input should be an object"),
        (b'{"id": "\xff\xfe torn inside a character"}', "the line is not UTF-8"),
        (b'{"removed": [5]}', "id: Field required"),
    ],
)
def test_a_line_that_is_not_an_answer_object_never_blocks_saving(
    app_engine, direct, questions, tmp_path, line, reason
):
    path = tmp_path / "outbox.jsonl"
    before = answer(questions[0], minute=0)
    path.write_bytes(before.to_line().encode() + line + b"\n")
    outbox = Outbox(path)

    assert outbox.pending() == 1
    assert [a.id for a in outbox.entries()] == [before.id]
    tap = answer(questions[1], minute=1)
    outcome = outbox.save(app_engine, tap, desired_retention=RETENTION)

    assert (outcome.saved, outcome.flushed, outcome.pending) == (True, 1, 0)
    assert sorted(stored_attempts(direct, questions)) == sorted([before.id, tap.id])
    (dead,) = [json.loads(line) for line in outbox.dead_letter_path.read_text().splitlines()]
    assert dead["reason"] == f"not an answer ({reason})"
    assert path.read_bytes() == b""


def test_a_line_with_keys_the_answer_does_not_have_is_saved_as_an_answer(
    app_engine, direct, questions, tmp_path
):
    # The answer's schema ignores unknown keys (a later version's additions, say): the
    # line is an answer, and the rest of it is not what decides whether it can be saved.
    path = tmp_path / "outbox.jsonl"
    extra = answer(questions[0], minute=0)
    path.write_text(written_by_hand(extra, note="added by a later version") + "\n")

    flushed = Outbox(path).flush(app_engine, desired_retention=RETENTION)

    assert (flushed.saved, flushed.pending, flushed.rejected) == (1, 0, 0)
    assert stored_attempts(direct, questions) == [extra.id]


def test_counting_and_queueing_read_only_what_is_new(tmp_path, monkeypatch):
    path = tmp_path / "outbox.jsonl"
    outbox = Outbox(path)
    for n in range(50):
        outbox.add(answer("q-1", minute=n))
    parsed: list[str] = []
    read = NewAttempt.from_line.__func__
    monkeypatch.setattr(
        NewAttempt,
        "from_line",
        classmethod(lambda cls, line: parsed.append(line) or read(cls, line)),
    )

    assert outbox.pending() == 50
    outbox.add(answer("q-1", minute=50))
    Outbox(path).add(answer("q-2", minute=51))  # another process sharing the file
    parsed.clear()  # opening the file reads it once
    outbox.add(answer("q-1", minute=52))

    assert outbox.pending() == 53
    assert len(parsed) == 2  # the other process's answer and this one, nothing older


def test_a_backlog_is_written_in_batches_not_one_transaction_each(
    app_engine, direct, questions, tmp_path
):
    outbox = Outbox(tmp_path / "outbox.jsonl")
    queued = [answer(questions[n % 3], minute=n, rating=1 + n % 4) for n in range(30)]
    for attempt in reversed(queued):  # queued out of order: replayed in time order all the same
        outbox.add(attempt)
    commits: list[object] = []
    event.listen(app_engine, "commit", commits.append)

    flushed = outbox.flush(app_engine, desired_retention=RETENTION)

    assert (flushed.saved, flushed.pending, len(commits)) == (30, 0, 1)
    assert sorted(stored_attempts(direct, questions)) == sorted(a.id for a in queued)
    cards = card_rows(direct, questions)
    assert cards == rebuilt_cards(direct, questions)
    assert sum(card[3] for card in cards.values()) == 30


def test_a_refused_answer_in_a_batch_does_not_sink_the_others(
    app_engine, direct, questions, tmp_path
):
    outbox = Outbox(tmp_path / "outbox.jsonl")
    good = [answer(questions[0], minute=0), answer(questions[1], minute=2)]
    too_old = answer(questions[2], minute=1).model_copy(
        update={"answered_at": datetime(1999, 12, 31, tzinfo=UTC)}
    )
    for attempt in (good[0], too_old, good[1]):
        outbox.add(attempt)

    flushed = outbox.flush(app_engine, desired_retention=RETENTION)

    assert (flushed.saved, flushed.rejected, flushed.pending) == (2, 1, 0)
    assert sorted(stored_attempts(direct, questions)) == sorted(a.id for a in good)
    (dead,) = [json.loads(line) for line in outbox.dead_letter_path.read_text().splitlines()]
    assert dead["reason"].startswith("it is dated 1999-12-31")


def test_a_tap_is_saved_first_when_a_long_backlog_waits(
    app_engine, direct, questions, tmp_path, monkeypatch
):
    monkeypatch.setattr(outbox_module, "BATCH", 4)
    outbox = Outbox(tmp_path / "outbox.jsonl")
    backlog = [answer(questions[n % 2], minute=n) for n in range(10)]
    for attempt in backlog:
        outbox.add(attempt)
    tap = answer(questions[2], minute=30)

    outcome = outbox.save(app_engine, tap, desired_retention=RETENTION)

    # The tap did not wait for the backlog: none of it was written before it.
    assert (outcome.saved, outcome.flushed) == (True, 0)
    assert tap.id in stored_attempts(direct, questions)
    drain(outbox, app_engine)
    assert sorted(stored_attempts(direct, questions)) == sorted(a.id for a in [*backlog, tap])
    assert card_rows(direct, questions) == rebuilt_cards(direct, questions)


def drain(outbox: Outbox, engine, *, within_s: float = 60) -> None:
    """Flush until nothing waits (the database is up, perhaps slow); fail after `within_s`."""
    deadline = time.monotonic() + within_s
    while outbox.pending() and time.monotonic() < deadline:
        outbox.flush(engine, desired_retention=RETENTION)
    assert outbox.pending() == 0


def test_a_slow_database_still_takes_the_answers(
    app_engine, tcp_proxy, direct, questions, tmp_path
):
    clock = FakeClock()
    outbox = Outbox(tmp_path / "outbox.jsonl", clock=clock)
    first = answer(questions[0], minute=0)
    assert outbox.save(app_engine, first, desired_retention=RETENTION).saved
    # Every reply a second late: an answer's transaction takes several seconds in all,
    # each of its statements one or two.
    tcp_proxy.slow_down(1.0)
    slow = answer(questions[1], minute=1)

    outcome = outbox.save(app_engine, slow, desired_retention=RETENTION)

    assert (outcome.saved, outcome.pending) == (False, 1)  # the tap did not wait for it
    deadline = time.monotonic() + 60
    while slow.id not in stored_attempts(direct, questions) and time.monotonic() < deadline:
        time.sleep(0.1)  # the write goes on in the background and commits
    assert sorted(stored_attempts(direct, questions)) == sorted([first.id, slow.id])
    clock.now += 15
    drain(outbox, app_engine)  # the queued copy is a replay: it inserts nothing
    assert sorted(stored_attempts(direct, questions)) == sorted([first.id, slow.id])
    assert sum(card[3] for card in card_rows(direct, questions).values()) == 2


def test_an_engine_built_as_the_cli_builds_it_gives_up_on_a_withheld_commit(
    tcp_proxy, database_url, direct, questions, tmp_path, monkeypatch
):
    monkeypatch.setattr(db, "BULK_BOUNDS", replace(db.BULK_BOUNDS, call_deadline_s=1.0))
    engine = make_engine(Settings(database_url=tcp_proxy.url(database_url)))
    clock = FakeClock()
    outbox = Outbox(tmp_path / "outbox.jsonl", clock=clock, deadline_s=1.0)
    queued = answer(questions[0], minute=0)
    outbox.add(queued)

    def withhold_the_reply(_connection) -> None:
        tcp_proxy.hang()

    event.listen(engine, "commit", withhold_the_reply)
    assert outbox.flush(engine, desired_retention=RETENTION).database_down
    event.remove(engine, "commit", withhold_the_reply)
    tcp_proxy.restore()
    clock.now += 15

    drain(outbox, engine, within_s=30)  # the writer was not left stuck on the lost reply
    assert stored_attempts(direct, questions) == [queued.id]
    engine.dispose()


def test_an_answer_names_its_sitting_and_arrives_with_it(app_engine, direct, questions, tmp_path):
    outbox = Outbox(tmp_path / "outbox.jsonl")
    sitting = uuid.uuid4()  # made by the app; no row yet
    outbox.add(answer(questions[0], minute=1, session_id=sitting))
    outbox.add(answer(questions[1], minute=0, session_id=sitting))

    assert outbox.flush(app_engine, desired_retention=RETENTION).saved == 2
    with direct.connect() as connection:
        started, mode = connection.execute(
            text("SELECT started_at, mode FROM study_sessions WHERE id = :id"), {"id": sitting}
        ).one()
    assert (started, mode) == (NOW, "review")  # its earliest answer, whichever came first


def test_a_refused_answer_saved_directly_is_set_aside_with_one_sentence(
    app_engine, direct, questions, tmp_path
):
    outbox = Outbox(tmp_path / "outbox.jsonl")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    future = answer(questions[1], minute=0).model_copy(update={"answered_at": tomorrow})
    outcome = outbox.save(app_engine, future, desired_retention=RETENTION)
    assert (outcome.saved, outcome.pending) == (False, 0)
    assert outcome.rejected.startswith("it is dated ")
    assert outcome.rejected.endswith("more than 10 minutes ahead of the server's clock")
    assert outbox.rejected() == 1
    assert outbox.save(app_engine, answer(questions[0], minute=1), desired_retention=0.9).saved


def test_after_a_failure_page_views_retry_only_every_so_often(
    app_engine, tcp_proxy, questions, tmp_path
):
    clock = FakeClock()
    outbox = Outbox(tmp_path / "outbox.jsonl", clock=clock)
    tcp_proxy.cut()
    assert not outbox.save(app_engine, answer(questions[0], minute=0), desired_retention=0.9).saved
    refused = tcp_proxy.refused

    tcp_proxy.restore()
    assert outbox.flush_if_due(app_engine, desired_retention=RETENTION) is None
    clock.now += 15
    flushed = outbox.flush_if_due(app_engine, desired_retention=RETENTION)

    assert refused > 0
    assert (flushed.saved, flushed.pending) == (1, 0)


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_rest_kept(tmp_path):
    path = tmp_path / "outbox.jsonl"
    outbox = Outbox(path)
    first, second = answer("q-1", minute=0), answer("q-2", minute=1)
    outbox.add(first)
    outbox.add(second)
    path.write_text(path.read_text() + '{"id": "half a line')

    assert Outbox(path).entries() == [first, second]


def test_an_outbox_on_an_unusable_disk_keeps_answers_in_memory(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    outbox = Outbox(blocker / "outbox.jsonl")
    attempt = answer("q-1", minute=0)

    outbox.add(attempt)
    outbox.add(attempt)  # the same answer twice is kept once

    assert not outbox.durable
    assert outbox.entries() == [attempt]
    assert outbox.pending() == 1


def test_a_new_outbox_has_nothing_pending(tmp_path):
    outbox = Outbox(tmp_path / "data" / "outbox.jsonl")
    assert outbox.durable and outbox.pending() == 0
    assert (tmp_path / "data" / "outbox.jsonl").exists()


def test_an_answer_appended_after_a_torn_line_is_not_glued_to_it(tmp_path):
    path = tmp_path / "outbox.jsonl"
    first, second = answer("q-1", minute=0), answer("q-2", minute=1)
    Outbox(path).add(first)
    path.write_text(path.read_text() + '{"id": "torn by a crash')  # no newline

    Outbox(path).add(second)

    assert Outbox(path).entries() == [first, second]


def test_a_hanging_database_queues_the_answer_within_the_deadline_and_blocks_no_one(
    app_engine, tcp_proxy, direct, questions, tmp_path
):
    clock = FakeClock()
    outbox = Outbox(tmp_path / "outbox.jsonl", clock=clock, deadline_s=1.0)
    before = answer(questions[0], minute=0)
    assert outbox.save(app_engine, before, desired_retention=RETENTION).saved
    tcp_proxy.hang()
    hung = [answer(questions[1], minute=1), answer(questions[2], minute=2)]

    started = time.monotonic()
    first = outbox.save(app_engine, hung[0], desired_retention=RETENTION)
    # Another tab meanwhile: no lock is held across the hanging I/O.
    other = {}
    tab = threading.Thread(
        target=lambda: other.update(o=outbox.save(app_engine, hung[1], desired_retention=0.9))
    )
    tab.start()
    tab.join(timeout=10)
    elapsed = time.monotonic() - started

    assert not tab.is_alive()
    assert (first.saved, other["o"].saved, outbox.pending()) == (False, False, 2)
    assert elapsed < 5, elapsed  # the bench measures the figure; this only bounds it

    tcp_proxy.restore()
    clock.now += 15
    deadline = time.monotonic() + 30
    flushed = outbox.flush_if_due(app_engine, desired_retention=RETENTION)
    while outbox.pending() and time.monotonic() < deadline:
        flushed = outbox.flush(app_engine, desired_retention=RETENTION)
    assert outbox.pending() == 0, flushed
    stored = stored_attempts(direct, questions)
    assert sorted(stored) == sorted(a.id for a in [before, *hung])  # each exactly once
    assert sum(card[3] for card in card_rows(direct, questions).values()) == 3


# A process that queues answers one by one, printing each id once `add` has returned
# (the answer is on disk then), and optionally flushes between them.
WRITER = """
import sys, uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from sqlalchemy import create_engine
from studygame.services import outbox as outbox_module
from studygame.services.outbox import Outbox
from studygame.domain.attempt import NewAttempt

path, url, question, count, flush = sys.argv[1:6]
count = int(count)
outbox = Outbox(Path(path))
engine = create_engine(url)
for n in range(count):
    attempt = NewAttempt(
        id=uuid.uuid4(), session_id=None, question_id=question, deck="D", topic="T",
        mode="quiz", given_answer="a", is_correct=True, rating=3, response_ms=1000, points=900,
        answered_at=datetime(2026, 11, 25, tzinfo=UTC) + timedelta(seconds=n),
    )
    outbox.add(attempt)
    print(attempt.id, flush=True)
    if flush == "flush" and n % 3 == 2:
        outbox.flush(engine, desired_retention=0.9)
"""


def test_two_processes_share_the_outbox_and_a_killed_one_loses_nothing(
    direct, database_url, questions, tmp_path
):
    path = tmp_path / "outbox.jsonl"

    def start(question: str, count: int, flush: str) -> subprocess.Popen:
        command = [sys.executable, "-c", WRITER, str(path), database_url, question, str(count)]
        return subprocess.Popen([*command, flush], stdout=subprocess.PIPE, text=True)

    # One process only queues (the database is down for it), and is killed midway;
    # the other queues and flushes what both wrote, as two app processes on one disk would.
    queuer = start(questions[0], 100_000, "queue")
    flusher = start(questions[1], 60, "flush")
    queued = [queuer.stdout.readline().strip() for _ in range(40)]
    queuer.send_signal(signal.SIGKILL)
    queuer.wait()
    queued += [line.strip() for line in queuer.stdout if line.strip()]
    flushed_out, _ = flusher.communicate(timeout=120)
    assert flusher.returncode == 0

    # What the killed process reported as queued is on disk or already in Postgres.
    in_database = {str(i) for i in stored_attempts(direct, questions)}
    on_disk = {str(a.id) for a in Outbox(path).entries()}
    assert set(queued) <= in_database | on_disk
    final = Outbox(path).flush(direct, desired_retention=RETENTION)
    assert not final.database_down and final.pending == 0
    stored = [str(i) for i in stored_attempts(direct, questions)]
    assert len(stored) == len(set(stored))  # nothing twice
    assert set(queued) | set(flushed_out.split()) <= set(stored)
