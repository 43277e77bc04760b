"""The modes and their named sets: every mode in exactly one of scheduling or not."""

import pytest

from studygame.domain.modes import SCHEDULING, TIMED, UNSCHEDULED, Mode, values


def test_scheduling_and_unscheduled_split_the_modes():
    assert set(Mode) == SCHEDULING | UNSCHEDULED and not SCHEDULING & UNSCHEDULED
    assert {Mode.CRAM} == UNSCHEDULED and {Mode.SPEED} == TIMED


@pytest.mark.parametrize(
    ("mode", "moves", "timed", "queue"),
    [
        (Mode.REVIEW, True, False, True),
        (Mode.QUIZ, True, False, False),
        (Mode.FLASHCARDS, True, False, False),
        (Mode.SPEED, True, True, False),
        (Mode.CRAM, False, False, False),
    ],
)
def test_what_each_mode_does(mode, moves, timed, queue):
    assert (mode.moves_schedule, mode.is_timed, mode.follows_queue) == (moves, timed, queue)


def test_sql_binds_the_stored_values():
    assert values(SCHEDULING) == ["flashcards", "quiz", "review", "speed"]
    assert Mode("quiz") is Mode.QUIZ and f"{Mode.QUIZ}" == "quiz"
