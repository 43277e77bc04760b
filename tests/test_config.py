import re
from pathlib import Path
from urllib.parse import quote

import pytest

from studygame import config
from studygame.config import (
    ConfigError,
    Settings,
    direct_database_url,
    get_settings,
    host_secrets,
    normalize_database_url,
    redact_url,
)

NEON = "ep-cool-1234-pooler.eu-central-1.aws.neon.tech"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:pw@h/db", "postgresql+psycopg://u:pw@h/db"),
        ("postgresql://u:pw@h:5433/db", "postgresql+psycopg://u:pw@h:5433/db"),
        ("postgresql+psycopg://u:pw@h/db", "postgresql+psycopg://u:pw@h/db"),
        (
            f"postgresql://u:pw@{NEON}/neondb?sslmode=require&channel_binding=require",
            f"postgresql+psycopg://u:pw@{NEON}/neondb?sslmode=require&channel_binding=require",
        ),
        ("  postgres://u@h/db  ", "postgresql+psycopg://u@h/db"),
        ("postgresql://u:pw@[::1]:5433/db", "postgresql+psycopg://u:pw@[::1]:5433/db"),
        ("postgresql://u:Hunter%402@h/db", "postgresql+psycopg://u:Hunter%402@h/db"),
    ],
)
def test_database_url_is_rewritten_to_psycopg3_with_options_kept(given, expected):
    assert normalize_database_url(given) == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("not a url s3cr3tpw", "is not a URL"),
        ("mysql://u:s3cr3tpw@h/db", "must start with postgresql://"),
        ("postgresql://u:s3cr3tpw@/db", "no host name"),
        ("postgresql://u:s3cr3tpw@h", "no database name"),
        ("postgresql://u:s3cr3tpw@h:notaport/db", "unreadable host or port"),
        ("postgresql://u:s3cr3tpw@h:99999/db", "unreadable host or port"),
        ("postgresql://u:s3cr3tpw@h/db?sslmode=", "empty query option 'sslmode'"),
    ],
)
def test_malformed_database_url_names_the_problem_never_the_password(given, problem, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(ConfigError) as caught:
        get_settings()
    message = str(caught.value)
    assert problem in message
    assert "s3cr3tpw" not in message
    assert message.count("\n") == 0


@pytest.mark.parametrize("pin", ["1234", "000000", "123456789012", " 4321 "])
def test_valid_pins_are_accepted(pin, monkeypatch):
    monkeypatch.setenv("APP_PIN", pin)
    assert get_settings().app_pin.get_secret_value() == pin.strip()


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "12 34", "١٢٣٤", "-1234"])
def test_invalid_pins_are_a_clear_startup_error(pin, monkeypatch):
    monkeypatch.setenv("APP_PIN", pin)
    with pytest.raises(ConfigError, match="APP_PIN must be 4 to 12 digits"):
        get_settings()


def test_secrets_are_redacted_in_repr_and_text(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://me:hunter2@h/db")
    monkeypatch.setenv("APP_PIN", "918273")
    monkeypatch.setenv("MONGODB_URI", "mongodb+srv://me:m0ngopw@cluster/")
    settings = get_settings()
    shown = repr(settings) + str(settings)
    for secret in ("hunter2", "918273", "m0ngopw"):
        assert secret not in shown
        assert secret not in settings.redact(f"failed with {secret} inside")
    assert redact_url(settings.sqlalchemy_url) == "postgresql+psycopg://me:***@h/db"


def test_redact_url_leaves_a_url_without_password_alone():
    assert redact_url("postgresql://me@h/db") == "postgresql://me@h/db"


def test_direct_url_drops_neons_pooler_suffix():
    pooled = f"postgresql+psycopg://u:pw@{NEON}/neondb?sslmode=require"
    assert direct_database_url(pooled) == pooled.replace("-pooler", "")
    assert direct_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_explicit_direct_url_wins(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgres://u:pw@{NEON}/db")
    monkeypatch.setenv("DATABASE_URL_DIRECT", "postgres://u:pw@direct-host/db")
    assert get_settings().migration_url == "postgresql+psycopg://u:pw@direct-host/db"


def test_local_development_uses_sqlite_in_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("STUDYGAME_DATA_DIR", str(tmp_path))
    settings = get_settings()
    assert settings.uses_local_database
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path}/studygame-dev.sqlite3"
    assert settings.missing_secrets() == []


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SPACE_ID": "me/studygame"}, ["DATABASE_URL", "APP_PIN"]),
        ({"SPACE_ID": "me/studygame", "APP_PIN": "1234"}, ["DATABASE_URL"]),
        ({"STUDYGAME_ENV": "production", "DATABASE_URL": "postgres://u@h/d"}, ["APP_PIN"]),
        ({"SPACE_ID": "me/s", "APP_PIN": "1234", "DATABASE_URL": "postgres://u@h/d"}, []),
    ],
)
def test_hosted_deployments_fail_closed_on_missing_secrets(env, missing, monkeypatch):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert get_settings().hosted
    assert get_settings().missing_secrets() == missing


def test_blank_secrets_count_as_unset(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "  ")
    monkeypatch.setenv("APP_PIN", "")
    settings = get_settings()
    assert settings.database_url is None and settings.app_pin is None


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("APP_PIN=2468\nMONGODB_DB=cards\n")
    settings = Settings(_env_file=env_file)
    assert settings.app_pin.get_secret_value() == "2468"
    assert settings.mongodb_db == "cards"


@pytest.mark.parametrize(
    ("start_in", "hosted", "host"),
    [("mount/src/studygame", True, "Streamlit Community Cloud"), ("home/me", False, "local")],
)
def test_community_cloud_is_recognised_by_its_checkout_folder(
    start_in, hosted, host, tmp_path, monkeypatch
):
    monkeypatch.setattr(config, "COMMUNITY_CLOUD_ROOT", tmp_path / "mount" / "src")
    (tmp_path / start_in).mkdir(parents=True)
    monkeypatch.chdir(tmp_path / start_in)
    settings = get_settings()
    assert settings.hosted is hosted
    assert settings.host_name.startswith(host)
    assert settings.missing_secrets() == (["DATABASE_URL", "APP_PIN"] if hosted else [])


def test_a_space_names_itself():
    assert Settings(SPACE_ID="me/studygame").host_name == "Hugging Face Space (me/studygame)"


def test_host_secrets_keep_our_root_level_scalars_only():
    secrets = {
        "DATABASE_URL": "postgres://u:pw@h/db",
        "app_pin": 1234,
        "OTHER_APP_KEY": "x",
        "connections": {"DATABASE_URL": "nested is not ours"},
        "STUDYGAME_DATA_DIR": "/data",
    }
    assert host_secrets(secrets) == (
        ("APP_PIN", "1234"),
        ("DATABASE_URL", "postgres://u:pw@h/db"),
        ("STUDYGAME_DATA_DIR", "/data"),
    )


def test_host_secrets_win_over_the_environment_like_streamlits_own(monkeypatch):
    monkeypatch.setenv("APP_PIN", "1111")
    monkeypatch.setenv("MONGODB_DB", "from_env")
    settings = get_settings(host_secrets({"APP_PIN": "2222"}))
    assert settings.app_pin.get_secret_value() == "2222"
    assert settings.mongodb_db == "from_env"


def test_a_malformed_host_secret_is_one_sentence_without_the_secret():
    with pytest.raises(ConfigError) as caught:
        get_settings(host_secrets({"DATABASE_URL": "mysql://u:s3cr3tpw@h/db"}))
    assert str(caught.value) == (
        "DATABASE_URL must start with postgresql:// or postgres://, not mysql://."
    )


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Hunter@2Secret", "percent-encode them (@ as %40"),
        ("12/ssW0rd", "percent-encode them"),
        ("Pa#ssw0rd", "percent-encode them"),
        ("Wh?tEver9", "percent-encode them"),
        ("100%Sure", "percent-encode it as %25"),
    ],
)
@pytest.mark.parametrize("variable", ["DATABASE_URL", "DATABASE_URL_DIRECT", "MONGODB_URI"])
def test_a_raw_delimiter_in_a_password_asks_for_percent_encoding(
    variable, password, problem, monkeypatch
):
    scheme = "mongodb" if variable == "MONGODB_URI" else "postgresql"
    monkeypatch.setenv(variable, f"{scheme}://root:{password}@host:5432/db")
    with pytest.raises(ConfigError) as caught:
        get_settings()
    message = str(caught.value)
    assert message.startswith(variable) and problem in message
    for piece in ("Hunter", "2Secret", "ssW0rd", "Pa#", "ssw0rd", "Wh?", "tEver9", "Sure"):
        assert piece not in message


@pytest.mark.parametrize(
    "password", ["pa:ss:w0rd", "ünïcødé", "correct horse", "Pre%40Encoded", "Hunter%402Secret"]
)
def test_passwords_every_client_reads_alike_are_accepted(password, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://root:{password}@host/db")
    assert get_settings().database_url is not None


@pytest.mark.parametrize(
    "uri",
    [
        "mongodb://u:pw@h1:27017,h2:27017/?replicaSet=rs0",
        "mongodb+srv://u:pw@cluster0.ab1cd.mongodb.net/?retryWrites=true&w=majority",
        "mongodb://u:pw@[::1]:27017/",
        "mongodb://u:pw@%2Ftmp%2Fmongodb-27017.sock/?authSource=admin",
        "mongodb://h1,h2,h3/?replicaSet=rs0&readPreference=secondary",
    ],
)
def test_every_mongodb_uri_form_pymongo_reads_is_accepted(uri, monkeypatch):
    monkeypatch.setenv("MONGODB_URI", uri)
    assert get_settings().mongodb_uri.get_secret_value() == uri


def test_secret_values_hold_every_spelling_of_every_password(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:Pre%40Encoded@h/db?sslpassword=K3y%2Fpass")
    monkeypatch.setenv("MONGODB_URI", "mongodb://u:sp%20ace@h1,h2/?replicaSet=rs0")
    settings = get_settings()
    values = settings.secret_values()
    for spelling in ("Pre%40Encoded", "Pre@Encoded", "K3y%2Fpass", "K3y/pass", "sp ace", "sp+ace"):
        assert spelling in values
        assert settings.redact(f"<{spelling}>") == "<***>"


def test_redact_masks_credentials_of_urls_it_was_not_told_about():
    settings = get_settings()
    assert settings.redact("via postgresql://x:unknown@h/db") == "via postgresql://x:***@h/db"


GUIDE = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_the_configuration_guide_quotes_the_sentence_and_encodes_rightly(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://me:Hunter@2Secret@host/db")
    with pytest.raises(ConfigError) as caught:
        get_settings()
    guide = GUIDE.read_text()
    assert str(caught.value).partition(" (")[0] in " ".join(guide.split())
    rows = re.findall(r"^\| `?(.+?)`? \| `(%[0-9A-F]{2})` \|$", guide, re.MULTILINE)
    assert len(rows) == 7
    for character, encoded in rows:
        assert quote(" " if character == "space" else character, safe="") == encoded
