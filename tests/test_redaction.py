"""Masking secrets in text: every URL form a driver accepts, every spelling of a password."""

import logging

import pytest

from studygame.redaction import (
    install_log_redaction,
    mask_credentials,
    redact,
    redact_url,
    secret_forms,
    url_secrets,
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "mongodb://u:p4ss@h1:27017,h2:27017/?replicaSet=rs0",
            "mongodb://u:***@h1:27017,h2:27017/?replicaSet=rs0",
        ),
        (
            "mongodb+srv://me:p4ss@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority",
            "mongodb+srv://me:***@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority",
        ),
        ("mongodb://u:p4ss@[::1]:27017/db", "mongodb://u:***@[::1]:27017/db"),
        (
            "mongodb://u:p4ss@%2Ftmp%2Fmongodb-27017.sock/?authSource=admin",
            "mongodb://u:***@%2Ftmp%2Fmongodb-27017.sock/?authSource=admin",
        ),
        ("postgresql://u:p4ss@h:notaport/db", "postgresql://u:***@h:notaport/db"),
        ("postgresql://root:Hunter@2Secret@host/db", "postgresql://root:***@host/db"),
        ("postgresql://root:12/ssW0rd@host/db", "postgresql://root:***@host/db"),
        ("postgresql://u:pa ss#w?rd@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql://u@h/db?sslmode=require&password=p4ss&sslpassword=k3y",
            "postgresql://u@h/db?sslmode=require&password=***&sslpassword=***",
        ),
        ("postgresql://me@h/db", "postgresql://me@h/db"),
        (
            "mongodb://h1:27017,h2:27017/?replicaSet=rs0",
            "mongodb://h1:27017,h2:27017/?replicaSet=rs0",
        ),
    ],
)
def test_redact_url_hides_the_password_of_every_url_form_without_parsing_ports(url, shown):
    assert redact_url(url) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "failed for postgresql://u:Hunter@2Secret@host/db: timeout",
            "failed for postgresql://u:***@host/db: timeout",
        ),
        (
            "hosts mongodb://a:b1@c,d/x and redis://:t0k@r",
            "hosts mongodb://a:***@c,d/x and redis://:***@r",
        ),
        ("conninfo: host=h password=s3cr3t dbname=d", "conninfo: host=h password=*** dbname=d"),
        ("check the password in DATABASE_URL", "check the password in DATABASE_URL"),
        (
            "mail me@example.com at https://example.com/a?b=c",
            "mail me@example.com at https://example.com/a?b=c",
        ),
    ],
)
def test_credentials_in_running_text_are_masked(text, shown):
    assert mask_credentials(text) == shown


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgresql://u:Hunter@2Secret@h/db", "Hunter@2Secret"),
        ("postgresql://u:12/ssW0rd@h/db", "12/ssW0rd"),
        ("postgresql://u:Pre%40Encoded@h/db", "Pre@Encoded"),
        ("postgresql://u:pa ss@h/db", "pa ss"),
        ("postgresql://u@h/db?password=Qu%3Fery", "Qu?ery"),
        ("mongodb://u:%C3%BCn%C3%AFc%C3%B8d%C3%A9@h1,h2/", "ünïcødé"),
    ],
)
def test_url_secrets_has_every_spelling_of_the_password(url, password):
    found = url_secrets(url)
    assert secret_forms(password) <= found
    assert redact(f"said {password!s} and {url}", found).count("***") == 2


def test_log_records_are_built_redacted(caplog):
    install_log_redaction({"t0psecret"})
    try:
        caplog.set_level(logging.INFO)
        try:
            raise RuntimeError("cannot reach postgresql://u:other-pw@h/db with t0psecret")
        except RuntimeError:
            logging.getLogger("studygame.test").exception("failed: %s", "t0psecret")
    finally:
        install_log_redaction(())
    assert "failed: ***" in caplog.text
    assert "postgresql://u:***@h/db with ***" in caplog.text
    assert "t0psecret" not in caplog.text and "other-pw" not in caplog.text
