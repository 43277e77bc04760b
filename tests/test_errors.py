"""studygame.errors: libpq's failures as one sentence a person can act on, from one table."""

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from studygame.errors import describe_connect_error, login_refused

PASSWORD = "Xy7-secret"
ENGINE = create_engine(f"postgresql+psycopg://owner:{PASSWORD}@db.example:5432/app")


def failure(driver_says: str) -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception(driver_says))


@pytest.mark.parametrize(
    ("driver_says", "sentence"),
    [
        (
            "failed to resolve host 'db.example': [Errno -2] Name or service not known",
            "the host name does not resolve (DNS); check it for a typo",
        ),
        (
            'connection to server at "10.0.0.9", port 5432 failed: timeout expired',
            "the server did not answer within 10 s; this host may block the port, or the "
            "database's IP allowlist keeps it out",
        ),
        (
            'connection to server at "db.example" (10.0.0.9), port 5432 failed: FATAL:  '
            'password authentication failed for user "owner"',
            "the server refused the login; check the password in the URL",
        ),
        (
            'connection to server at "db.example", port 5432 failed: FATAL:  role "owner" '
            "does not exist",
            "the server refused the login; check the user name in the URL",
        ),
        (
            "server closed the connection unexpectedly\n\tThis probably means the server ...",
            "the server closed the connection; it may be restarting or waking up",
        ),
        (
            f"weird failure for postgresql://owner:{PASSWORD}@db.example/app\nsecond line",
            "weird failure for postgresql://owner:***@db.example/app",
        ),
        (f"unheard-of problem with {PASSWORD}", "unheard-of problem with ***"),
    ],
)
def test_each_failure_is_one_sentence_without_driver_detail_or_password(driver_says, sentence):
    described = describe_connect_error(failure(driver_says), ENGINE)
    assert described == f"Could not connect to the database: {sentence}"


@pytest.mark.parametrize(
    ("driver_says", "part"),
    [
        ('FATAL:  password authentication failed for user "owner"', "the password"),
        ('FATAL:  role "owner" does not exist', "the user name"),
        ('FATAL:  database "app" does not exist', "the database name"),
    ],
)
def test_the_app_and_doctor_name_the_same_part_of_the_url_for_a_refused_login(driver_says, part):
    assert describe_connect_error(failure(driver_says), ENGINE).endswith(f"check {part} in the URL")
    assert str(login_refused(failure(driver_says))).startswith(
        f"Postgres refused the login: check {part} in DATABASE_URL"
    )


def test_other_failures_are_no_refused_login():
    assert login_refused(failure("connection refused")) is None
    assert login_refused(failure("timeout expired")) is None
