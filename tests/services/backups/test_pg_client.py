import pytest

from studygame.services.backups.pg_client import (
    ClientProblem,
    check_client_version,
    libpq_target,
    major_of,
)


@pytest.mark.parametrize(
    ("version", "major"),
    [
        ("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)", 15),
        ("pg_dump (PostgreSQL) 18.1", 18),
        ("psql (PostgreSQL) 9.6.24", 9),
        ("pg_dump (PostgreSQL) 19devel", 19),
    ],
)
def test_the_major_version_is_read_from_the_version_line(version, major):
    assert major_of(version) == major


@pytest.mark.parametrize(("client", "server"), [(15, 15), (17, 15), (18, 18)])
def test_a_client_as_new_as_the_server_is_accepted(client, server):
    check_client_version("pg_dump", client_major=client, server_major=server)


@pytest.mark.parametrize(("client", "server"), [(15, 18), (14, 15)])
def test_a_client_older_than_the_server_is_refused_with_how_to_install_the_right_one(
    client, server
):
    with pytest.raises(ClientProblem) as problem:
        check_client_version("pg_dump", client_major=client, server_major=server)
    message = str(problem.value)
    assert message.startswith(f"pg_dump {client} cannot work with this PostgreSQL {server} server")
    assert "https://wiki.postgresql.org/wiki/Apt" in message
    assert f"postgresql-client-{server}" in message
    assert f"PG_BIN=/usr/lib/postgresql/{server}/bin" in message
    assert f"brew install postgresql@{server}" in message


def test_the_password_travels_in_the_environment_not_in_the_url():
    url, env = libpq_target(
        "postgresql+psycopg://alex:s3cret@ep-cool-1.eu.aws.neon.tech/neondb?sslmode=require"
    )
    assert url == "postgresql://alex@ep-cool-1.eu.aws.neon.tech/neondb?sslmode=require"
    assert env["PGPASSWORD"] == "s3cret"


def test_a_url_without_password_sets_none(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url, env = libpq_target("postgresql+psycopg://root@127.0.0.1:5432/studygame")
    assert url == "postgresql://root@127.0.0.1:5432/studygame"
    assert "PGPASSWORD" not in env


@pytest.mark.parametrize(
    ("url", "plain", "password"),
    [
        (
            "postgresql+psycopg://u:p%40ss%2Fw%23rd%3Fx%25@h:5432/db",
            "postgresql://u@h:5432/db",
            "p@ss/w#rd?x%",
        ),
        (
            "postgresql+psycopg://u@h/db?password=s%3Dcret&sslmode=require",
            "postgresql://u@h/db?sslmode=require",
            "s=cret",
        ),
        # The driver lets the query's password win over the userinfo's; so does libpq_target.
        ("postgresql+psycopg://u:old@h/db?password=new", "postgresql://u@h/db", "new"),
    ],
    ids=["escaped specials", "query password", "both"],
)
def test_the_password_is_parsed_as_the_driver_does_and_left_out_of_the_url(url, plain, password):
    target, env = libpq_target(url)
    assert (target, env["PGPASSWORD"]) == (plain, password)
    assert "password" not in target
