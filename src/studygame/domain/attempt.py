"""An answer as the app records it: the one schema every way into `attempts` validates.

The app builds it from a tap; the outbox reads it back from a line on disk (strictly: a
number where an id belongs is refused, not coerced); the database's constraints back
the same bounds. The id exists before the write, so a retried write is a no-op.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from studygame.domain.answer_time import answer_time_problem
from studygame.domain.modes import Mode
from studygame.domain.rating import Rating

# The widths of the `attempts` columns (models.py): a longer value is refused up front.
QuestionId = Annotated[str, Field(min_length=1, max_length=64)]
Label = Annotated[str, Field(max_length=200)]


class NewAttempt(BaseModel):
    """One answer, made by the app before it is written anywhere."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    # The sitting it belongs to; the write creates its row if it is not there yet. Lines
    # queued by older versions may have none.
    session_id: uuid.UUID | None
    question_id: QuestionId
    deck: Label | None
    topic: Label | None
    mode: Mode
    given_answer: str | None
    is_correct: bool
    rating: Rating
    response_ms: Annotated[int, Field(ge=0)] | None
    points: Annotated[int, Field(ge=0)]
    answered_at: AwareDatetime
    # When the question was put on screen: an answer to a card answered elsewhere since
    # then (another tab) is not recorded a second time.
    shown_at: AwareDatetime | None = None

    def time_problem(self, *, now: datetime) -> str | None:
        """Why this answer's time cannot be recorded at `now`; None when it can."""
        return answer_time_problem(self.answered_at, now=now)

    def to_line(self) -> str:
        """The answer as one JSON line (the outbox's format)."""
        return self.model_dump_json() + "\n"

    @classmethod
    def from_line(cls, line: str) -> NewAttempt:
        """Read a line written by `to_line`; ValueError with the reason when it is not one."""
        try:
            return cls.model_validate_json(line, strict=True)
        except ValidationError as exc:
            raise ValueError(_reason(exc)) from None


def _reason(exc: ValidationError) -> str:
    """The first problem of a line, in words (no values quoted: a line may hold anything)."""
    error = exc.errors(include_input=False, include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "the line"
    return f"{where}: {error['msg']}"
