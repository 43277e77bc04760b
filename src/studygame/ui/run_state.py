"""A study run's state and life cycle: which question is on screen, the score, the sitting.

A run lives in `st.session_state` (UI state only: which question, the on-screen score);
every answer is in Postgres the moment it is given (ui/answering.py).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy.exc import OperationalError

from studygame.domain.attempt import NewAttempt
from studygame.domain.judging import Judgement
from studygame.domain.questions import Question
from studygame.domain.selection import interleave_decks
from studygame.services import queue
from studygame.services.content import QuestionBank
from studygame.services.learner import LearnerPreferences, get_learner_settings
from studygame.services.study import end_study_session
from studygame.ui.answers import flush_answers
from studygame.ui.engine import session

PREFERENCES_KEY = "study_preferences"


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


@dataclass
class LastAnswer:
    """The answer just given, kept so it can be shown, undone or overridden."""

    attempt: NewAttempt
    question: Question
    judgement: Judgement
    streak_before: int
    saved: bool  # False: waiting in the outbox, so it cannot be undone or overridden yet
    overridden: bool = False
    moved_on: bool = False  # the run went straight to the next question (speed, flashcards)


@dataclass
class Run:
    """One sitting in one mode, as the screen needs it."""

    mode: str
    question_ids: list[str]  # the planned order; Review asks the queue for each card instead
    seed: str = field(default_factory=lambda: uuid.uuid4().hex)
    session_id: uuid.UUID | None = None  # the study_sessions row, made at the first answer
    position: int = 0
    current_id: str | None = None
    shown_at: float | None = None  # time.monotonic() when the question appeared
    revealed: bool = False  # a flashcard's back is showing
    last: LastAnswer | None = None
    on_feedback: bool = False  # the feedback screen of `last` is showing
    streak: int = 0
    best_streak: int = 0
    score: int = 0
    answered: int = 0
    correct: int = 0
    missed: list[str] = field(default_factory=list)  # question ids answered wrong, in order
    started_at: float = field(default_factory=time.monotonic)
    ended_at: float | None = None
    # Read once at the start: the goal and the best are celebrated when this run crosses them.
    answered_today_before: int = 0
    daily_goal: int = 0
    best_before: int = 0
    celebrated: set[str] = field(default_factory=set)
    to_celebrate: tuple[str, ...] = ()  # the last answer's, shown once by the next screen
    deadline: datetime | None = None  # speed rounds only
    seconds: int | None = None  # speed rounds: the round's length
    finished: bool = False
    upcoming: queue.ReviewNext | None = None  # Review: the queue's counts at the last card
    new_candidates: list[str] | None = None  # Review: the new cards this sitting may introduce
    intervals: dict[int, timedelta] | None = None  # the revealed card's interval per grade

    def time_up(self, now: datetime) -> bool:
        """True once a speed round's clock has run out."""
        return self.deadline is not None and now >= self.deadline

    def seconds_left(self, now: datetime) -> float:
        """Seconds left in a speed round (0 when time is up)."""
        assert self.deadline is not None
        return max((self.deadline - now).total_seconds(), 0.0)

    def elapsed_s(self) -> float:
        """How long the run has lasted (until it finished)."""
        return (self.ended_at or time.monotonic()) - self.started_at


def _key(mode: str) -> str:
    return f"study_run:{mode}"


def get_run(mode: str) -> Run | None:
    """The run in progress in this mode, if any."""
    return st.session_state.get(_key(mode))


def start_run(
    mode: str,
    question_ids: list[str],
    *,
    preferences: LearnerPreferences,
    seconds: int | None = None,
) -> Run:
    """Begin a run over these questions (Review: none, it follows the queue)."""
    run = Run(mode=mode, question_ids=list(question_ids), daily_goal=preferences.daily_goal)
    if seconds is not None:
        run.seconds = seconds
        run.deadline = utcnow() + timedelta(seconds=seconds)
    try:
        with session() as s:
            now = utcnow()
            run.answered_today_before = queue.answers_today(
                s, now=now, timezone=preferences.timezone
            )
            run.best_before = queue.personal_best(s, mode=mode)
    except OperationalError:
        # Out of reach: nothing is celebrated this run rather than celebrated wrongly.
        run.celebrated |= {"daily_goal", "personal_best"}
    st.session_state[_key(mode)] = run
    return run


def finish_run(run: Run) -> None:
    """Close the run's sitting (its totals are stored); safe to call again."""
    if run.finished:
        return
    if run.ended_at is None:
        run.ended_at = time.monotonic()
    if run.session_id is not None:
        # The sitting's totals count its answers: close it once none waits in the outbox.
        if flush_answers():
            return
        try:
            with session() as s:
                end_study_session(s, session_id=run.session_id, now=utcnow())
        except OperationalError:
            return  # the database is out of reach: the next rerun closes it
    run.finished = True


def discard_run(mode: str) -> None:
    """Close and forget this mode's run, back to its start screen."""
    run = st.session_state.pop(_key(mode), None)
    if run is not None:
        finish_run(run)


def today(bank: QuestionBank, preferences: LearnerPreferences) -> queue.TodaySummary:
    """Home's numbers for today, in the learner's timezone."""
    with session() as s:
        return queue.today_summary(
            s,
            question_ids=[q.id for q in bank.questions],
            now=utcnow(),
            preferences=preferences,
        )


def learner_preferences() -> LearnerPreferences:
    """The learner's settings, read fresh: another device may have changed them.

    While the database is out of reach, the last ones this session read: studying goes on
    and the answers wait in the outbox.
    """
    try:
        with session() as s:
            preferences = get_learner_settings(s)
    except OperationalError:
        if PREFERENCES_KEY not in st.session_state:
            raise
        return st.session_state[PREFERENCES_KEY]
    st.session_state[PREFERENCES_KEY] = preferences
    return preferences


def current_question(
    run: Run, bank: dict[str, Question], preferences: LearnerPreferences
) -> Question | None:
    """The question on screen now; None when the run has nothing left to ask."""
    if run.current_id is None:
        run.current_id = _next_id(run, bank, preferences)
        run.shown_at = None
        run.revealed = False
        run.intervals = None
    if run.current_id is None:
        return None
    if run.shown_at is None:
        run.shown_at = time.monotonic()
    return bank[run.current_id]


def _next_id(run: Run, bank: dict[str, Question], preferences: LearnerPreferences) -> str | None:
    if run.mode == "review":
        with session() as s:
            if run.new_candidates is None:
                # New cards take turns across decks, not one deck's cards in a row.
                run.new_candidates = queue.new_card_candidates(
                    s,
                    question_ids=[q.id for q in interleave_decks(bank.values())],
                    limit=preferences.new_cards_per_day,
                )
            run.upcoming = queue.next_review_card(
                s,
                question_ids=list(bank),
                now=utcnow(),
                timezone=preferences.timezone,
                new_cards_per_day=preferences.new_cards_per_day,
                candidates=run.new_candidates,
            )
        return run.upcoming.question_id
    # A question removed from the bank since the run began is skipped.
    while run.position < len(run.question_ids):
        if run.question_ids[run.position] in bank:
            return run.question_ids[run.position]
        run.position += 1
    return None


def next_question(run: Run) -> None:
    """Leave the feedback screen for the next question."""
    run.on_feedback = False
    run.current_id = None
    if run.mode != "review":
        run.position += 1
