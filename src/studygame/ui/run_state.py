"""Where a study run lives between taps: this browser session, backed by its sitting.

The run itself (its state and what each tap does) is the pure model in domain/run.py.
This module keeps the current run of each mode in `st.session_state`, and when a page has
none (a reload, Back/Forward, a new tab, a server restart) it picks up the mode's open
sitting from the database: the plan stored when the run started and the answers recorded
since. Every database read here is bounded, and a page goes on without it.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import streamlit as st

from studygame.domain import run as model
from studygame.domain.celebration import DAILY_GOAL, PERSONAL_BEST
from studygame.domain.modes import Mode
from studygame.domain.questions import Question
from studygame.domain.run import Plan, QueueView, Run
from studygame.domain.selection import interleave_decks
from studygame.services import queue
from studygame.services.content import QuestionBank
from studygame.services.learner import LearnerPreferences, get_learner_settings
from studygame.services.sittings import end_study_session, open_sitting, start_sitting
from studygame.ui.auth import is_unlocked
from studygame.ui.engine import DATABASE_ERRORS, session
from studygame.ui.errors import database_sentence
from studygame.ui.outbox import flush_answers
from studygame.ui.settings import app_settings

PREFERENCES_KEY = "study_preferences"
CRAM_PAGE = "pages/5_Cram.py"


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def _key(mode: Mode) -> str:
    return f"study_run:{mode}"


def _looked_key(mode: Mode) -> str:
    return f"study_run_looked:{mode}"


def _closed_key(mode: Mode) -> str:
    return f"study_run_closed:{mode}"


def get_run(mode: Mode) -> Run | None:
    """The run in progress in this mode: this session's, else the open sitting's, if any."""
    run = st.session_state.get(_key(mode))
    # A browser session looks for an open sitting once per mode: the setup form reruns on
    # every pick, and a round started or left in this session is in its state already.
    if run is None and not st.session_state.get(_looked_key(mode)):
        run = _resumed(mode)
        st.session_state[_looked_key(mode)] = True
        if run is not None:
            st.session_state[_key(mode)] = run
    return run


def put_run(run: Run) -> None:
    """Keep the run as it is now for the next screen."""
    st.session_state[_key(run.mode)] = run


def _resumed(mode: Mode) -> Run | None:
    try:
        with session() as s:
            found = open_sitting(s, mode=mode, now=utcnow())
    except DATABASE_ERRORS:
        return None  # out of reach: the page starts afresh; the answers are safe anyway
    if found is None or found[0].session_id == st.session_state.get(_closed_key(mode)):
        return None
    plan, answers = found
    return model.resume(plan, answers)


def start_run(
    mode: Mode,
    question_ids: list[str],
    *,
    preferences: LearnerPreferences,
    seconds: int | None = None,
) -> Run:
    """Begin a run over these questions (Review: none, it follows the queue)."""
    now = utcnow()
    plan = Plan(
        mode=mode,
        session_id=uuid.uuid4(),
        started_at=now,
        question_ids=tuple(question_ids),
        deadline=None if seconds is None else now + timedelta(seconds=seconds),
        seconds=seconds,
        daily_goal=preferences.daily_goal,
    )
    celebrated: frozenset[str] = frozenset()
    try:
        with session() as s:
            plan = replace(
                plan,
                answered_today_before=queue.answers_today(
                    s, now=now, timezone=preferences.timezone
                ),
                best_before=queue.personal_best(s, scope=plan.best_scope),
            )
            if not mode.follows_queue:
                # Review's sitting is made by its first answer: browsing leaves no empty one.
                start_sitting(s, plan=plan)
    except DATABASE_ERRORS:
        # Out of reach: nothing is celebrated this run rather than celebrated wrongly.
        celebrated = frozenset({DAILY_GOAL, PERSONAL_BEST})
    run = replace(model.start(plan), celebrated=celebrated)
    put_run(run)
    return run


def finish_run(run: Run) -> Run:
    """Close the run's sitting (its totals are stored) once; returns the run as ended."""
    run = model.ended(run, utcnow())
    put_run(run)
    if st.session_state.get(_closed_key(run.mode)) == run.plan.session_id:
        return run
    # The sitting's totals count its answers: close it once none waits in the outbox.
    if flush_answers():
        return run
    try:
        with session() as s:
            end_study_session(s, session_id=run.plan.session_id, now=utcnow())
    except DATABASE_ERRORS:
        return run  # the database is out of reach: the next rerun closes it
    st.session_state[_closed_key(run.mode)] = run.plan.session_id
    return run


def discard_run(mode: Mode) -> None:
    """Close and forget this mode's run, back to its start screen."""
    run = st.session_state.pop(_key(mode), None)
    if run is not None:
        finish_run(run)
        st.session_state.pop(_key(mode), None)
        # Not picked up again, even if its sitting could not be closed yet.
        st.session_state[_closed_key(mode)] = run.plan.session_id


def start_cram(question_ids: list[str]) -> None:
    """Open the Cram page on these questions (the Cram page reads `cram_question_ids`)."""
    st.session_state["cram_question_ids"] = list(question_ids)
    st.switch_page(CRAM_PAGE)


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

    While the database is out of reach: the last ones this session read, else the
    defaults. Studying goes on and the answers wait in the outbox.
    """
    try:
        with session() as s:
            preferences = get_learner_settings(s)
    except DATABASE_ERRORS as exc:
        settings = app_settings()
        sentence = database_sentence(exc, settings, unlocked=is_unlocked(settings))
        st.warning(f"{sentence} Studying goes on: your answers wait until it is back.", icon="⏳")
        return st.session_state.get(PREFERENCES_KEY) or LearnerPreferences()
    st.session_state[PREFERENCES_KEY] = preferences
    return preferences


def current_question(
    run: Run, bank: dict[str, Question], preferences: LearnerPreferences
) -> tuple[Run, Question | None]:
    """The question on screen now (None when the run has nothing left to ask), and the run."""
    if run.current_id is None:
        if run.mode.follows_queue:
            run = _next_from_queue(run, bank, preferences)
        else:
            position, question_id = run.planned_next(bank)
            run = model.show(run, question_id, now=utcnow(), position=position)
        put_run(run)
    if run.current_id is None or run.current_id not in bank:
        return run, None
    return run, bank[run.current_id]


def _next_from_queue(run: Run, bank: dict[str, Question], preferences) -> Run:
    # A database out of reach raises: "nothing due" would be a false summary (ui/study.py).
    with session() as s:
        candidates = run.new_candidates
        if candidates is None:
            # New cards take turns across decks, not one deck's cards in a row.
            candidates = tuple(
                queue.new_card_candidates(
                    s,
                    question_ids=[q.id for q in interleave_decks(bank.values())],
                    limit=preferences.new_cards_per_day,
                )
            )
        upcoming = queue.next_review_card(
            s,
            question_ids=list(bank),
            now=utcnow(),
            timezone=preferences.timezone,
            new_cards_per_day=preferences.new_cards_per_day,
            candidates=candidates,
        )
    view = QueueView(upcoming.due, upcoming.new_left, upcoming.next_due_at)
    run = replace(run, new_candidates=candidates, queue=view)
    return model.show(run, upcoming.question_id, now=utcnow())
