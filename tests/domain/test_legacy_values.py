"""The old app's values: every spelling real files show, and what cannot be read."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from studygame.domain.legacy_values import (
    REJECT_REASONS,
    milliseconds,
    parse_bool,
    parse_timestamp,
    question_id_problem,
)

T0 = datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-03-14 09:26:53", T0),
        ("2025-03-14T09:26:53", T0),
        ("2025-03-14T09:26:53Z", T0),
        ("2025-03-14T09:26:53.123456789Z", T0.replace(microsecond=123456)),
        ("2025-03-14T10:26:53+01:00", T0),
        ("2025-03-14 03:56:53-0530", T0),
        ("2025-03-14", datetime(2025, 3, 14, tzinfo=UTC)),
        (1741944413, T0),
        (1741944413.5, T0 + timedelta(milliseconds=500)),
        (1741944413000, T0),
        (1741944413500.0, T0 + timedelta(milliseconds=500)),
        ("1741944413", T0),
        ("1741944413000", T0),
        (" 1741944413 ", T0),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        (99_999_999_999, datetime(5138, 11, 16, 9, 46, 39, tzinfo=UTC)),
        (100_000_000_000, datetime(1973, 3, 3, 9, 46, 40, tzinfo=UTC)),
        (None, None),
        ("", None),
        ("   ", None),
        ("yesterday", None),
        ("2025-13-45 99:99:99", None),
        ("nan", None),
        (float("inf"), None),
        ("1e400", None),
        (1e30, None),
        (True, None),
        (b"2025-03-14", None),
        ("0001-01-01T00:00:00+05:00", None),
        ("9999-12-31T23:59:59-05:00", None),
    ],
)
def test_parse_timestamp(raw, expected):
    assert parse_timestamp(raw) == expected


def test_a_timestamp_keeps_its_instant_and_comes_back_in_utc():
    moment = parse_timestamp("2025-03-14T11:26:53+02:00")
    assert moment.utcoffset() == timedelta(0)
    assert moment == datetime(2025, 3, 14, 11, 26, 53, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (0, False),
        (1, True),
        (0.0, False),
        (1.0, True),
        ("0", False),
        ("1", True),
        ("true", True),
        ("false", False),
        ("True", True),
        ("False", False),
        ("TRUE", True),
        ("yes", True),
        ("no", False),
        (" Yes ", True),
        (2, None),
        ("maybe", None),
        ("", None),
        (None, None),
        (b"1", None),
    ],
)
def test_parse_bool(raw, expected):
    assert parse_bool(raw) is expected


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [
        (1.2344, 1000, 1234),
        (1.2346, 1000, 1235),
        ("2.5", 1000, 2500),
        (0, 1000, 0),
        (1234, 1, 1234),
        ("987", 1, 987),
        (987.6, 1, 988),
        (-1.0, 1000, None),
        ("slow", 1000, None),
        ("nan", 1000, None),
        (3e6, 1000, None),
        (None, 1000, None),
    ],
)
def test_milliseconds(raw, scale, expected):
    assert milliseconds(raw, scale=scale) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("64b7f0c2a1b2c3d4e5f60718", None),
        (12, None),
        ("x" * 64, None),
        ("x" * 65, "bad_question_id"),
        ("q\x00", "bad_question_id"),
        ("q\x1b", "bad_question_id"),
        ("q\t", "bad_question_id"),
        ("q\ufffd", "bad_question_id"),
        (b"q1", "bad_question_id"),
        (None, "missing_question_id"),
        ("", "missing_question_id"),
        (" \t", "missing_question_id"),
    ],
)
def test_question_id_problem(raw, expected):
    assert question_id_problem(raw, max_length=64) == expected


def test_every_reason_a_question_id_gets_is_a_reject_reason():
    assert {"missing_question_id", "bad_question_id"} <= set(REJECT_REASONS)
