"""What a tap does: the run model's transition, then the write it asks for.

Each handler is a button callback that gets the mode and the number of the screen the
button was drawn on. It looks up the run as it is now, applies the pure transition
(domain/run.py), saves the answer the transition made (one transaction, or the outbox
while the database is out of reach), and keeps the new run. A tap for a screen that is
gone (a double tap, a page that had not caught up) changes nothing.
"""

from __future__ import annotations

import uuid

import streamlit as st

from studygame.domain import run as model
from studygame.domain.modes import Mode
from studygame.domain.questions import Question
from studygame.domain.rating import Rating
from studygame.domain.run import Run, Step
from studygame.domain.scheduling import intervals_by_rating
from studygame.services.learner import LearnerPreferences
from studygame.services.schedule import load_card
from studygame.services.study import override_verdict, undo_attempt
from studygame.ui.engine import DATABASE_ERRORS, session
from studygame.ui.outbox import save_answer
from studygame.ui.run_state import get_run, put_run, utcnow


def answer(
    mode: Mode, question: Question, given: str, screen: int, preferences: LearnerPreferences
) -> None:
    """Grade and save an auto-graded answer, then show its feedback (speed: the next question)."""
    run = get_run(mode)
    if run is None:
        return
    step = model.answer(run, question, given, screen=screen, now=utcnow(), attempt_id=uuid.uuid4())
    _keep(run, step, preferences)


def self_grade(
    mode: Mode, question: Question, rating: Rating, screen: int, preferences: LearnerPreferences
) -> None:
    """Save a flashcard the learner graded themselves, and go straight on to the next card."""
    run = get_run(mode)
    if run is None:
        return
    step = model.self_grade(
        run, question, rating, screen=screen, now=utcnow(), attempt_id=uuid.uuid4()
    )
    _keep(run, step, preferences)


def _keep(before: Run, step: Step, preferences: LearnerPreferences) -> None:
    if step.attempt is None:
        return  # not an answer: a stale or repeated tap
    outcome = save_answer(step.attempt, desired_retention=preferences.desired_retention)
    if outcome.answered_elsewhere:
        put_run(model.answered_elsewhere(before))
    elif outcome.rejected:
        put_run(before)  # not recorded: the question stays, the error says why
    else:
        put_run(model.saved(step.run, is_saved=outcome.saved))


def reveal(mode: Mode, screen: int, preferences: LearnerPreferences) -> None:
    """Turn the flashcard over, with the interval each grade would give its card."""
    run = get_run(mode)
    if run is None:
        return
    turned = model.reveal(run, screen=screen)
    if turned is run:
        return
    if run.mode.moves_schedule and run.current_id is not None:
        try:
            with session() as s:
                card = load_card(s, question_id=run.current_id, for_update=False)
            intervals = intervals_by_rating(
                card, now=utcnow(), desired_retention=preferences.desired_retention
            )
            turned = model.with_intervals(turned, intervals)
        except DATABASE_ERRORS:
            pass  # the buttons go without their intervals; grading still works
    put_run(turned)


def next_question(mode: Mode, screen: int) -> None:
    """Leave the feedback screen for the next question (once, however often Next is tapped)."""
    run = get_run(mode)
    if run is not None:
        put_run(model.next_question(run, screen=screen))


def undo_last(mode: Mode, preferences: LearnerPreferences) -> None:
    """Remove the last answer and restore its card; the question comes back (not in speed)."""
    run = get_run(mode)
    if run is None or run.last is None or not run.last.saved:
        return
    try:
        with session() as s:
            undo_attempt(
                s,
                attempt_id=run.last.attempt.id,
                desired_retention=preferences.desired_retention,
            )
    except DATABASE_ERRORS:
        st.toast("The database is out of reach: the answer stays for now.", icon="⏳")
        return
    put_run(model.undone(run, now=utcnow()))


def override_last(mode: Mode, preferences: LearnerPreferences) -> None:
    """The learner was right after all: rewrite the attempt as accepted and rescore it."""
    run = get_run(mode)
    right = None if run is None else model.override_judgement(run)
    if right is None:
        return
    try:
        with session() as s:
            override_verdict(
                s,
                attempt_id=run.last.attempt.id,
                is_correct=True,
                rating=right.rating,
                points=right.points,
                desired_retention=preferences.desired_retention,
            )
    except DATABASE_ERRORS:
        st.toast("The database is out of reach: try again in a moment.", icon="⏳")
        return
    put_run(model.overridden(run, right))
