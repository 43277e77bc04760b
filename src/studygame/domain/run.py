"""A study run as a model: what it plans, where it is, and what each tap does to it.

No Streamlit and no database here. Every transition takes the run and the tap and returns
the new run (and, for an answer, the attempt to save); nothing is changed in place.

A tap carries the number of the screen it was drawn on. Every new screen (a question, its
feedback, the card turned over) gets the next number, so a tap that arrives for a screen
that is gone (a double tap, a page that had not caught up) changes nothing: an answer only
counts for the question that was on screen when it was given.

A run can always be rebuilt from its plan and the answers its sitting holds (`resume`):
that is how a round survives a reload, Back/Forward and a server restart.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from studygame.domain.attempt import NewAttempt
from studygame.domain.celebration import (
    DAILY_GOAL,
    PERSONAL_BEST,
    AnswerMoment,
    BestScope,
    celebrations,
)
from studygame.domain.judging import Judgement, judge_answer, judge_override, judge_self_graded
from studygame.domain.modes import Mode
from studygame.domain.questions import Question
from studygame.domain.rating import Rating
from studygame.domain.scoring import next_streak

# What the learner reads when their tap was for a card another tab answered first.
ANSWERED_ELSEWHERE = "Answered in another tab: moving on."
# How long a sitting left open can be picked up again; after that a page starts afresh.
RESUMABLE_FOR = timedelta(hours=12)


@dataclass(frozen=True)
class Plan:
    """What a run is set to do, fixed when it starts; kept with its sitting to resume it."""

    mode: Mode
    session_id: uuid.UUID
    started_at: datetime
    question_ids: tuple[str, ...] = ()  # the planned order; Review follows the queue instead
    seed: str = field(default_factory=lambda: uuid.uuid4().hex)  # the choices' order
    deadline: datetime | None = None  # speed rounds
    seconds: int | None = None  # speed rounds: the round's length
    # Read once at the start: the goal and the best are celebrated when the run crosses them.
    daily_goal: int = 0
    answered_today_before: int = 0
    best_before: int = 0  # the best sitting of `best_scope`

    @property
    def best_scope(self) -> BestScope:
        """Which earlier sittings this run's points are compared with."""
        return BestScope.of(self.mode, questions=len(self.question_ids), seconds=self.seconds)

    def to_json(self) -> dict:
        """The plan as the sitting stores it."""
        return {
            "question_ids": list(self.question_ids),
            "seed": self.seed,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "seconds": self.seconds,
            "daily_goal": self.daily_goal,
            "answered_today_before": self.answered_today_before,
            "best_before": self.best_before,
        }

    @classmethod
    def from_json(
        cls, stored: dict | str, *, mode: str, session_id: uuid.UUID, started_at: datetime
    ) -> Plan:
        """The plan a sitting stored (as `to_json` wrote it)."""
        values = json.loads(stored) if isinstance(stored, str) else stored
        deadline = values.get("deadline")
        return cls(
            mode=Mode(mode),
            session_id=session_id,
            started_at=started_at,
            question_ids=tuple(values.get("question_ids", ())),
            seed=values.get("seed", session_id.hex),
            deadline=None if deadline is None else datetime.fromisoformat(deadline),
            seconds=values.get("seconds"),
            daily_goal=values.get("daily_goal", 0),
            answered_today_before=values.get("answered_today_before", 0),
            best_before=values.get("best_before", 0),
        )


@dataclass(frozen=True)
class QueueView:
    """Review: the counts the queue gave with the card on screen (see services/queue.py)."""

    due: int
    new_left: int
    next_due_at: datetime | None = None


@dataclass(frozen=True)
class LastAnswer:
    """The answer just given, kept so it can be shown, undone or overridden."""

    attempt: NewAttempt
    question: Question
    judgement: Judgement
    streak_before: int
    saved: bool = False  # False: waiting in the outbox, so it cannot be undone or overridden yet
    overridden: bool = False
    moved_on: bool = False  # the run went straight to the next question (speed, flashcards)

    @property
    def final(self) -> Judgement:
        """The answer's judgement as it stands now: overridden answers count as right."""
        if not self.overridden:
            return self.judgement
        return judge_override(
            mode=self.attempt.mode,
            response_ms=self.attempt.response_ms,
            streak_before=self.streak_before,
        )

    @property
    def can_override(self) -> bool:
        """Whether "I was right" applies: a saved typed answer marked wrong, not yet overridden."""
        return (
            self.saved
            and not self.overridden
            and self.question.type == "typed"
            and not self.judgement.is_correct
            and self.judgement.verdict is not None
        )


@dataclass(frozen=True)
class PastAnswer:
    """An answer of the sitting as the record holds it: what `resume` replays."""

    question_id: str
    is_correct: bool
    points: int


@dataclass(frozen=True)
class Run:
    """One sitting in one mode, as the screen needs it."""

    plan: Plan
    position: int = 0  # index in plan.question_ids of the question on screen or next
    screen: int = 0  # the number of the screen showing; taps name the screen they were for
    current_id: str | None = None
    shown_at: datetime | None = None  # when the question on screen appeared
    revealed: bool = False  # a flashcard's back is showing
    on_feedback: bool = False  # the feedback screen of `last` is showing
    last: LastAnswer | None = None
    streak: int = 0
    best_streak: int = 0
    score: int = 0
    answered: int = 0
    correct: int = 0
    missed: tuple[str, ...] = ()  # question ids answered wrong, in order
    celebrated: frozenset[str] = frozenset()
    to_celebrate: tuple[str, ...] = ()  # the last answer's, shown once by the next screen
    notice: str | None = None  # one line for the next screen (e.g. ANSWERED_ELSEWHERE)
    ended_at: datetime | None = None
    queue: QueueView | None = None  # Review: the counts at the card on screen
    new_candidates: tuple[str, ...] | None = None  # Review: new cards this sitting may meet
    intervals: dict[int, timedelta] | None = None  # the revealed card's interval per grade

    @property
    def mode(self) -> Mode:
        """The run's mode."""
        return self.plan.mode

    def time_up(self, now: datetime) -> bool:
        """True once a speed round's clock has run out."""
        return self.plan.deadline is not None and now >= self.plan.deadline

    def seconds_left(self, now: datetime) -> float:
        """Seconds left in a speed round (0 when time is up)."""
        assert self.plan.deadline is not None
        return max((self.plan.deadline - now).total_seconds(), 0.0)

    def elapsed_s(self, now: datetime) -> float:
        """How long the run has lasted (until it ended)."""
        return ((self.ended_at or now) - self.plan.started_at).total_seconds()

    def planned_next(self, available: Sequence[str] | set[str]) -> tuple[int, str | None]:
        """The planned question at or after the position still in the bank, and its index."""
        position = self.position
        while position < len(self.plan.question_ids):
            if self.plan.question_ids[position] in available:
                return position, self.plan.question_ids[position]
            position += 1  # removed from the bank since the run began: skipped
        return position, None


def start(plan: Plan) -> Run:
    """A run at its first screen, nothing answered."""
    return Run(plan=plan)


def show(run: Run, question_id: str | None, *, now: datetime, position: int | None = None) -> Run:
    """Put this question on a new screen (None: the run has nothing left to ask)."""
    return replace(
        run,
        position=run.position if position is None else position,
        screen=run.screen + 1,
        current_id=question_id,
        shown_at=None if question_id is None else now,
        revealed=False,
        on_feedback=False,
        intervals=None,
    )


def is_current(run: Run, question: Question, screen: int) -> bool:
    """Whether a tap drawn on `screen` for `question` is for what is on screen now."""
    return not run.on_feedback and run.screen == screen and run.current_id == question.id


@dataclass(frozen=True)
class Step:
    """A transition's result: the new run, and the answer to save if the tap made one."""

    run: Run
    attempt: NewAttempt | None = None


def answer(
    run: Run, question: Question, given: str, *, screen: int, now: datetime, attempt_id: uuid.UUID
) -> Step:
    """Grade an auto-graded answer to the question on `screen`; a stale tap changes nothing."""
    if not is_current(run, question, screen) or run.time_up(now):
        return Step(run)  # a double tap, a stale page, or a tap after the speed round's bell
    response_ms = _elapsed_ms(run, now)
    judgement = judge_answer(
        question, given, mode=run.mode, response_ms=response_ms, streak_before=run.streak
    )
    return _answered(run, question, judgement, given, response_ms, now, attempt_id)


def self_grade(
    run: Run, question: Question, rating: Rating, *, screen: int, now: datetime, attempt_id
) -> Step:
    """Grade a flashcard as the learner rated it; the run goes straight on to the next card."""
    if not is_current(run, question, screen) or not run.revealed:
        return Step(run)
    judgement = judge_self_graded(rating)
    return _answered(run, question, judgement, None, _elapsed_ms(run, now), now, attempt_id)


def reveal(run: Run, *, screen: int) -> Run:
    """Turn the flashcard on `screen` over (a new screen: its grades are taps of their own)."""
    if run.on_feedback or run.screen != screen or run.revealed:
        return run
    return replace(run, revealed=True, screen=run.screen + 1)


def with_intervals(run: Run, intervals: dict[int, timedelta] | None) -> Run:
    """The revealed card with the interval each grade would give it."""
    return replace(run, intervals=intervals)


def next_question(run: Run, *, screen: int) -> Run:
    """Leave the feedback screen for the next question; a second tap on Next does nothing."""
    if not run.on_feedback or run.screen != screen:
        return run
    return _moved_on(run)


def saved(run: Run, *, is_saved: bool) -> Run:
    """Record whether the last answer reached the database (only then can it be undone)."""
    if run.last is None:
        return run
    return replace(run, last=replace(run.last, saved=is_saved))


def answered_elsewhere(run: Run) -> Run:
    """The card on screen was answered in another tab: this tap counts for nothing, move on."""
    return replace(_moved_on(run), notice=ANSWERED_ELSEWHERE)


def undone(run: Run, *, now: datetime) -> Run:
    """The last answer was removed from the record: its score goes, its question comes back."""
    last = run.last
    if last is None:
        return run
    judgement = last.final
    missed = run.missed
    if not judgement.is_correct and missed and missed[-1] == last.question.id:
        missed = missed[:-1]
    run = replace(
        run,
        last=None,
        streak=last.streak_before,
        score=run.score - judgement.points,
        answered=run.answered - 1,
        correct=run.correct - judgement.is_correct,
        missed=missed,
    )
    if run.plan.deadline is not None:
        return run  # against the clock the round goes on; the answer just no longer counts
    position = run.position
    if last.moved_on and not run.mode.follows_queue:
        position -= 1  # the run had gone on: step back to the card undone
    # The question comes back on a new screen, timed from now.
    return replace(show(run, last.question.id, now=now), position=position)


def overridden(run: Run, right: Judgement) -> Run:
    """The learner was right after all: the last answer counts as right, rescored."""
    last = run.last
    if last is None or not last.can_override:
        return run
    streak = next_streak(last.streak_before, is_correct=True)
    missed = run.missed
    if missed and missed[-1] == last.question.id:
        missed = missed[:-1]
    return replace(
        run,
        last=replace(last, overridden=True),
        score=run.score + right.points - last.judgement.points,
        correct=run.correct + 1,
        streak=streak,
        best_streak=max(run.best_streak, streak),
        missed=missed,
    )


def override_judgement(run: Run) -> Judgement | None:
    """What the last answer earns if the learner was right; None when "I was right" is off."""
    last = run.last
    if last is None or not last.can_override:
        return None
    return judge_override(
        mode=run.mode, response_ms=last.attempt.response_ms, streak_before=last.streak_before
    )


def celebrated(run: Run) -> tuple[Run, tuple[str, ...], str | None]:
    """The celebrations and the notice to show once, and the run without them."""
    return replace(run, to_celebrate=(), notice=None), run.to_celebrate, run.notice


def ended(run: Run, now: datetime) -> Run:
    """The run as it stands when its summary shows."""
    return run if run.ended_at is not None else replace(run, ended_at=now)


def resume(plan: Plan, answers: Sequence[PastAnswer]) -> Run:
    """The run its plan and its recorded answers (oldest first) describe, at its next question.

    What the record cannot say (the last answer's feedback, Undo) starts afresh.
    """
    run = start(plan)
    position = 0
    for past in answers:
        if past.question_id in plan.question_ids[position:]:
            position = plan.question_ids.index(past.question_id, position) + 1
        run = _counted(run, past.question_id, is_correct=past.is_correct, points=past.points)
    # Whatever the plan said the run had celebrated stays celebrated.
    already = _crossed(run)
    return replace(run, position=position, celebrated=already)


def _crossed(run: Run) -> frozenset[str]:
    found = set()
    if run.plan.daily_goal and run.plan.answered_today_before + run.answered >= (
        run.plan.daily_goal
    ):
        found.add(DAILY_GOAL)
    if run.plan.best_before and run.score > run.plan.best_before:
        found.add(PERSONAL_BEST)
    return frozenset(found)


def _elapsed_ms(run: Run, now: datetime) -> int | None:
    if run.shown_at is None:
        return None
    return max(round((now - run.shown_at).total_seconds() * 1000), 0)


def _answered(
    run: Run,
    question: Question,
    judgement: Judgement,
    given: str | None,
    response_ms: int | None,
    now: datetime,
    attempt_id: uuid.UUID,
) -> Step:
    attempt = NewAttempt(
        id=attempt_id,
        session_id=run.plan.session_id,
        question_id=question.id,
        deck=question.deck,
        topic=question.topic,
        mode=run.mode,
        given_answer=given,
        is_correct=judgement.is_correct,
        rating=judgement.rating,
        response_ms=response_ms,
        points=judgement.points,
        answered_at=now,
        shown_at=run.shown_at,
    )
    # Against the clock, and for a self-graded card, there is no feedback screen to read.
    moves_on = run.mode.is_timed or judgement.verdict is None
    last = LastAnswer(attempt, question, judgement, streak_before=run.streak, moved_on=moves_on)
    run = _counted(
        replace(run, last=last),
        question.id,
        is_correct=judgement.is_correct,
        points=judgement.points,
    )
    found = celebrations(
        AnswerMoment(
            is_correct=judgement.is_correct,
            streak=run.streak,
            answered_today=run.plan.answered_today_before + run.answered,
            daily_goal=run.plan.daily_goal,
            score=run.score,
            points=judgement.points,
            best_before=run.plan.best_before,
        ),
        already=run.celebrated,
    )
    run = replace(run, celebrated=run.celebrated | set(found), to_celebrate=found)
    if moves_on:
        return Step(_moved_on(run), attempt)
    return Step(replace(run, on_feedback=True, screen=run.screen + 1), attempt)


def _counted(run: Run, question_id: str, *, is_correct: bool, points: int) -> Run:
    """The run's score, streaks, counts and mistakes with one more answer."""
    streak = next_streak(run.streak, is_correct=is_correct)
    return replace(
        run,
        streak=streak,
        best_streak=max(run.best_streak, streak),
        score=run.score + points,
        answered=run.answered + 1,
        correct=run.correct + is_correct,
        missed=run.missed if is_correct else (*run.missed, question_id),
    )


def _moved_on(run: Run) -> Run:
    # Review asks the queue for its next card; a planned run steps to the next in its list.
    position = run.position if run.mode.follows_queue else run.position + 1
    return replace(
        run,
        position=position,
        screen=run.screen + 1,
        current_id=None,
        shown_at=None,
        revealed=False,
        on_feedback=False,
        intervals=None,
    )
