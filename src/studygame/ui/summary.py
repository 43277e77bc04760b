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
from studygame.ui.run_state import CRAM_PAGE, discard_run, finish_run, start_cram, utcnow


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
    # Not the streak: its toast would cover the figures on a phone (issue 23, item 7).
    celebrate(run, streak=False)  # the last answer may be the one that reached the goal
    caught_up = run.mode.follows_queue and run.queue is not None
    if run.mode.is_timed:
        st.subheader(f"{run.score:,} points")
    elif caught_up:
        st.subheader("All caught up!")
    else:
        st.subheader("Done!" if run.answered else "Nothing to study here right now.")
    if caught_up and run.queue.next_due_at is not None:
        wait = max(run.queue.next_due_at - utcnow(), timedelta(0))
        st.caption(f"The next card comes due in {short_duration(wait)}.")
    if run.answered:
        _render_figures(run)
        _render_missed(run, bank)
    if caught_up:
        # Review again would find nothing until the next card is due: practice meanwhile.
        if st.button(
            "Cram instead",
            key="cram-instead",
            type="primary",
            icon="📚",
            width="stretch",
            shortcut="Enter",
        ):
            discard_run(run.mode)
            st.switch_page(CRAM_PAGE)
        return
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
    scope = plan.best_scope.describe()
    if is_new_best(score=run.score, best_before=plan.best_before):
        new = "New personal best" if plan.best_before else "Your first personal best"
        st.success(f"{new} for {scope}!")
    else:
        st.caption(f"Personal best for {scope}: {plan.best_before:,} points.")


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
