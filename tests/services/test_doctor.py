"""The doctor's deployment checks: which host, which URLs, and one fixing sentence per failure."""

import json
import socket
import subprocess

import mongomock
import psycopg
import pytest
from click.testing import CliRunner
from pymongo.errors import ConfigurationError, OperationFailure, ServerSelectionTimeoutError
from sqlalchemy import create_engine, make_url
from sqlalchemy.exc import OperationalError

import studygame
from studygame.cli import main
from studygame.config import Settings, get_settings
from studygame.services import doctor
from studygame.services.doctor import (
    explain_connect_error,
    explain_mongo_error,
    explain_unreachable,
    pg_dump_check,
    run_checks,
    url_checks,
)

POOLED = "postgresql://me:pw@ep-cool-1234-pooler.eu-central-1.aws.neon.tech/neondb"
DIRECT = POOLED.replace("-pooler", "")


def by_name(checks):
    return {check.name: check for check in checks}


@pytest.mark.parametrize(
    ("env", "connection", "direct"),
    [
        ({"database_url": POOLED}, "pooled (Neon's PgBouncer)", "(DATABASE_URL without -pooler)"),
        ({"database_url": DIRECT}, "direct endpoint: it works", "(DATABASE_URL)"),
        (
            {"database_url": POOLED, "database_url_direct": DIRECT},
            "pooled",
            "(DATABASE_URL_DIRECT)",
        ),
    ],
)
def test_the_app_uses_the_pooled_url_and_migrations_the_direct_one(env, connection, direct):
    checks = by_name(url_checks(Settings(**env)))
    assert checks["connection"].detail.startswith(connection)
    assert checks["direct URL"].ok
    assert checks["direct URL"].detail.startswith(
        "postgresql+psycopg://me:***@ep-cool-1234.eu-central-1.aws.neon.tech/neondb"
    )
    assert checks["direct URL"].detail.endswith(direct)


def test_a_pooler_given_as_the_direct_url_is_a_failure_with_its_fix():
    checks = by_name(url_checks(Settings(database_url=POOLED, database_url_direct=POOLED)))
    assert not checks["direct URL"].ok
    assert "the same name without -pooler" in checks["direct URL"].detail


def refuse(*args, **kwargs):
    raise ConnectionRefusedError


def time_out(*args, **kwargs):
    raise TimeoutError


def no_dns(*args, **kwargs):
    raise socket.gaierror(-2, "Name or service not known")


@pytest.mark.parametrize(
    ("resolve", "connect", "expected"),
    [
        (no_dns, None, "the host name db.example does not resolve (DNS): check it for a typo"),
        (None, refuse, "db.example refused the connection on port 5432: nothing listens"),
        (None, time_out, "port 5432 unreachable from this host (db.example did not answer"),
    ],
)
def test_an_unreachable_port_is_told_apart_dns_refused_timeout(
    resolve, connect, expected, monkeypatch
):
    if resolve:
        monkeypatch.setattr(doctor.socket, "getaddrinfo", resolve)
    else:
        monkeypatch.setattr(doctor.socket, "getaddrinfo", lambda *a, **k: [])
        monkeypatch.setattr(doctor.socket, "create_connection", connect)
    sentence = str(explain_unreachable("db.example", 5432, service="Neon"))
    assert sentence.startswith(expected)
    assert sentence.count(". ") == 0 and sentence.endswith(".")


def test_a_timeout_names_the_spaces_open_ports(monkeypatch):
    monkeypatch.setattr(doctor.socket, "getaddrinfo", lambda *a, **k: [])
    monkeypatch.setattr(doctor.socket, "create_connection", time_out)
    assert "Hugging Face documents only 80, 443 and 8080" in str(
        explain_unreachable("db.example", 5432, service="Neon")
    )


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"database_url": "postgresql://me:pw@db.example:5432/neondb"}, "database"),
        ({"MONGODB_URI": "mongodb://me:pw@atlas.example:27017/"}, "question bank"),
    ],
)
def test_on_a_space_a_blocked_port_blames_the_spaces_network_policy(monkeypatch, env, name):
    monkeypatch.setattr(doctor.socket, "getaddrinfo", lambda *a, **k: [])
    monkeypatch.setattr(doctor.socket, "create_connection", time_out)
    checks = by_name(run_checks(Settings(SPACE_ID="me/studygame", APP_PIN="2468", **env)))
    assert not checks[name].ok
    assert "the Space's network policy is the likely cause" in checks[name].detail
    assert "pw" not in checks[name].detail


def test_a_reachable_port_is_no_problem(database_url):
    assert explain_unreachable("127.0.0.1", 5432, service="Neon") is None


@pytest.mark.parametrize(
    ("change", "part"),
    [
        ({"username": "nosuchrole"}, "check the user name in DATABASE_URL"),
        ({"database": "nosuchdb"}, "check the database name in DATABASE_URL"),
    ],
)
def test_a_refused_login_says_which_part_of_the_url_to_check(database_url, change, part):
    # A real server's refusal: psycopg 3 gives sqlstate=None here, so the message must tell.
    url = make_url(database_url).set(password="hunter2", **change)
    engine = create_engine(url)
    with pytest.raises(OperationalError) as refused:
        engine.connect()
    assert refused.value.orig.sqlstate is None
    sentence = str(explain_connect_error(refused.value, engine))
    assert sentence.startswith(f"Postgres refused the login: {part}")
    assert "hunter2" not in sentence


def test_a_wrong_password_says_to_check_the_password():
    # The local test server trusts every login; this is the message Neon's server sends.
    engine = create_engine("postgresql+psycopg://me:hunter2@h/db")
    message = 'connection failed: FATAL:  password authentication failed for user "me"'
    exc = OperationalError("connect", {}, psycopg.OperationalError(message))
    sentence = str(explain_connect_error(exc, engine))
    assert sentence.startswith("Postgres refused the login: check the password in DATABASE_URL")
    assert "hunter2" not in sentence


def test_production_without_database_url_fails_and_creates_no_sqlite_file(tmp_path):
    settings = Settings(STUDYGAME_ENV="production", APP_PIN="2468", STUDYGAME_DATA_DIR=tmp_path)
    checks = by_name(run_checks(settings))
    assert not checks["DATABASE_URL"].ok and not checks["database"].ok
    assert list(tmp_path.iterdir()) == []


def test_pg_dump_is_not_called_ok_when_the_server_was_unreachable(monkeypatch):
    monkeypatch.setattr(doctor, "find_client", lambda program: "/usr/bin/pg_dump")
    monkeypatch.setattr(doctor, "client_major_version", lambda path: 15)
    check = pg_dump_check(None, server_unknown=True)
    assert not check.ok and "could not be checked" in check.detail


@pytest.mark.parametrize(
    ("exc", "start"),
    [
        (OperationFailure("bad auth : authentication failed", code=8000), "MongoDB refused the"),
        (ConfigurationError("The DNS query name does not exist"), "MongoDB's host name does not"),
        (ServerSelectionTimeoutError("cluster0:27017: timed out"), "port 27017 unreachable"),
        (ServerSelectionTimeoutError("h:1: [Errno 111] Connection refused"), "MongoDB refused the"),
    ],
)
def test_mongodb_failures_are_told_apart(exc, start):
    assert str(explain_mongo_error(exc)).startswith(start)


def test_an_atlas_timeout_mentions_the_allowlist():
    sentence = str(explain_mongo_error(ServerSelectionTimeoutError("timed out")))
    assert "Network Access list (0.0.0.0/0" in sentence


@pytest.mark.parametrize(("client", "ok"), [(15, True), (16, True), (14, False)])
def test_pg_dump_must_be_at_least_the_servers_major(client, ok, monkeypatch):
    monkeypatch.setattr(doctor, "client_major_version", lambda path: client)
    check = pg_dump_check(15)
    assert check.ok is ok
    if not ok:
        assert "install postgresql-client-15" in check.detail


def test_the_question_bank_is_counted(monkeypatch):
    client = mongomock.MongoClient()
    client["studygame"]["questions"].insert_many([{"prompt": "a"}, {"prompt": "b"}])
    monkeypatch.setattr(doctor, "MongoClient", lambda *a, **k: client)
    monkeypatch.setattr(doctor, "explain_unreachable", lambda *a, **k: None)
    monkeypatch.setattr(mongomock.MongoClient, "__enter__", lambda self: self, raising=False)
    monkeypatch.setattr(mongomock.MongoClient, "__exit__", lambda self, *a: None, raising=False)
    settings = Settings(MONGODB_URI="mongodb://me:m0ngo@cluster0.example.net/")
    check = by_name(run_checks(settings))["question bank"]
    assert check.ok and check.detail == "MongoDB studygame.questions: 2 documents"
    assert by_name(run_checks(settings))["MONGODB_URI"].detail == (
        "mongodb://me:***@cluster0.example.net/"
    )


def test_the_doctor_knows_it_is_on_a_space_and_checks_the_real_database(app_database):
    settings = Settings(SPACE_ID="me/studygame", APP_PIN="2468", database_url=app_database)
    checks = by_name(run_checks(settings))
    assert checks["host"].detail == "Hugging Face Space (me/studygame)"
    assert checks["database"].ok and checks["database"].detail.startswith("PostgreSQL 15")
    assert checks["schema"].ok
    assert checks["APP_PIN"].detail == "set (hidden)"


@pytest.mark.parametrize(("needed", "ok"), [(True, False), (False, True)])
def test_a_missing_pg_dump_fails_only_where_backups_run(needed, ok, monkeypatch):
    monkeypatch.setattr(doctor, "find_client", lambda program: None)
    assert pg_dump_check(15, needed=needed).ok is ok


def test_the_doctor_never_shows_the_pin_or_a_password(app_database, monkeypatch):
    monkeypatch.setenv("APP_PIN", "80417263")
    monkeypatch.setenv("DATABASE_URL", app_database.replace("root@", "root:s3cretpw9@"))
    get_settings.cache_clear()
    checks = {check.name: check for check in run_checks(get_settings())}
    assert checks["APP_PIN"].detail == "set (hidden)"
    assert "root:***@" in checks["DATABASE_URL"].detail
    shown = repr(checks)
    assert "80417263" not in shown
    assert "s3cretpw9" not in shown


def test_the_status_page_shows_the_commit_that_is_running():
    head = subprocess.run(
        ["git", "log", "-1", "--format=%h"], capture_output=True, text=True, check=True
    ).stdout.strip()
    check = by_name(run_checks(Settings()))["code"]
    assert check.ok and f"commit {head} (" in check.detail


def test_an_installed_copy_shows_the_package_version(monkeypatch, tmp_path):
    fake = tmp_path / "site-packages" / "studygame" / "__init__.py"
    monkeypatch.setattr(studygame, "__file__", str(fake))
    assert doctor.code_version() == f"studygame {studygame.__version__}"


def test_an_unresolvable_srv_host_gets_the_dns_sentence_with_its_fix():
    # pymongo resolves the SRV record while parsing: "The DNS query name does not exist".
    settings = Settings(MONGODB_URI="mongodb+srv://me:m0ngo@cluster0.nosuch.invalid/")
    check = by_name(run_checks(settings))["question bank"]
    assert not check.ok
    assert check.detail == (
        "MongoDB's host name does not resolve (DNS): check the cluster name in MONGODB_URI, "
        "or copy it again from Atlas (Connect → Drivers)."
    )


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers, as a server behind a black hole."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        yield listener.getsockname()[1]


def test_a_mongodb_port_that_never_answers_is_named_by_its_own_number(silent_port, monkeypatch):
    monkeypatch.setattr(doctor, "MONGO_TIMEOUT_MS", 300)
    settings = Settings(
        MONGODB_URI=f"mongodb://me:m0ngo@127.0.0.1:{silent_port}/?directConnection=true"
    )
    check = by_name(run_checks(settings))["question bank"]
    assert not check.ok
    assert check.detail == (
        f"port {silent_port} unreachable from this host: add its IP to Atlas's Network Access "
        "list (0.0.0.0/0 when the host's IP changes, as on Spaces and Community Cloud), or this "
        f"host blocks port {silent_port} (Hugging Face documents only 80, 443 and 8080)."
    )


def test_a_neon_url_with_hostaddr_is_checked_at_that_address(app_database):
    # Neon's pooled URL may carry hostaddr=; libpq then never resolves the host name.
    url = make_url(app_database)
    pooled = url.set(host="ep-cool-1234-pooler.nosuch.invalid", query={"hostaddr": url.host})
    settings = Settings(database_url=pooled.render_as_string(hide_password=False))
    checks = by_name(run_checks(settings))
    assert checks["database"].ok, checks["database"].detail
    assert checks["database"].detail.startswith("PostgreSQL 15")


def test_a_hostaddr_that_refuses_is_reported_at_that_address(monkeypatch):
    url = "postgresql://me:pw@ep-cool-1234-pooler.nosuch.invalid:1/neondb?hostaddr=127.0.0.1"
    check = by_name(run_checks(Settings(database_url=url)))["database"]
    assert check.detail == (
        "127.0.0.1 refused the connection on port 1: nothing listens there; "
        "check the port in the URL."
    )


def test_doctor_json_gives_name_ok_message_and_fix_for_each_check(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://root:pa55word@127.0.0.1:1/db")
    get_settings.cache_clear()
    result = CliRunner().invoke(main, ["doctor", "--json"])
    assert result.exit_code == 1
    checks = json.loads(result.output)
    assert all(set(check) == {"name", "ok", "message", "fix"} for check in checks)
    [database] = [check for check in checks if check["name"] == "database"]
    assert database == {
        "name": "database",
        "ok": False,
        "message": "127.0.0.1 refused the connection on port 1",
        "fix": "nothing listens there; check the port in the URL.",
    }
    assert "pa55word" not in result.output
    assert [check["name"] for check in checks] == [
        check.name for check in run_checks(get_settings())
    ]
