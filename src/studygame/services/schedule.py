"""Card states: apply one answer, or rebuild them all by replaying `attempts` in time order."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    ScalarSelect,
    Select,
    String,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.modes import UNSCHEDULED, values
from studygame.domain.scheduling import DEFAULT_PARAMETERS, CardSnapshot, replay, replay_rating
from studygame.models import Attempt, CardState, SchedulerParameters

REBUILD_BATCH = 5000
# card_states' columns, in the order the rebuild writes them.
COLUMNS = ("question_id", "deck", "state", "step", "stability", "difficulty", "due",
           "last_review", "reps", "lapses", "updated_at")  # fmt: skip
COPY_TYPES = ("varchar", "varchar", "int2", "int2", "float8", "float8", "timestamptz",
              "timestamptz", "int4", "int4", "timestamptz")  # fmt: skip


def unnest(columns: Sequence[str], types: Sequence[str]) -> str:
    """SQL for rows given as one array parameter per column (named after it), on Postgres.

    A batch's statement then reads the same whatever its size: compiled once, and parsed
    once by the driver, where a VALUES list of 500 rows took ~50 ms to build and parse.
    """
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(columns, types, strict=True))
    return f"unnest({arrays})"


def as_arrays(columns: Sequence[str], rows: Iterable[tuple]) -> dict[str, list]:
    """Rows (tuples in `columns` order) as the parameters of `unnest`: a list per column."""
    by_column = list(zip(*rows, strict=True)) or [() for _ in columns]
    return {c: list(values) for c, values in zip(columns, by_column, strict=True)}


_LOCK_CARDS = (
    select(*CardState.__table__.c)
    .where(CardState.question_id == any_(bindparam("question_ids", type_=ARRAY(String))))
    .order_by(CardState.question_id)
    .with_for_update()
)
_SAVE_CARDS = text(
    f"INSERT INTO card_states ({', '.join(COLUMNS)}) SELECT * FROM {unnest(COLUMNS, COPY_TYPES)} "
    "ON CONFLICT (question_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c != "question_id")
)


def latest_applied_fit(*columns) -> Select:
    """These columns of the latest applied fit: the parameters in use (no row before any)."""
    return (
        select(*columns)
        .where(SchedulerParameters.applied)
        .order_by(SchedulerParameters.fitted_at.desc(), SchedulerParameters.id.desc())
        .limit(1)
    )


def applied_parameters() -> ScalarSelect:
    """The parameters in use as a subquery (NULL before any fit): one read, inlined.

    The write path puts it in the answer's INSERT ... RETURNING, so an answer stays three
    statements.
    """
    return latest_applied_fit(SchedulerParameters.parameters).scalar_subquery()


def parameters_or_default(stored: Sequence[float] | None) -> tuple[float, ...]:
    """The stored parameters, or FSRS's defaults when no fit was ever applied."""
    return DEFAULT_PARAMETERS if stored is None else tuple(stored)


def current_parameters(session: Session) -> tuple[float, ...]:
    """The FSRS parameters the schedule follows: the latest applied fit, else the defaults."""
    return parameters_or_default(session.scalar(select(applied_parameters())))


def load_card(
    session: Session, *, question_id: str, for_update: bool = True
) -> CardSnapshot | None:
    """The question's current card state, locked for this transaction unless only looked at."""
    query = select(CardState).where(CardState.question_id == question_id)
    row = session.execute(query.with_for_update() if for_update else query).scalar_one_or_none()
    return None if row is None else snapshot(row)


def save_card(
    session: Session, *, question_id: str, deck: str | None, card: CardSnapshot, now: datetime
) -> None:
    """Insert or replace the question's card state in one statement."""
    values = card_values(question_id, deck, card, now)
    upsert = dialect_insert(session)(CardState).values(values)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[CardState.question_id],
            set_={k: v for k, v in values.items() if k != "question_id"},
        )
    )


def lock_cards(session: Session, *, question_ids: Collection[str]) -> dict[str, CardSnapshot]:
    """These questions' card states (Postgres), locked in one order: two batches, or a batch
    and a tab, never wait on each other."""
    rows = session.execute(_LOCK_CARDS, {"question_ids": list(question_ids)})
    return {row.question_id: snapshot(row) for row in rows}


def save_cards(session: Session, *, cards: Iterable[tuple]) -> None:
    """Insert or replace these card states, `card_row`s, in one statement (Postgres)."""
    session.execute(_SAVE_CARDS, as_arrays(COLUMNS, cards))


def rebuild_card_states(
    session: Session,
    *,
    question_ids: Collection[str] | None = None,
    desired_retention: float,
    parameters: Sequence[float] | None = None,
    now: datetime | None = None,
) -> int:
    """Recompute card states from the attempts (all, or these questions); returns cards written.

    The parameters are the current ones (`current_parameters`) unless given.
    """
    now = now or datetime.now(UTC)
    if parameters is None:
        parameters = current_parameters(session)
    clear = delete(CardState)
    if question_ids is not None:
        clear = clear.where(CardState.question_id.in_(question_ids))
    session.execute(clear)
    # Replayed in full before writing: the answers stream from a server-side cursor, which
    # a COPY on the same connection would interrupt.
    rows = list(_replayed_rows(session, question_ids, desired_retention, parameters, now))
    if session.get_bind().dialect.name == "postgresql":
        _copy_card_states(session, rows)
    else:
        for start in range(0, len(rows), REBUILD_BATCH):
            batch = rows[start : start + REBUILD_BATCH]
            session.execute(
                insert(CardState.__table__), [dict(zip(COLUMNS, row, strict=True)) for row in batch]
            )
    return len(rows)


def due_date_changes(
    session: Session, *, desired_retention: float, parameters: Sequence[float]
) -> tuple[int, int]:
    """How many cards would come due (earlier, later) if rebuilt with these parameters."""
    current = {
        question_id: due
        for question_id, due in session.execute(select(CardState.question_id, CardState.due))
    }
    earlier = later = 0
    now = datetime.now(UTC)
    due_at = COLUMNS.index("due")
    for row in _replayed_rows(session, None, desired_retention, parameters, now):
        before = current.get(row[0])
        earlier += before is not None and row[due_at] < before
        later += before is not None and row[due_at] > before
    return earlier, later


def _replayed_rows(
    session: Session,
    question_ids: Collection[str] | None,
    desired_retention: float,
    parameters: Sequence[float],
    now: datetime,
) -> Iterator[tuple]:
    attempts = Attempt.__table__.c
    # Times come as naive UTC, converted by the database: a per-row conversion to aware
    # datetimes in Python was a fifth of a rebuild's time. SQLite stores them so already.
    if session.get_bind().dialect.name == "postgresql":
        answered_at = func.timezone("UTC", attempts.answered_at)
    else:
        answered_at = type_coerce(attempts.answered_at, DateTime())
    answers = (
        select(
            attempts.question_id, attempts.deck, attempts.rating, attempts.is_correct, answered_at
        )
        .where(attempts.mode.not_in(values(UNSCHEDULED)))
        .order_by(attempts.question_id, attempts.answered_at, attempts.id)
    )
    if question_ids is not None:
        answers = answers.where(attempts.question_id.in_(question_ids))
    return _replay(_stream(session, answers), desired_retention, parameters, now)


def _stream(session: Session, query: Select) -> Iterator[tuple]:
    """The query's rows, a batch at a time, as plain tuples."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        result = connection.execute(query.execution_options(stream_results=True))
        for batch in result.partitions(REBUILD_BATCH):
            yield from batch
        return
    # psycopg's own server-side cursor, in binary: SQLAlchemy's result rows cost four times
    # the fetch itself at 200,000 answers (0.5 s of a rebuild).
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    driver = connection.connection.driver_connection
    with driver.cursor(name="studygame_replay", binary=True) as cursor:
        cursor.execute(str(compiled), compiled.params)
        while batch := cursor.fetchmany(REBUILD_BATCH):
            yield from batch


def _replay(
    rows: Iterable, desired_retention: float, parameters: Sequence[float], now: datetime
) -> Iterator[tuple]:
    question_id, deck, answers = None, None, []
    for row_question, row_deck, rating, is_correct, answered_at in rows:
        if row_question != question_id:
            if answers:
                yield _replayed_card(question_id, deck, answers, desired_retention, parameters, now)
            question_id, deck, answers = row_question, None, []
        if rating is None:
            rating = replay_rating(rating=rating, is_correct=is_correct)
        answers.append((rating, answered_at))
        # The card keeps the deck of its latest answer that had one.
        deck = row_deck or deck
    if answers:
        yield _replayed_card(question_id, deck, answers, desired_retention, parameters, now)


def _replayed_card(question_id, deck, answers, desired_retention, parameters, now) -> tuple:
    card = replay(None, answers, desired_retention=desired_retention, parameters=parameters)
    return card_row(question_id, deck, card, now)


def _copy_card_states(session: Session, rows: list[tuple]) -> None:
    # Binary COPY, not executemany (psycopg sends those row by row: 1 s for 20,000 cards)
    # nor text COPY (Python-side text dumpers: 0.2 s).
    cursor = session.connection().connection.driver_connection.cursor()
    statement = f"COPY card_states ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    with cursor, cursor.copy(statement) as copy:
        copy.set_types(COPY_TYPES)
        for row in rows:
            copy.write_row(row)


def snapshot(row: CardState) -> CardSnapshot:
    """A `card_states` row as the scheduler's snapshot of its card."""
    return CardSnapshot(
        state=row.state,
        step=row.step,
        stability=row.stability,
        difficulty=row.difficulty,
        due=row.due,
        last_review=row.last_review,
        reps=row.reps,
        lapses=row.lapses,
    )


def card_row(question_id: str, deck: str | None, card: CardSnapshot, now: datetime) -> tuple:
    """A card state as its `card_states` row, in `COLUMNS` order."""
    return (question_id, deck, card.state, card.step, card.stability, card.difficulty,
            card.due, card.last_review, card.reps, card.lapses, now)  # fmt: skip


def card_values(question_id: str, deck: str | None, card: CardSnapshot, now: datetime) -> dict:
    """A card state as the values of its `card_states` row."""
    return dict(zip(COLUMNS, card_row(question_id, deck, card, now), strict=True))
