"""What a tap does to a run: grade and save an answer, undo it, override its verdict.

One transaction per answer: `save()` is the only write of an answer (straight to
Postgres, or to the outbox while it is out of reach).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from sqlalchemy.exc import OperationalError

from studygame.domain.attempt import NewAttempt
from studygame.domain.celebration import AnswerMoment, celebrations
from studygame.domain.judging import Judgement, judge_answer, judge_override, judge_self_graded
from studygame.domain.questions import Question
from studygame.domain.scheduling import intervals_by_rating
from studygame.domain.scoring import next_streak
from studygame.services.learner import LearnerPreferences
from studygame.services.schedule import UNSCHEDULED_MODES, load_card
from studygame.services.study import override_verdict, start_study_session, undo_attempt
from studygame.ui.answers import save_answer
from studygame.ui.engine import session
from studygame.ui.run_state import LastAnswer, Run, next_question, utcnow


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
    """Save a flashcard the learner graded themselves, and go straight on to the next card."""
    if not _is_on_screen(run, question):
        return
    _record(run, question, judge_self_graded(rating), None, _elapsed_ms(run), preferences)


def reveal(run: Run, preferences: LearnerPreferences) -> None:
    """Turn the flashcard over, with the interval each grade would give its card."""
    run.revealed = True
    if run.mode in UNSCHEDULED_MODES or run.current_id is None:
        return
    try:
        with session() as s:
            card = load_card(s, question_id=run.current_id, for_update=False)
    except OperationalError:
        return  # the buttons go without their intervals; grading still works
    run.intervals = intervals_by_rating(
        card, now=utcnow(), desired_retention=preferences.desired_retention
    )


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
    # Against the clock, and for a self-graded card, there is no feedback screen to read.
    moves_on = run.mode == "speed" or judgement.verdict is None
    run.last = LastAnswer(
        attempt, question, judgement, streak_before=run.streak, saved=saved, moved_on=moves_on
    )
    run.streak = next_streak(run.streak, is_correct=judgement.is_correct)
    run.best_streak = max(run.best_streak, run.streak)
    run.score += judgement.points
    run.answered += 1
    run.correct += judgement.is_correct
    if not judgement.is_correct:
        run.missed.append(question.id)
    _celebrate(run, judgement)
    if moves_on:
        next_question(run)
    else:
        run.on_feedback = True


def _celebrate(run: Run, judgement: Judgement) -> None:
    moment = AnswerMoment(
        is_correct=judgement.is_correct,
        streak=run.streak,
        answered_today=run.answered_today_before + run.answered,
        daily_goal=run.daily_goal,
        score=run.score,
        points=judgement.points,
        best_before=run.best_before,
    )
    found = celebrations(moment, already=frozenset(run.celebrated))
    run.celebrated.update(found)
    run.to_celebrate = found


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


def undo_last(run: Run, preferences: LearnerPreferences) -> None:
    """Remove the last answer and restore its card; the question comes back (not in speed)."""
    last = run.last
    if last is None or not last.saved:
        return
    with session() as s:
        undo_attempt(s, attempt_id=last.attempt.id, desired_retention=preferences.desired_retention)
    judgement = final_judgement(last)
    run.streak = last.streak_before
    run.score -= judgement.points
    run.answered -= 1
    run.correct -= judgement.is_correct
    if not judgement.is_correct and run.missed and run.missed[-1] == last.question.id:
        run.missed.pop()
    run.last = None
    if run.mode != "speed":
        if last.moved_on and run.mode != "review":
            run.position -= 1  # the run had gone on: step back to the card undone
        run.on_feedback = False
        run.current_id = last.question.id
        run.shown_at = None
        run.revealed = False
        run.intervals = None


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
    run.best_streak = max(run.best_streak, run.streak)
    if run.missed and run.missed[-1] == last.question.id:
        run.missed.pop()
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


def final_judgement(last: LastAnswer) -> Judgement:
    """The answer's judgement as it stands now: overridden answers count as right."""
    if not last.overridden:
        return last.judgement
    return judge_override(
        mode=last.attempt.mode,
        response_ms=last.attempt.response_ms,
        streak_before=last.streak_before,
    )
