"""Card states: apply one answer, or rebuild them all by replaying `attempts` in time order."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import groupby

from sqlalchemy import ScalarSelect, delete, insert, select
from sqlalchemy.orm import Session

from studygame.db import dialect_insert
from studygame.domain.scheduling import DEFAULT_PARAMETERS, CardSnapshot, replay, replay_rating
from studygame.models import Attempt, CardState, SchedulerParameters

# Practice that must not move the schedule.
UNSCHEDULED_MODES = ("cram",)
REBUILD_BATCH = 5000


def applied_parameters() -> ScalarSelect:
    """The latest applied fit's parameters as a subquery (NULL before any): one read, inlined.

    The write path puts it in the answer's INSERT ... RETURNING, so an answer stays three
    statements.
    """
    return (
        select(SchedulerParameters.parameters)
        .where(SchedulerParameters.applied)
        .order_by(SchedulerParameters.fitted_at.desc(), SchedulerParameters.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def parameters_or_default(stored: Sequence[float] | None) -> tuple[float, ...]:
    """The stored parameters, or FSRS's defaults when no fit was ever applied."""
    return DEFAULT_PARAMETERS if stored is None else tuple(stored)


def current_parameters(session: Session) -> tuple[float, ...]:
    """The FSRS parameters the schedule follows: the latest applied fit, else the defaults."""
    return parameters_or_default(session.scalar(select(applied_parameters())))


def load_card(session: Session, *, question_id: str) -> CardSnapshot | None:
    """The question's current card state, locked for this transaction."""
    row = session.execute(
        select(CardState).where(CardState.question_id == question_id).with_for_update()
    ).scalar_one_or_none()
    return None if row is None else _snapshot(row)


def save_card(
    session: Session, *, question_id: str, deck: str | None, card: CardSnapshot, now: datetime
) -> None:
    """Insert or replace the question's card state in one statement."""
    values = _row(question_id, deck, card, now)
    upsert = dialect_insert(session)(CardState).values(values)
    session.execute(
        upsert.on_conflict_do_update(
            index_elements=[CardState.question_id],
            set_={k: v for k, v in values.items() if k != "question_id"},
        )
    )


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
    rows = _replayed_rows(session, question_ids, desired_retention, parameters, now)
    written = 0
    for batch in _batched(rows, REBUILD_BATCH):
        # Core, not ORM, bulk insert: the ORM splits batches wherever a NULL moves.
        session.execute(insert(CardState.__table__), batch)
        written += len(batch)
    return written


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
    for row in _replayed_rows(session, None, desired_retention, parameters, now):
        before = current.get(row["question_id"])
        earlier += before is not None and row["due"] < before
        later += before is not None and row["due"] > before
    return earlier, later


def _replayed_rows(
    session: Session,
    question_ids: Collection[str] | None,
    desired_retention: float,
    parameters: Sequence[float],
    now: datetime,
) -> Iterator[dict]:
    answers = (
        select(
            Attempt.question_id,
            Attempt.deck,
            Attempt.rating,
            Attempt.is_correct,
            Attempt.answered_at,
        )
        .where(Attempt.mode.not_in(UNSCHEDULED_MODES))
        .order_by(Attempt.question_id, Attempt.answered_at, Attempt.id)
    )
    if question_ids is not None:
        answers = answers.where(Attempt.question_id.in_(question_ids))
    rows = session.execute(answers.execution_options(yield_per=REBUILD_BATCH))
    return _replay(rows, desired_retention, parameters, now)


def _replay(
    rows: Iterable, desired_retention: float, parameters: Sequence[float], now: datetime
) -> Iterator[dict]:
    for question_id, group in groupby(rows, key=lambda row: row.question_id):
        answers = list(group)
        card = replay(
            None,
            (
                (replay_rating(rating=a.rating, is_correct=a.is_correct), a.answered_at)
                for a in answers
            ),
            desired_retention=desired_retention,
            parameters=parameters,
        )
        deck = next((a.deck for a in reversed(answers) if a.deck), None)
        yield _row(question_id, deck, card, now)


def _batched(items: Iterator[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _snapshot(row: CardState) -> CardSnapshot:
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


def _row(question_id: str, deck: str | None, card: CardSnapshot, now: datetime) -> dict:
    return {
        "question_id": question_id,
        "deck": deck,
        "state": card.state,
        "step": card.step,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "due": card.due,
        "last_review": card.last_review,
        "reps": card.reps,
        "lapses": card.lapses,
        "updated_at": now,
    }
