"""What the learner sees after an answer: the question again, their choice and the right one in
colour, the points, the celebrations; or, where the run goes straight on, one line about it.
"""

from __future__ import annotations

import streamlit as st

from studygame.domain.celebration import DAILY_GOAL, PERSONAL_BEST, STREAK
from studygame.domain.markup import safe_markdown
from studygame.domain.run import LastAnswer, Run, celebrated
from studygame.domain.selection import shuffled_choices
from studygame.domain.wording import counted
from studygame.services.learner import LearnerPreferences
from studygame.ui.answering import next_question, override_last, undo_last
from studygame.ui.question_widgets import render_explanation, render_prompt
from studygame.ui.run_state import put_run


def celebrate(run: Run, *, streak: bool = True) -> None:
    """Show the last answer's celebrations and the run's notice, once each.

    A toast for a streak (unless `streak` is False), balloons for the goal and a best; the
    notice (a card answered in another tab) as a line above the next screen.
    """
    cleared, found, notice = celebrated(run)
    if found or notice:
        put_run(cleared)
    if notice:
        st.info(notice, icon="↪️")
    if streak and STREAK in found:
        st.toast(f"{run.streak} in a row!", icon="🔥")
    if DAILY_GOAL in found:
        goal = run.plan.daily_goal
        st.toast(f"Daily goal reached: {counted(goal, 'answer')} today.", icon="🎯")
    if PERSONAL_BEST in found:
        scope = run.plan.best_scope.describe()
        st.toast(f"New personal best for {scope}: {run.score:,} points!", icon="🏆")
    if DAILY_GOAL in found or PERSONAL_BEST in found:
        st.balloons()


def choice_state(last: LastAnswer, choice: str) -> str:
    """How the feedback colours a choice: "right" (green), "wrong" (the learner's, red), "other"."""
    if choice == last.question.answer:
        return "right"
    if choice == last.attempt.given_answer:
        return "wrong"
    return "other"


def render_feedback(run: Run, preferences: LearnerPreferences) -> None:
    """The question with the verdict, the right answer, the explanation, the points; next, undo."""
    last = run.last
    assert last is not None
    celebrate(run)
    judgement = last.final
    question = last.question
    render_prompt(question)
    if question.type in ("mcq", "truefalse") and not last.overridden:
        # The choices again, disabled, the learner's in red and the right one in green.
        for index, choice in enumerate(shuffled_choices(question, seed=run.plan.seed)):
            state = choice_state(last, choice)
            mark = {"right": "✓ ", "wrong": "✗ "}.get(state, "")
            st.button(
                f"{mark}{safe_markdown(choice)}",
                key=f"fb-{state}-{index}",
                width="stretch",
                disabled=True,
            )
    points = f"+{judgement.points:,} points"
    if last.overridden:
        st.success(f"Counted as right. {points}")
    elif judgement.is_correct:
        fuzzy = judgement.verdict is not None and judgement.verdict.was_fuzzy
        st.success(f"{'Right! (close enough)' if fuzzy else 'Right!'} {points}")
    else:
        given = safe_markdown(last.attempt.given_answer or "(nothing)")
        st.error(f"Not quite. You answered: {given} · {points}")
    if question.type == "typed" or last.overridden:
        st.markdown(f"**Answer:** {safe_markdown(question.answer)}")
    # Next (and its companions) right under the verdict, before the explanation: after any
    # answer it is on screen without scrolling, on a phone and at 1280x800 (issue 23, item 1).
    _render_actions(run, last, preferences)
    render_explanation(question)
    if not last.saved:
        st.caption("Kept on this device until the database answers; it is not lost.")


def _render_actions(run: Run, last: LastAnswer, preferences: LearnerPreferences) -> None:
    # One row: Next takes what room is left beside the two small ones, so a phone spends a
    # single row of its height on all three.
    with st.container(horizontal=True, gap="small", key="feedback-actions"):
        st.button(
            "Next question",
            key="next",
            type="primary",
            width="stretch",
            shortcut="Enter",
            on_click=next_question,
            args=(run.mode, run.screen),
        )
        if last.can_override:
            st.button(
                "I was right",
                key="override",
                shortcut="Y",
                on_click=override_last,
                args=(run.mode, preferences),
            )
        if last.saved:
            st.button(
                "Undo",
                key="undo",
                shortcut="U",
                on_click=undo_last,
                args=(run.mode, preferences),
            )


def previous_text(last: LastAnswer) -> str:
    """The line about the answer before this question, naming the question it judged."""
    judgement = last.final
    asked = f"“{safe_markdown(last.question.prompt)}”"
    if judgement.verdict is None:
        return f"Last card {asked}: {judgement.rating.label}, +{judgement.points:,}"
    if judgement.is_correct:
        return f"Last question {asked}: right, +{judgement.points:,}"
    return f"Last question {asked}: wrong, the answer is {safe_markdown(last.question.answer)}"


def render_previous(run: Run, preferences: LearnerPreferences) -> None:
    """Under the next question (speed round, flashcards): the last verdict, and its Undo."""
    last = run.last
    if last is None or not last.moved_on:
        return
    text = previous_text(last)
    judgement = last.final
    if judgement.verdict is None or judgement.is_correct:
        st.success(text, icon="✅" if judgement.verdict is not None else "🃏")
    else:
        st.error(text, icon="❌")
    if last.saved:
        st.button("Undo last answer", key="undo", on_click=undo_last, args=(run.mode, preferences))
