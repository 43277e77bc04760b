"""A card as the Cards page's form holds it (answers and choices one per line), and search.

The form speaks the learner's terms (an answer, the wrong choices, other accepted answers);
`document()` turns them into the bank's document shape, which the store checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studygame.domain.questions import Question, QuestionType


def lines(text: str) -> list[str]:
    """The non-blank lines of a text area, stripped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class CardForm:
    """The fields of one card as the form shows them; blank text means "not given"."""

    type: QuestionType
    deck: str | None = None
    prompt: str = ""
    answer: str = ""
    # Multiple choice: the answer is one choice, these (one per line) are the others.
    wrong_choices: str = ""
    # Typed: other answers marked right, one per line.
    accepted: str = ""
    topic: str = ""
    explanation: str = ""
    image: str | None = None
    # Not on the form, but kept through an edit.
    tags: tuple[str, ...] = ()
    difficulty: int | None = None
    explanation_image: str | None = None

    @classmethod
    def from_question(cls, question: Question) -> CardForm:
        """The form prefilled with a card as the bank reads it."""
        return cls(
            type=question.type,
            deck=question.deck,
            prompt=question.prompt,
            answer=question.answer,
            wrong_choices="\n".join(c for c in question.choices if c != question.answer)
            if question.type == "mcq"
            else "",
            accepted="\n".join(question.accepted),
            topic=question.topic or "",
            explanation=question.explanation or "",
            image=question.image,
            tags=question.tags,
            difficulty=question.difficulty,
            explanation_image=question.explanation_image,
        )

    def document(self) -> dict[str, Any]:
        """The card's question-bank document (blank fields are dropped by the store)."""
        answer = self.answer.strip()
        document: dict[str, Any] = {
            "type": self.type,
            "deck": (self.deck or "").strip(),
            "topic": self.topic.strip(),
            "tags": list(self.tags),
            "difficulty": self.difficulty,
            "prompt": self.prompt.strip(),
            "answer": answer,
            "explanation": self.explanation.strip(),
            "image": self.image,
            "explanation_image": self.explanation_image,
        }
        if self.type == "mcq":
            # The answer is the first choice; the quiz shuffles them anyway.
            document["choices"] = ([answer] if answer else []) + lines(self.wrong_choices)
        elif self.type == "typed":
            document["accepted"] = lines(self.accepted)
        return document


def matches(question: Question, text: str) -> bool:
    """Whether the search text is in the card's prompt, answer or explanation (any case)."""
    wanted = text.strip().casefold()
    return not wanted or any(
        wanted in field.casefold()
        for field in (question.prompt, question.answer, question.explanation or "")
    )
