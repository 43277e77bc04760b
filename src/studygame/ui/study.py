"""The study pages' engine: one run per mode, one question per screen, instant feedback.

A run lives in `st.session_state` (UI state only: which question, the on-screen score);
every answer is in Postgres the moment it is given, through `save()`.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy.exc import OperationalError

from studygame.domain.judging import Judgement, judge_answer, judge_override, judge_self_graded
from studygame.domain.markup import safe_markdown
from studygame.domain.questions import Question
from studygame.domain.rating import AGAIN, EASY, GOOD, HARD
from studygame.domain.scoring import next_streak
from studygame.domain.selection import draw, shuffled_choices
from studygame.services import queue
from studygame.services.content import QuestionBank
from studygame.services.learner import LearnerPreferences, get_learner_settings
from studygame.services.study import (
    NewAttempt,
    end_study_session,
    override_verdict,
    start_study_session,
    undo_attempt,
)
from studygame.ui.answers import flush_answers, save_answer
from studygame.ui.engine import session

SELF_GRADES = (("Again", AGAIN), ("Hard", HARD), ("Good", GOOD), ("Easy", EASY))
AUTO_GRADED = ("mcq", "truefalse", "typed")
# Against the clock, only questions answered with one tap: typing on a phone is too slow.
TAPPABLE = ("mcq", "truefalse")
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
    score: int = 0
    answered: int = 0
    correct: int = 0
    deadline: datetime | None = None  # speed rounds only
    seconds: int | None = None  # speed rounds: the round's length
    finished: bool = False
    upcoming: queue.ReviewNext | None = None  # Review: the queue's counts at the last card
    new_candidates: list[str] | None = None  # Review: the new cards this sitting may introduce

    def time_up(self, now: datetime) -> bool:
        """True once a speed round's clock has run out."""
        return self.deadline is not None and now >= self.deadline

    def seconds_left(self, now: datetime) -> float:
        """Seconds left in a speed round (0 when time is up)."""
        assert self.deadline is not None
        return max((self.deadline - now).total_seconds(), 0.0)


def _key(mode: str) -> str:
    return f"study_run:{mode}"


def get_run(mode: str) -> Run | None:
    """The run in progress in this mode, if any."""
    return st.session_state.get(_key(mode))


def start_run(mode: str, question_ids: list[str], *, seconds: int | None = None) -> Run:
    """Begin a run over these questions (Review: none, it follows the queue)."""
    run = Run(mode=mode, question_ids=list(question_ids))
    if seconds is not None:
        run.seconds = seconds
        run.deadline = utcnow() + timedelta(seconds=seconds)
    st.session_state[_key(mode)] = run
    return run


def finish_run(run: Run) -> None:
    """Close the run's sitting (its totals are stored); safe to call again."""
    if run.finished:
        return
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
    if run.current_id is None:
        return None
    if run.shown_at is None:
        run.shown_at = time.monotonic()
    return bank[run.current_id]


def _next_id(run: Run, bank: dict[str, Question], preferences: LearnerPreferences) -> str | None:
    if run.mode == "review":
        with session() as s:
            if run.new_candidates is None:
                run.new_candidates = queue.new_card_candidates(
                    s, question_ids=list(bank), limit=preferences.new_cards_per_day
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


def answer(run: Run, question: Question, given: str, preferences: LearnerPreferences) -> None:
    """Grade and save an auto-graded answer, then show its feedback (speed: the next question)."""
    if not _is_on_screen(run, question) or run.time_up(utcnow()):
        return  # a double tap, or a tap after the speed round's bell: not an answer
    response_ms = _elapsed_ms(run)
    judgement = judge_answer(
        question, given, mode=run.mode, response_ms=response_ms, streak_before=run.streak
    )
    _record(run, question, judgement, given, response_ms, preferences)


def self_grade(run: Run, question: Question, rating: int, preferences: LearnerPreferences) -> None:
    """Save a flashcard the learner graded themselves."""
    if not _is_on_screen(run, question):
        return
    _record(run, question, judge_self_graded(rating), None, _elapsed_ms(run), preferences)


def _is_on_screen(run: Run, question: Question) -> bool:
    # A second tap on a button of a screen already answered reaches here too: ignore it.
    return not run.on_feedback and run.current_id == question.id


def _elapsed_ms(run: Run) -> int | None:
    if run.shown_at is None:
        return None
    return round((time.monotonic() - run.shown_at) * 1000)


def _record(
    run: Run,
    question: Question,
    judgement: Judgement,
    given: str | None,
    response_ms: int | None,
    preferences: LearnerPreferences,
) -> None:
    now = utcnow()
    attempt = NewAttempt(
        id=uuid.uuid4(),
        session_id=_sitting(run, now),
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
    )
    saved = save(attempt, desired_retention=preferences.desired_retention)
    run.last = LastAnswer(attempt, question, judgement, streak_before=run.streak, saved=saved)
    run.streak = next_streak(run.streak, is_correct=judgement.is_correct)
    run.score += judgement.points
    run.answered += 1
    run.correct += judgement.is_correct
    if run.mode == "speed":
        next_question(run)  # no feedback screen against the clock: the verdict shows below
    else:
        run.on_feedback = True


def save(attempt: NewAttempt, *, desired_retention: float) -> bool:
    """The one place the study pages write an answer; True when it is in the database now."""
    return save_answer(attempt, desired_retention=desired_retention).saved


def _sitting(run: Run, now: datetime) -> uuid.UUID | None:
    # The sitting's row is made at the first answer: browsing a page leaves no empty sitting.
    if run.session_id is None:
        try:
            with session() as s:
                run.session_id = start_study_session(s, mode=run.mode, now=now)
        except OperationalError:
            return None  # the database is out of reach: the answer goes to the outbox alone
    return run.session_id


def next_question(run: Run) -> None:
    """Leave the feedback screen for the next question."""
    run.on_feedback = False
    run.current_id = None
    if run.mode != "review":
        run.position += 1


def undo_last(run: Run, preferences: LearnerPreferences) -> None:
    """Remove the last answer and restore its card; the question comes back (not in speed)."""
    last = run.last
    if last is None or not last.saved:
        return
    with session() as s:
        undo_attempt(s, attempt_id=last.attempt.id, desired_retention=preferences.desired_retention)
    judgement = _final_judgement(last)
    run.streak = last.streak_before
    run.score -= judgement.points
    run.answered -= 1
    run.correct -= judgement.is_correct
    run.last = None
    if run.mode != "speed":
        run.on_feedback = False
        run.current_id = last.question.id
        run.shown_at = None
        run.revealed = False


def override_last(run: Run, preferences: LearnerPreferences) -> None:
    """The learner was right after all: rewrite the attempt as accepted and rescore it."""
    last = run.last
    if last is None or not can_override(last):
        return
    right = judge_override(
        mode=run.mode, response_ms=last.attempt.response_ms, streak_before=last.streak_before
    )
    with session() as s:
        override_verdict(
            s,
            attempt_id=last.attempt.id,
            is_correct=True,
            rating=right.rating,
            points=right.points,
            desired_retention=preferences.desired_retention,
        )
    run.score += right.points - last.judgement.points
    run.correct += 1
    run.streak = next_streak(last.streak_before, is_correct=True)
    last.overridden = True


def can_override(last: LastAnswer) -> bool:
    """Whether "I was right" applies: a saved typed answer marked wrong, not yet overridden."""
    return (
        last.saved
        and not last.overridden
        and last.question.type == "typed"
        and not last.judgement.is_correct
        and last.judgement.verdict is not None
    )


def _final_judgement(last: LastAnswer) -> Judgement:
    if not last.overridden:
        return last.judgement
    return judge_override(
        mode=last.attempt.mode,
        response_ms=last.attempt.response_ms,
        streak_before=last.streak_before,
    )


def personal_best(run: Run) -> int:
    """The best speed round before this one."""
    with session() as s:
        return queue.speed_personal_best(s, exclude_session_id=run.session_id)


# Rendering: one question per screen, full-width buttons (big tap targets on a phone).


def render_status(run: Run) -> None:
    """One line above the question: where the learner is, score, answer streak."""
    parts = []
    if run.upcoming is not None:
        parts.append(f"{run.upcoming.due} due, {run.upcoming.new_left} new today")
    elif run.question_ids and run.deadline is None:
        total = len(run.question_ids)
        parts.append(f"Question {min(run.position + 1, total)} of {total}")
    parts.append(f"{run.score:,} points")
    if run.streak >= 2:
        parts.append(f"🔥 {run.streak} in a row")
    st.caption(" · ".join(parts))


def render_question(run: Run, question: Question, preferences: LearnerPreferences) -> None:
    """The prompt and the ways to answer it."""
    st.markdown(f"#### {safe_markdown(question.prompt)}")
    key = f"{run.mode}-{run.answered}-{question.id}"
    if run.mode == "flashcards" or question.type == "flashcard":
        _render_flashcard(run, question, preferences, key)
    elif question.type == "typed":
        with st.form(key=f"typed-{key}", clear_on_submit=True, border=False):
            st.text_input("Your answer", key=f"given-{key}", autocomplete="off")
            st.form_submit_button(
                "Check",
                type="primary",
                width="stretch",
                on_click=_on_typed,
                args=(run, question, preferences, f"given-{key}"),
            )
    else:
        for index, choice in enumerate(shuffled_choices(question, seed=run.seed)):
            st.button(
                safe_markdown(choice),
                key=f"choice-{key}-{index}",
                width="stretch",
                on_click=answer,
                args=(run, question, choice, preferences),
            )


def _on_typed(run: Run, question: Question, preferences: LearnerPreferences, key: str) -> None:
    answer(run, question, st.session_state.get(key, ""), preferences)


def _render_flashcard(
    run: Run, question: Question, preferences: LearnerPreferences, key: str
) -> None:
    if not run.revealed:
        st.button(
            "Show answer",
            key=f"reveal-{key}",
            type="primary",
            width="stretch",
            on_click=_reveal,
            args=(run,),
        )
        return
    st.success(safe_markdown(question.answer))
    if question.explanation:
        st.caption(safe_markdown(question.explanation))
    st.write("How well did you know it?")
    rows = (SELF_GRADES[:2], SELF_GRADES[2:])
    for row in rows:
        for column, (label, rating) in zip(st.columns(2), row, strict=True):
            column.button(
                label,
                key=f"grade-{key}-{rating}",
                width="stretch",
                on_click=self_grade,
                args=(run, question, rating, preferences),
            )


def _reveal(run: Run) -> None:
    run.revealed = True


def render_feedback(run: Run, preferences: LearnerPreferences) -> None:
    """Right or wrong, the correct answer, the explanation, the points; next, undo, override."""
    last = run.last
    assert last is not None
    judgement = _final_judgement(last)
    question = last.question
    if last.overridden:
        st.success("Counted as right.")
    elif judgement.verdict is None:
        st.info(f"Graded {dict((r, n) for n, r in SELF_GRADES)[judgement.rating]}.")
    elif judgement.is_correct:
        fuzzy = judgement.verdict.was_fuzzy
        st.success("Right! (close enough)" if fuzzy else "Right!")
    else:
        st.error(
            f"Not quite. You answered: {safe_markdown(last.attempt.given_answer or '(nothing)')}"
        )
    if judgement.verdict is not None:
        st.markdown(f"**Answer:** {safe_markdown(question.answer)}")
    if question.explanation:
        st.caption(safe_markdown(question.explanation))
    st.markdown(f"**+{judgement.points:,} points**")
    if not last.saved:
        st.caption("Kept on this device until the database answers; it is not lost.")
    st.button(
        "Next question",
        key="next",
        type="primary",
        width="stretch",
        on_click=next_question,
        args=(run,),
    )
    if can_override(last):
        st.button(
            "I was right",
            key="override",
            width="stretch",
            on_click=override_last,
            args=(run, preferences),
        )
    if last.saved:
        st.button(
            "Undo last answer",
            key="undo",
            width="stretch",
            on_click=undo_last,
            args=(run, preferences),
        )


def render_speed_verdict(run: Run, preferences: LearnerPreferences) -> None:
    """The previous answer's verdict, in one line under the next question's choices."""
    last = run.last
    if last is None:
        return
    if last.judgement.is_correct:
        st.success(f"Right! +{last.judgement.points:,}")
    else:
        st.error(f"Wrong: {safe_markdown(last.question.answer)}")
    if last.saved:
        st.button("Undo last answer", key="undo", on_click=undo_last, args=(run, preferences))


def render_summary(run: Run) -> None:
    """The end of a run: answered, right, points; the sitting is closed."""
    finish_run(run)
    st.subheader("Done!" if run.answered else "Nothing to study here right now.")
    upcoming = run.upcoming
    if upcoming is not None and upcoming.next_due_at is not None:
        wait = max(upcoming.next_due_at - utcnow(), timedelta(0))
        st.caption(f"All caught up: the next card comes due in {_duration(wait)}.")
    if run.answered:
        columns = st.columns(3)
        columns[0].metric("Answered", run.answered)
        columns[1].metric("Right", run.correct)
        columns[2].metric("Points", f"{run.score:,}")
    st.button(
        "Study again",
        key="again",
        type="primary",
        width="stretch",
        on_click=discard_run,
        args=(run.mode,),
    )


def _duration(wait: timedelta) -> str:
    minutes = round(wait.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} h"
    return f"{round(minutes / 1440)} days"


def setup_form(
    mode: str, bank: QuestionBank, *, types: tuple[str, ...] | None, lengths: tuple[int, ...]
) -> list[str] | None:
    """Deck, topic and length pickers with a Start button; the drawn question ids once pressed."""
    decks = st.multiselect("Decks", list(bank.decks), default=list(bank.decks), key=f"{mode}-decks")
    topics = sorted({t for deck in decks for t in bank.topics(deck)})
    chosen_topics = st.multiselect(
        "Topics (none chosen: all)", topics, key=f"{mode}-topics", placeholder="All topics"
    )
    length = (
        st.segmented_control("Questions", lengths, default=lengths[0], key=f"{mode}-length")
        if lengths
        else None
    )
    pool = bank.select(decks=decks, topics=chosen_topics or None, types=types)
    st.caption(f"{len(pool)} questions to draw from.")
    if not st.button(
        "Start", type="primary", width="stretch", disabled=not pool, key=f"{mode}-start"
    ):
        return None
    return [q.id for q in draw(pool, length=length, seed=uuid.uuid4().hex)]


def practice(
    mode: str,
    bank: QuestionBank,
    preferences: LearnerPreferences,
    *,
    types: tuple[str, ...] | None,
    lengths: tuple[int, ...],
) -> None:
    """A practice page's body: the setup form until a run starts, then the run."""
    run = get_run(mode)
    if run is not None:
        play(run, bank.by_id, preferences)
        return
    chosen = setup_form(mode, bank, types=types, lengths=lengths)
    if chosen:
        start_run(mode, chosen)
        st.rerun()


def play(run: Run, bank: dict[str, Question], preferences: LearnerPreferences) -> None:
    """Render the run's current screen: a question, its feedback, or the summary."""
    if run.on_feedback:
        render_status(run)
        render_feedback(run, preferences)
        return
    question = current_question(run, bank, preferences)
    if question is None:
        render_summary(run)
        return
    render_status(run)
    render_question(run, question, preferences)


def play_speed_round(run: Run, bank: dict[str, Question], preferences: LearnerPreferences) -> None:
    """Render a speed round: the live clock and a question, or the result once time is up."""
    question = None if run.time_up(utcnow()) else current_question(run, bank, preferences)
    if question is None:
        render_speed_result(run)
        return
    _countdown(run)
    render_status(run)
    render_question(run, question, preferences)
    # Below the choices, so a quick tap meant for an answer cannot land on Undo.
    render_speed_verdict(run, preferences)


@st.fragment(run_every=1)
def _countdown(run: Run) -> None:
    # Only this fragment reruns every second; at zero the whole page reruns to the result.
    left = run.seconds_left(utcnow())
    st.progress(left / (run.seconds or 1), text=f"⏱️ {math.ceil(left)} s left")
    if left <= 0:
        st.rerun()


def render_speed_result(run: Run) -> None:
    """The round's score, and the personal best it beat or did not."""
    finish_run(run)
    best = personal_best(run)
    st.subheader(f"{run.score:,} points")
    st.write(f"{run.correct} right of {run.answered} answered.")
    if run.answered and run.score > best:
        st.success("New personal best!" if best else "Your first personal best!")
    else:
        st.caption(f"Personal best: {best:,} points.")
    st.button(
        "Play again",
        key="again",
        type="primary",
        width="stretch",
        on_click=discard_run,
        args=(run.mode,),
    )
