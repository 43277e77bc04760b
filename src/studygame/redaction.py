"""Masking secrets in any text that is shown or logged; no settings and no Streamlit here.

Two nets, both applied by `redact`: the exact secrets the caller knows (in every spelling
a URL can give them) and, for text nobody anticipated, any `scheme://user:password@` or
`password=...` that looks like a credential.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterable
from urllib.parse import quote, quote_plus, unquote, unquote_plus

MASK = "***"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*://"
# A user name never holds a raw ':', '/', '?', '#' or '@' for any URL parser we know.
_USER = r"[^:/?#@\s]*"
# In running text a URL ends at whitespace; its password runs to the token's last '@'.
_CREDENTIALS_IN_TEXT = re.compile(rf"(?P<head>{_SCHEME}{_USER}:)\S*@")
# One whole URL, where a raw space or '@' may belong to the password: up to the last '@'.
_CREDENTIALS_IN_URL = re.compile(rf"^(?P<head>\s*{_SCHEME}{_USER}:).*@", re.DOTALL)
# `password=`, `sslpassword=`, `tlsCertificateKeyFilePassword=`, `token=`... in a query
# string or a libpq keyword string.
_SECRET_OPTION = re.compile(
    r"(?i)(?P<head>\b[\w.\-]*(?:pass|pwd|secret|token)[\w.\-]*=)(?P<value>'[^']*'|[^&\s#;,]*)"
)
# SQLAlchemy's reading of `user:password@`: the password stops at the first '@'.
_SQLALCHEMY_USERINFO = re.compile(r"^[^:/]*:(?P<password>[^@]*)@")
_LENIENT_USERINFO = re.compile(rf"^{_USER}:(?P<password>.*)@", re.DOTALL)


def mask_credentials(text: str) -> str:
    """Replace every URL password and password-like option in `text` with ***."""
    text = _SECRET_OPTION.sub(rf"\g<head>{MASK}", text)
    return _CREDENTIALS_IN_TEXT.sub(rf"\g<head>{MASK}@", text)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each known secret, then anything credential-like, replaced by ***."""
    # Longest first, so no secret is left half-replaced by a shorter one inside it.
    for value in sorted(set(secrets), key=len, reverse=True):
        if value:
            text = text.replace(value, MASK)
    return mask_credentials(text)


def redact_url(url: str) -> str:
    """Show one URL with its password (and password options) replaced by ***; never parses it.

    Works for every form a driver accepts: several hosts, IPv6, socket paths, options.
    """
    url = _SECRET_OPTION.sub(rf"\g<head>{MASK}", url)
    return _CREDENTIALS_IN_URL.sub(rf"\g<head>{MASK}@", url)


def authority(url: str) -> str:
    """The `user:password@host:port` part of a URL as RFC 3986 (libpq, urlsplit) reads it."""
    rest = url.partition("://")[2]
    return re.split(r"[/?#]", rest, maxsplit=1)[0]


def lenient_userinfo(url: str) -> str | None:
    """`user:password` when the password may hold raw '/', '?', '#' or '@' (SQLAlchemy-like)."""
    match = _LENIENT_USERINFO.match(url.partition("://")[2])
    return None if match is None else match.group(0)[:-1]


def secret_forms(value: str) -> set[str]:
    """A secret as it may appear in text: raw, percent-decoded and percent-encoded."""
    forms = {value, unquote(value), unquote_plus(value)}
    for form in list(forms):
        forms |= {quote(form, safe=""), quote_plus(form, safe="")}
    forms.discard("")
    return forms


def url_secrets(url: str) -> set[str]:
    """Every password in a URL, in every spelling, however a parser splits the URL."""
    rest = url.partition("://")[2]
    passwords = set()
    userinfo, at, _ = authority(url).rpartition("@")
    if at and ":" in userinfo:
        passwords.add(userinfo.partition(":")[2])
    for pattern in (_SQLALCHEMY_USERINFO, _LENIENT_USERINFO):
        match = pattern.match(rest)
        if match is not None:
            passwords.add(match.group("password"))
    for option in _SECRET_OPTION.finditer(url):
        passwords.add(option.group("value").strip("'"))
    return {form for password in passwords if password for form in secret_forms(password)}


class _RedactingRecordFactory:
    """Builds every log record of the process with its message and traceback redacted."""

    def __init__(self, make_record: Callable[..., logging.LogRecord]) -> None:
        self.make_record = make_record
        self.secrets: frozenset[str] = frozenset()

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg, record.args = redact(message, self.secrets), ()
        if record.exc_info:
            # Formatters print exc_text as is; with exc_info gone none can re-render the raw one.
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = redact(text, self.secrets)
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return record


def install_log_redaction(secrets: Iterable[str]) -> None:
    """Redact `secrets` and any credential-like text from every log record of the process."""
    # A record factory, not a handler filter: Streamlit replaces its handlers and keeps its
    # loggers from propagating, but every logger builds its records through this factory.
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingRecordFactory):
        factory = _RedactingRecordFactory(factory)
        logging.setLogRecordFactory(factory)
    factory.secrets = frozenset(secrets)
