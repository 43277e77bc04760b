"""The end of a round: points, accuracy, best streak, time, XP, the daily goal, a new best,
and the questions missed, with "Practice these" to cram exactly those.
"""

from __future__ import annotations

import math
from datetime import timedelta

import streamlit as st

from studygame.domain.celebration import is_new_best
from studygame.domain.markup import safe_markdown
from studygame.domain.questions import Question
from studygame.domain.run import Run
from studygame.ui.feedback import celebrate
from studygame.ui.question_widgets import short_duration
from studygame.ui.run_state import discard_run, finish_run, start_cram, utcnow


def clock(seconds: float) -> str:
    """A duration as m:ss."""
    minutes, rest = divmod(math.floor(seconds), 60)
    return f"{minutes}:{rest:02d}"


def missed_questions(run: Run, bank: dict[str, Question]) -> list[Question]:
    """The questions answered wrong in this run, once each, in the order they were missed."""
    return [bank[qid] for qid in dict.fromkeys(run.missed) if qid in bank]


def render_summary(run: Run, bank: dict[str, Question]) -> None:
    """The round's summary; the sitting is closed."""
    run = finish_run(run)
    celebrate(run)  # the round's last answer may be the one that reached the goal
    if run.mode.is_timed:
        st.subheader(f"{run.score:,} points")
    else:
        st.subheader("Done!" if run.answered else "Nothing to study here right now.")
    upcoming = run.queue
    if upcoming is not None and upcoming.next_due_at is not None:
        wait = max(upcoming.next_due_at - utcnow(), timedelta(0))
        st.caption(f"All caught up: the next card comes due in {short_duration(wait)}.")
    if run.answered:
        _render_figures(run)
        _render_missed(run, bank)
    st.button(
        "Play again" if run.mode.is_timed else "Study again",
        key="again",
        type="primary",
        width="stretch",
        shortcut="Enter",
        on_click=discard_run,
        args=(run.mode,),
    )


def _render_figures(run: Run) -> None:
    # A horizontal container keeps the figures side by side on a phone (columns would stack).
    with st.container(horizontal=True, key="summary-figures"):
        st.metric("Points", f"{run.score:,}", border=True)
        st.metric("Accuracy", f"{round(100 * run.correct / run.answered)} %", border=True)
        st.metric("Best streak", run.best_streak, border=True)
        st.metric("Time", clock(run.elapsed_s(utcnow())), border=True)
    st.write(f"{run.correct} right of {run.answered} answered · +{run.score:,} XP added.")
    plan = run.plan
    if plan.daily_goal:
        today = plan.answered_today_before + run.answered
        st.progress(
            min(today / plan.daily_goal, 1.0),
            text=f"Daily goal: {today} of {plan.daily_goal} answers",
        )
    if is_new_best(score=run.score, best_before=plan.best_before):
        st.success("New personal best!" if plan.best_before else "Your first personal best!")
    else:
        st.caption(f"Personal best: {plan.best_before:,} points.")


def _render_missed(run: Run, bank: dict[str, Question]) -> None:
    missed = missed_questions(run, bank)
    if not missed:
        st.success("No mistakes this round.")
        return
    st.markdown(f"**Missed ({len(missed)})**")
    for question in missed:
        st.markdown(f"- {safe_markdown(question.prompt)}  \n  **{safe_markdown(question.answer)}**")
    if st.button("Practice these", key="practice-missed", icon="📚", width="stretch"):
        start_cram([q.id for q in missed])
