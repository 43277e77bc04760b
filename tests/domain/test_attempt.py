"""The answer's one schema: what the app makes is what the outbox reads back, strictly."""

import json
import uuid
from datetime import UTC, datetime

import pytest

from studygame.domain.attempt import NewAttempt
from studygame.domain.modes import Mode
from studygame.domain.rating import Rating

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def an_answer(**changes) -> NewAttempt:
    values = {
        "id": uuid.uuid4(), "session_id": uuid.uuid4(), "question_id": "q1", "deck": "Geo",
        "topic": None, "mode": Mode.QUIZ, "given_answer": "Paris", "is_correct": True,
        "rating": Rating.GOOD, "response_ms": 1200, "points": 940, "answered_at": NOW,
        "shown_at": NOW,
    }  # fmt: skip
    return NewAttempt(**{**values, **changes})


def test_a_line_reads_back_as_the_same_answer():
    attempt = an_answer()
    line = attempt.to_line()
    assert line.endswith("\n") and "\n" not in line[:-1]
    assert NewAttempt.from_line(line) == attempt


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"id": 5}, "id: UUID input should be a string"),
        ({"rating": "3"}, "rating: Input should be 1, 2, 3 or 4"),
        ({"mode": "party"}, "mode: Input should be 'review', 'quiz'"),
        ({"response_ms": -3}, "response_ms: Input should be greater than or equal to 0"),
        ({"deck": "d" * 201}, "deck: String should have at most 200 characters"),
    ],
)
def test_a_line_that_is_not_an_answer_says_why_without_quoting_it(changes, reason):
    line = json.dumps({**json.loads(an_answer().to_line()), **changes})
    with pytest.raises(ValueError, match=f"^{reason}") as refused:
        NewAttempt.from_line(line)
    assert "d" * 201 not in str(refused.value)


def test_an_answer_is_frozen_and_knows_when_its_time_is_wrong():
    attempt = an_answer(answered_at=datetime(1999, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="frozen"):
        attempt.points = 0
    assert attempt.time_problem(now=NOW) == "it is dated 1999-01-01, before 2000-01-01"
