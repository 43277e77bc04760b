"""The Progress page's tables: Markdown cells that wrap, so a 390 px phone shows them whole.

`st.table` wraps its cells and renders each one as Markdown; the interactive grid it replaces
clipped names ("Scienc"), scrolled sideways inside and showed a prompt's backticks.
"""

from __future__ import annotations

import streamlit as st

from studygame.domain.markup import safe_markdown
from studygame.services.progress import NO_DECK, Accuracy, QuestionTrouble

TOPICS_SHOWN = 15


def topic_rows(topics: list[Accuracy]) -> list[dict[str, str]]:
    """The weakest topics as table rows: topic, share right, answers, deck."""
    return [
        {
            "topic": safe_markdown(t.topic or "(none)"),
            "right": f"{t.accuracy:.0%}",
            "answers": f"{t.answers:,}",
            "deck": safe_markdown(t.deck),
        }
        for t in topics[:TOPICS_SHOWN]
    ]


def question_rows(
    questions: list[QuestionTrouble], prompts: dict[str, str], count_label: str
) -> list[dict[str, str]]:
    """Troublesome questions as table rows: the prompt (its id when not in the bank), the count
    named `count_label` ("lapses" or "wrong"), answers, and where the question lives."""
    return [
        {
            "question": safe_markdown(prompts.get(q.question_id, q.question_id)),
            count_label: f"{getattr(q, count_label):,}",
            "answers": f"{q.answers:,}",
            "deck": safe_markdown(" · ".join(filter(None, [q.deck or NO_DECK, q.topic]))),
        }
        for q in questions
    ]


def render_table(rows: list[dict[str, str]]) -> None:
    """A table of Markdown rows, without the index column a phone has no room for."""
    st.table(rows, hide_index=True)
