"""The study pages' body: the setup form, then the run, one screen at a time, in a fragment.

The question/feedback/next cycle runs in `st.fragment`: a tap reruns only the study area,
not the page's set-up (settings, the PIN gate, the bank lookup, the learner's settings,
the sidebar), which the page ran once when it loaded. The run's rules are the model in
domain/run.py; ui/run_state.py keeps it (and resumes it after a reload), ui/answering.py
applies the taps; what each screen draws is in ui/question_widgets.py, ui/feedback.py and
ui/summary.py.
"""

from __future__ import annotations

import math
import uuid

import streamlit as st

from studygame.domain.modes import Mode
from studygame.domain.questions import Question
from studygame.domain.run import Run
from studygame.domain.selection import draw
from studygame.services.content import QuestionBank
from studygame.services.learner import LearnerPreferences
from studygame.ui.engine import DATABASE_ERRORS
from studygame.ui.feedback import celebrate, render_feedback, render_previous
from studygame.ui.question_widgets import render_question, render_status
from studygame.ui.run_state import current_question, get_run, start_run, utcnow
from studygame.ui.styles import guard_taps
from studygame.ui.summary import render_summary

AUTO_GRADED = ("mcq", "truefalse", "typed")
NO_NEXT_CARD = (
    "The database is out of reach, so the next card cannot be chosen yet. "
    "Your answers so far are safe."
)
# Against the clock, only questions answered with one tap: typing on a phone is too slow.
TAPPABLE = ("mcq", "truefalse")


def setup_form(
    mode: Mode,
    bank: QuestionBank,
    preferences: LearnerPreferences,
    *,
    types: tuple[str, ...] | None,
    lengths: tuple[int, ...],
    seconds: int | None = None,
) -> None:
    """Deck, topic and length pickers with a Start button that draws the questions and starts."""
    decks = st.multiselect("Decks", list(bank.decks), default=list(bank.decks), key=f"{mode}-decks")
    topics = sorted({t for deck in decks for t in bank.topics(deck)})
    st.multiselect(
        "Topics (none chosen: all)", topics, key=f"{mode}-topics", placeholder="All topics"
    )
    if lengths:
        # A radio group, not a segmented control: Tab and Shift+Tab land on the chosen length
        # (the segmented control's buttons each take a tab stop, from "50" backwards).
        st.radio("Questions", lengths, horizontal=True, key=f"{mode}-length")
    pool = _pool(mode, bank, types)
    st.caption(f"{len(pool)} questions to draw from.")
    # A callback, so the run exists before the study area draws again (no second rerun).
    st.button(
        "Start",
        type="primary",
        width="stretch",
        disabled=not pool,
        key=f"{mode}-start",
        shortcut="Enter",
        on_click=_start_drawn,
        args=(mode, bank, types, preferences, seconds),
    )


def _pool(mode: str, bank: QuestionBank, types: tuple[str, ...] | None) -> list:
    # Read from the widgets' state, so the callback sees the choices made in the same run.
    decks = st.session_state.get(f"{mode}-decks", list(bank.decks))
    topics = st.session_state.get(f"{mode}-topics") or None
    return bank.select(decks=decks, topics=topics, types=types)


def _start_drawn(
    mode: Mode,
    bank: QuestionBank,
    types: tuple[str, ...] | None,
    preferences: LearnerPreferences,
    seconds: int | None,
) -> None:
    ids = [q.id for q in _pool(mode, bank, types)]
    length = st.session_state.get(f"{mode}-length")
    drawn = draw(ids, length=length, seed=uuid.uuid4().hex)
    start_run(mode, drawn, preferences=preferences, seconds=seconds)


def practice(
    mode: Mode,
    bank: QuestionBank,
    preferences: LearnerPreferences,
    *,
    types: tuple[str, ...] | None,
    lengths: tuple[int, ...],
) -> None:
    """A practice page's body: the setup form until a run starts, then the run."""
    _practice_area(mode, bank, preferences, types=types, lengths=lengths)


@st.fragment
def _practice_area(
    mode: Mode,
    bank: QuestionBank,
    preferences: LearnerPreferences,
    *,
    types: tuple[str, ...] | None,
    lengths: tuple[int, ...],
) -> None:
    # The run is looked up on every fragment rerun: Start and "Study again" replace it.
    run = get_run(mode)
    if run is not None:
        play(run, bank.by_id, preferences)
        return
    setup_form(mode, bank, preferences, types=types, lengths=lengths)


def review(bank: QuestionBank, preferences: LearnerPreferences) -> None:
    """The Review page's body: the queue's next card, one after the other."""
    _review_area(bank, preferences)


@st.fragment
def _review_area(bank: QuestionBank, preferences: LearnerPreferences) -> None:
    run = get_run(Mode.REVIEW) or start_run(Mode.REVIEW, [], preferences=preferences)
    play(run, bank.by_id, preferences)


def play(run: Run, bank: dict[str, Question], preferences: LearnerPreferences) -> None:
    """Render the run's current screen: a question, its feedback, or the summary."""
    if run.on_feedback:
        guard_taps(run.screen)
        render_status(run)
        render_feedback(run, preferences)
        return
    try:
        run, question = current_question(run, bank, preferences)
    except DATABASE_ERRORS:
        # Review asks the database for its next card: without it, say so and offer a retry.
        st.warning(NO_NEXT_CARD, icon="⏳")
        st.button("Try again", key="retry-next", type="primary", width="stretch")
        return
    if question is None:
        render_summary(run, bank)
        return
    guard_taps(run.screen)
    celebrate(run)
    render_status(run)
    render_question(run, question, preferences)
    render_previous(run, preferences)


def speed_round(bank: QuestionBank, preferences: LearnerPreferences) -> None:
    """The Speed round page's body: the setup, the round against the clock, the result."""
    _speed_area(bank, preferences)


@st.fragment
def _speed_area(bank: QuestionBank, preferences: LearnerPreferences) -> None:
    run = get_run(Mode.SPEED)
    if run is None:
        st.write(
            f"{preferences.speed_round_seconds} seconds: 10 s a question scores most when fast."
        )
        seconds = preferences.speed_round_seconds
        setup_form(Mode.SPEED, bank, preferences, types=TAPPABLE, lengths=(), seconds=seconds)
        return
    question = None
    if not run.time_up(utcnow()):
        run, question = current_question(run, bank.by_id, preferences)
    if question is None:
        render_summary(run, bank.by_id)
        return
    _speed_screen(bank, preferences)


# The clock ticks by rerunning the whole screen, not a fragment of its own inside it. Streamlit
# clears what a fragment's run no longer draws only when that run ends as the last one queued:
# when another fragment's run (the clock's tick) starts before the answer's run has reached the
# browser, the answer's run is reported as stopped early, and whatever the screen before drew
# beyond the new one (its "Last question" line, its buttons) stayed (issue 23, item 9). A tick
# and a tap now rerun this same fragment, and each run draws the whole screen.
@st.fragment(run_every=1)
def _speed_screen(bank: QuestionBank, preferences: LearnerPreferences) -> None:
    run = get_run(Mode.SPEED)
    question = None
    if run is not None and not run.time_up(utcnow()):
        run, question = current_question(run, bank.by_id, preferences)
    if question is None:
        st.rerun()  # the bell, or nothing left to ask: the study area draws the result
    guard_taps(run.screen)
    celebrate(run)
    left = run.seconds_left(utcnow())
    st.progress(left / (run.plan.seconds or 1), text=f"⏱️ {math.ceil(left)} s left")
    render_status(run)
    render_question(run, question, preferences)
    # Below the choices, so a quick tap meant for an answer cannot land on Undo.
    render_previous(run, preferences)
