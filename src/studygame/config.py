"""Settings: every environment variable the app reads, validated once, secrets redacted."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import SplitResult, parse_qsl, urlsplit

from pydantic import Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from studygame.redaction import authority, lenient_userinfo, redact, url_secrets
from studygame.redaction import redact_url as redact_url  # where callers have always found it

POSTGRES_SCHEMES = ("postgres", "postgresql", "postgresql+psycopg")
PSYCOPG_SCHEME = "postgresql+psycopg"
# Streamlit Community Cloud clones the repository under /mount/src/<repo> and runs the app
# from there (its docs: "Community Cloud initializes all apps from the root of your
# repository"). It sets no variable of its own, so the folder is the signal; the deploy
# guide also has the learner add STUDYGAME_ENV = "production" to the app's secrets.
COMMUNITY_CLOUD_ROOT = Path("/mount/src")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one sentence with no secret in it."""


def is_well_formed_pin(text: str) -> bool:
    """True for what APP_PIN may be: 4 to 12 ASCII digits."""
    return text.isascii() and text.isdigit() and 4 <= len(text) <= 12


def normalize_database_url(url: str) -> str:
    """Rewrite a Postgres URL as Neon or Heroku print it to SQLAlchemy's psycopg 3 form.

    Raises ConfigError with one sentence naming the problem; the password is never in it.
    """
    url = url.strip()
    scheme, sep, _ = url.partition("://")
    if not sep:
        raise ConfigError(
            "DATABASE_URL is not a URL: it should look like "
            "postgresql://user:password@host/dbname?sslmode=require."
        )
    if scheme not in POSTGRES_SCHEMES:
        raise ConfigError(
            f"DATABASE_URL must start with postgresql:// or postgres://, not {scheme}://."
        )
    check_percent_encoded("DATABASE_URL", url)
    parts = _split(url)
    if not parts.hostname:
        raise ConfigError("DATABASE_URL has no host name after the '@'.")
    if not parts.path.strip("/"):
        raise ConfigError("DATABASE_URL has no database name: add /dbname after the host.")
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if not key or value == "":
            raise ConfigError(f"DATABASE_URL has an empty query option {key or '(unnamed)'!r}.")
    return parts._replace(scheme=PSYCOPG_SCHEME).geturl()


def check_mongodb_uri(uri: str) -> str:
    """Check a MongoDB URI's escaping; every host form pymongo reads is kept as is.

    pymongo names a wrong scheme itself, when the bank is loaded.
    """
    uri = uri.strip()
    check_percent_encoded("MONGODB_URI", uri)
    return uri


def check_percent_encoded(name: str, url: str) -> None:
    """Refuse a URL whose user name or password holds a character some client misreads.

    SQLAlchemy lets a password run to the first '@'; libpq, pg_dump, pymongo and urlsplit
    end the user part at the first '/', '?' or '#' and split it at the last '@'. Where
    the two readings differ, one of them connects with the wrong password or host.
    """
    userinfo, at, _ = authority(url).rpartition("@")
    lenient = lenient_userinfo(url)
    if userinfo.count("@") or (lenient is not None and lenient != userinfo):
        raise ConfigError(
            f"{name} has a raw '@', '/', '?' or '#' in its user name or password: "
            "percent-encode them (@ as %40, / as %2F, ? as %3F, # as %23)."
        )
    if at and re.search(r"%(?![0-9A-Fa-f]{2})", userinfo):
        raise ConfigError(
            f"{name} has a '%' in its user name or password that starts no %XX code: "
            "percent-encode it as %25."
        )


def _split(url: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - urlsplit parses the port lazily; a bad one raises here
    except ValueError:
        raise ConfigError("DATABASE_URL has an unreadable host or port.") from None
    return parts


def direct_database_url(url: str) -> str:
    """Neon's direct (non-pooled) URL: the same URL without '-pooler' in the host name."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if "-pooler" not in host:
        return url
    return parts._replace(
        netloc=parts.netloc.replace(host, host.replace("-pooler", ""), 1)
    ).geturl()


def default_data_dir() -> Path:
    """The per-user folder for the local development database."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "studygame"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "studygame"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "studygame"


def runs_on_community_cloud() -> bool:
    """True when the app was started from a Streamlit Community Cloud checkout."""
    return Path.cwd().resolve().is_relative_to(COMMUNITY_CLOUD_ROOT)


class Settings(BaseSettings):
    """Everything configurable, from the environment and a local `.env` file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: SecretStr | None = None
    database_url_direct: SecretStr | None = None
    app_pin: SecretStr | None = None
    app_idle_lock_minutes: int = Field(default=30, ge=1, le=24 * 60)
    mongodb_uri: SecretStr | None = None
    mongodb_db: str = "studygame"
    mongodb_collection: str = "questions"
    legacy_sqlite_path: Path | None = None
    studygame_env: Literal["development", "production"] | None = None
    space_id: str | None = None
    data_dir: Path = Field(default_factory=default_data_dir, alias="STUDYGAME_DATA_DIR")
    # Detected, never read from a variable: a setting could not make a host un-hosted.
    _community_cloud: bool = PrivateAttr(default_factory=runs_on_community_cloud)

    @field_validator(
        "database_url", "database_url_direct", "app_pin", "mongodb_uri", "space_id", mode="before"
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # Hosts' secret boxes often hold an empty string for "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url", "database_url_direct", mode="after")
    @classmethod
    def _normalize_url(cls, value: SecretStr | None) -> SecretStr | None:
        return (
            None if value is None else SecretStr(normalize_database_url(value.get_secret_value()))
        )

    @field_validator("mongodb_uri", mode="after")
    @classmethod
    def _check_mongodb_uri(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else SecretStr(check_mongodb_uri(value.get_secret_value()))

    @field_validator("app_pin", mode="after")
    @classmethod
    def _check_pin(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        pin = value.get_secret_value().strip()
        if not is_well_formed_pin(pin):
            raise ConfigError("APP_PIN must be 4 to 12 digits (0-9) and nothing else.")
        return SecretStr(pin)

    @property
    def hosted(self) -> bool:
        """True on a public deployment, where missing secrets must refuse to serve."""
        return (
            self.studygame_env == "production" or self.space_id is not None or self._community_cloud
        )

    @property
    def host_name(self) -> str:
        """Where the app believes it runs, for the doctor and the status page."""
        if self.space_id is not None:
            return f"Hugging Face Space ({self.space_id})"
        if self._community_cloud:
            return "Streamlit Community Cloud"
        if self.studygame_env == "production":
            return "production (STUDYGAME_ENV)"
        return "local development"

    def missing_secrets(self) -> list[str]:
        """Secrets a hosted deployment needs but lacks; empty for local development."""
        if not self.hosted:
            return []
        wanted = {"DATABASE_URL": self.database_url, "APP_PIN": self.app_pin}
        return [name for name, value in wanted.items() if value is None]

    @property
    def uses_local_database(self) -> bool:
        return self.database_url is None

    @property
    def sqlalchemy_url(self) -> str:
        """The URL the app connects with: Postgres when set, else the local SQLite file."""
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{self.data_dir / 'studygame-dev.sqlite3'}"

    def direct_url_is_derived(self) -> bool:
        """True when DATABASE_URL is a pooled endpoint and the direct one is only guessed from it.

        Migrations and dumps must not go through a transaction pooler; Neon's direct host is
        the pooled one without `-pooler`, but another provider's may not be.
        """
        return self.database_url_direct is None and "-pooler" in (
            urlsplit(self.sqlalchemy_url).hostname or ""
        )

    @property
    def migration_url(self) -> str:
        """The URL for DDL and dumps: Neon's direct endpoint, never the PgBouncer pooler."""
        if self.database_url_direct is not None:
            return self.database_url_direct.get_secret_value()
        return direct_database_url(self.sqlalchemy_url)

    def secret_values(self) -> set[str]:
        """Every secret that must never be shown, in every spelling: URL passwords, the PIN."""
        values: set[str] = set()
        for secret in (self.database_url, self.database_url_direct, self.mongodb_uri):
            if secret is not None:
                values |= url_secrets(secret.get_secret_value())
        if self.app_pin is not None:
            values.add(self.app_pin.get_secret_value())
        return values

    def redact(self, text: str) -> str:
        """`text` with every secret, and anything that looks like a credential, as ***."""
        return redact(text, self.secret_values())


ENV_NAMES = {name: (field.alias or name).upper() for name, field in Settings.model_fields.items()}
# The keyword Settings(...) takes for each variable name.
INIT_NAMES = {ENV_NAMES[name]: field.alias or name for name, field in Settings.model_fields.items()}

HostSecrets = tuple[tuple[str, str], ...]


def host_secrets(values: Mapping[str, object]) -> HostSecrets:
    """The entries of a host's secret store (root-level `st.secrets`) that name our variables.

    Keys match like environment variable names (case-insensitive); tables and other
    non-scalar values are left out. The result is hashable, for `get_settings`.
    """
    found = {
        key.upper(): str(value)
        for key, value in values.items()
        if key.upper() in INIT_NAMES and type(value) in (str, int, float)
    }
    return tuple(sorted(found.items()))


@functools.cache
def get_settings(secrets: HostSecrets = ()) -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing env.

    `secrets` (from `host_secrets`) win over the environment and `.env`, as Streamlit's own
    secrets do when it exports root-level keys to the environment.
    """
    try:
        return Settings(**{INIT_NAMES[name]: value for name, value in secrets})
    except ValidationError as exc:
        raise ConfigError(_first_problem(exc)) from None


def _first_problem(exc: ValidationError) -> str:
    # Pydantic's own message echoes the input value, which may hold a password: rebuild it
    # from the field name and our validator's sentence only.
    error = exc.errors(include_input=False, include_url=False)[0]
    field = str(error["loc"][0]) if error["loc"] else ""
    name = ENV_NAMES.get(field, field.upper())
    message = str(error["msg"]).removeprefix("Value error, ")
    return message if message.startswith(name) else f"{name}: {message}"
