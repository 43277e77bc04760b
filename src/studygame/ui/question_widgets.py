"""A question on screen: the run's progress line, the prompt, and the ways to answer it.

One question per screen, full-width buttons (big tap targets on a phone), and Streamlit's
own keyboard shortcuts (`st.button(shortcut=...)`): 1-4 pick a choice, T/F answer a
true/false, Enter submits a typed answer, Space turns a card, 1-4 grade it (Anki's keys).
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from studygame.domain.card_drafts import MEDIA_PREFIX
from studygame.domain.markup import safe_markdown
from studygame.domain.modes import Mode
from studygame.domain.questions import Question
from studygame.domain.rating import Rating
from studygame.domain.run import Run
from studygame.domain.selection import shuffled_choices
from studygame.services.card_media import stored_image
from studygame.services.learner import LearnerPreferences
from studygame.ui.answering import answer, reveal, self_grade
from studygame.ui.engine import DATABASE_ERRORS, session

TRUE_FALSE_KEYS = {"True": "T", "False": "F"}
# In the typed field until the learner types: in place of Streamlit's "Press Enter to submit form".
TYPED_HINT = "Type your answer, then Check"
# Puts the cursor in a typed question's field as soon as it is drawn (issue 16, 8a); on a
# phone it also keeps the keyboard up where the browser lets a script do so.
FOCUS_TYPED = """
<script>
(() => {
  const doc = window.frameElement ? window.parent.document : document;
  let tries = 0;
  const focus = () => {
    const field = doc.querySelector('[class*="st-key-given-"] input');
    if (field) { field.focus(); return; }
    if (++tries < 40) setTimeout(focus, 25);
  };
  focus();
})();
</script>
"""


def choice_shortcut(question: Question, index: int, choice: str) -> str | None:
    """The key that picks this choice: T/F for true/false, 1-9 in order otherwise."""
    if question.type == "truefalse":
        return TRUE_FALSE_KEYS.get(choice)
    return str(index + 1) if index < 9 else None


def short_duration(wait: timedelta) -> str:
    """A wait as a grade button or a summary shows it: 10 min, 5 h, 3 days."""
    minutes = max(round(wait.total_seconds() / 60), 1)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{round(minutes / 60)} h"
    return f"{round(minutes / 1440)} days"


def status_text(run: Run) -> str:
    """Where the learner is, the running score and the answer streak, in one line."""
    parts = []
    if run.queue is not None:
        parts.append(f"{run.queue.due} due, {run.queue.new_left} new today")
    elif run.plan.question_ids and run.plan.deadline is None:
        total = len(run.plan.question_ids)
        parts.append(f"Question {min(run.position + 1, total)} of {total}")
    parts.append(f"{run.score:,} points")
    if run.streak >= 2:
        parts.append(f"🔥 {run.streak} in a row")
    return " · ".join(parts)


def render_status(run: Run) -> None:
    """The progress bar (question n of N) with the score and streak; the clock in a speed round."""
    if run.plan.deadline is not None:
        st.caption(status_text(run))
        return
    if run.queue is not None:
        left = run.queue.due + run.queue.new_left
        done = run.answered / (run.answered + left) if run.answered + left else 1.0
    else:
        done = run.position / max(len(run.plan.question_ids), 1)
    st.progress(min(done, 1.0), text=status_text(run))


def render_prompt(question: Question) -> None:
    """The question itself, as every screen of it shows it."""
    st.markdown(f"#### {safe_markdown(question.prompt)}")
    if question.image is not None:
        render_image(question.image)


def render_explanation(question: Question) -> None:
    """What follows the answer: the explanation and its image, when the card has them."""
    if question.explanation:
        st.caption(safe_markdown(question.explanation))
    if question.explanation_image is not None:
        render_image(question.explanation_image)


def render_image(reference: str) -> None:
    """A card's image at most the screen's width: a stored one, or the bank's https address."""
    if not reference.startswith(MEDIA_PREFIX):
        st.image(reference)
        return
    try:
        image = _stored_image(reference)
    except DATABASE_ERRORS:
        image = None
    if image is None:
        st.caption("This card's image could not be loaded.")
    else:
        st.image(image)


# Stored images are named by their content's hash: a cached one can never be out of date.
@st.cache_data(max_entries=200, show_spinner=False)
def _stored_image(reference: str) -> bytes | None:
    with session() as s:
        found = stored_image(s, reference)
    return None if found is None else found[0]


def render_question(run: Run, question: Question, preferences: LearnerPreferences) -> None:
    """The prompt and the ways to answer it."""
    render_prompt(question)
    # Every screen has its own widgets: a tap is bound to the screen it was drawn on.
    key = f"{run.mode}-{run.screen}-{question.id}"
    if run.mode is Mode.FLASHCARDS or question.type == "flashcard":
        _render_flashcard(run, question, preferences, key)
    elif question.type == "typed":
        with st.form(key=f"typed-{key}", clear_on_submit=True, border=False):
            st.text_input(
                "Your answer",
                key=f"given-{key}",
                autocomplete="off",
                placeholder=TYPED_HINT,
            )
            # Enter in the field submits the form: the browser's own key, no shortcut needed.
            st.form_submit_button(
                "Check",
                type="primary",
                width="stretch",
                on_click=_on_typed,
                args=(run.mode, question, run.screen, preferences, f"given-{key}"),
            )
        st.html(FOCUS_TYPED, unsafe_allow_javascript=True)
    else:
        for index, choice in enumerate(shuffled_choices(question, seed=run.plan.seed)):
            st.button(
                safe_markdown(choice),
                key=f"choice-{key}-{index}",
                width="stretch",
                shortcut=choice_shortcut(question, index, choice),
                on_click=answer,
                args=(run.mode, question, choice, run.screen, preferences),
            )


def _on_typed(
    mode: Mode, question: Question, screen: int, preferences: LearnerPreferences, key: str
) -> None:
    answer(mode, question, st.session_state.get(key, ""), screen, preferences)


def _render_flashcard(
    run: Run, question: Question, preferences: LearnerPreferences, key: str
) -> None:
    if not run.revealed:
        st.button(
            "Show answer",
            key=f"reveal-{key}",
            type="primary",
            width="stretch",
            shortcut="Space",
            on_click=reveal,
            args=(run.mode, run.screen, preferences),
        )
        return
    st.success(safe_markdown(question.answer))
    render_explanation(question)
    # One row of four on a phone too: a horizontal container does not stack like columns.
    with st.container(horizontal=True, wrap=False, gap="small", key=f"grades-{key}"):
        for rating in Rating:
            st.button(
                grade_label(rating, run.intervals),
                key=f"grade-{rating.name.lower()}-{key}",  # the CSS colours each grade by its key
                width="stretch",
                wrap=True,  # "Again · 10 min" takes two lines at a quarter of a phone's width
                shortcut=str(rating.value),  # Anki's keys: 1 Again ... 4 Easy
                on_click=self_grade,
                args=(run.mode, question, rating, run.screen, preferences),
            )


def grade_label(rating: Rating, intervals: dict[int, timedelta] | None) -> str:
    """A grade button's label: the grade, and when the card would come back (Anki shows it)."""
    if not intervals:
        return rating.label
    return f"{rating.label} · {short_duration(intervals[rating])}"
