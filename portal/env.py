"""Typed environment readers for settings.

Each reader names the variable in its error, so a bad deployment fails at start-up with one clear
line instead of misbehaving later. Secrets may come from ``NAME_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit


class EnvError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    """The variable's value, or the contents of the file named by NAME_FILE, or None."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value not in (None, "") and file_name:
        raise EnvError(f"{name}: set either {name} or {name}_FILE, not both")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise EnvError(f"{name}_FILE: cannot read {file_name!r}: {exc.strerror}") from exc
    if value is None or value == "":
        return None
    return value


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name)
    if value is None:
        if required:
            raise EnvError(f"{name}: required but not set")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name}: expected a boolean (true/false/1/0/yes/no/on/off), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise EnvError(f"{name}: expected an integer, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}: must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise EnvError(f"{name}: must be at most {maximum}, got {number}")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise EnvError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


_HOST_RE = re.compile(r"^(\*|\.?[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:\d+)?$")


def env_list(name: str, default: list[str], *, item_pattern: re.Pattern[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if item_pattern is not None:
        for item in items:
            if not item_pattern.match(item):
                raise EnvError(f"{name}: invalid entry {item!r}")
    return items


def env_hosts(name: str, default: list[str]) -> list[str]:
    return env_list(name, default, item_pattern=_HOST_RE)


def env_origins(name: str, default: list[str]) -> list[str]:
    return env_list(name, default, item_pattern=re.compile(r"^https?://[A-Za-z0-9.*-]+(:\d+)?$"))


def parse_database_url(name: str, value: str | None, *, sqlite_default: Path, conn_max_age: int) -> dict:
    """Turn DATABASE_URL into a Django database dict; only PostgreSQL and SQLite are supported."""
    if value is None:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(sqlite_default)}
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise EnvError(f"{name}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.db or sqlite:////absolute/path.db
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise EnvError(f"{name}: sqlite URL needs a file path, e.g. sqlite:///.data/portal.sqlite3")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}
    if scheme not in {"postgres", "postgresql", "pgsql"}:
        raise EnvError(
            f"{name}: unsupported scheme {parts.scheme!r}; use postgres://user:password@host:5432/dbname"
        )
    db_name = unquote(parts.path.lstrip("/"))
    if not db_name or "/" in db_name:
        raise EnvError(f"{name}: missing database name, e.g. postgres://postgres@127.0.0.1:5432/portal")
    if not parts.hostname:
        raise EnvError(f"{name}: missing host, e.g. postgres://postgres@127.0.0.1:5432/portal")
    options = dict(parse_qsl(parts.query))
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db_name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or 5432),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"connect_timeout": 5, **options},
    }


def parse_redis_url(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - validates the port number
    except ValueError as exc:
        raise EnvError(f"{name}: not a valid URL ({exc})") from None
    if parts.scheme not in {"redis", "rediss"} or not parts.hostname:
        raise EnvError(f"{name}: expected redis://host:6379/0 or rediss://..., got {value!r}")
    return value


def parse_email_url(name: str, value: str | None, *, file_default: Path) -> dict:
    """Turn EMAIL_URL into Django's EMAIL_* settings.

    ``smtp://user:password@host:587?tls=true`` (STARTTLS), ``smtps://…:465`` (implicit TLS),
    ``file:///var/mail/portal`` (one file per mail, for development), ``console:`` (standard
    output). Unset: files under ``file_default``.
    """
    if value is None:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(file_default),
        }
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise EnvError(f"{name}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "file":
        path = unquote(parts.path)
        if not path:
            raise EnvError(f"{name}: file URL needs a directory, e.g. file:///var/mail/portal")
        return {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": path}
    if scheme not in {"smtp", "smtps"}:
        raise EnvError(
            f"{name}: unsupported scheme {parts.scheme!r}; use smtp://host:587, smtps://, file:// or console:"
        )
    if not parts.hostname:
        raise EnvError(f"{name}: missing host, e.g. smtp://relay.example.org:587")
    options = dict(parse_qsl(parts.query))
    unknown = set(options) - {"tls", "timeout"}
    if unknown:
        raise EnvError(f"{name}: unknown option(s) {', '.join(sorted(unknown))}; use tls and timeout")
    tls = options.get("tls", "false").lower()
    if tls not in _TRUE | _FALSE:
        raise EnvError(f"{name}: tls must be true or false, got {options['tls']!r}")
    try:
        timeout = int(options.get("timeout", "10"))
    except ValueError:
        raise EnvError(f"{name}: timeout must be a number of seconds, got {options['timeout']!r}") from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_USE_TLS": scheme == "smtp" and tls in _TRUE,
        "EMAIL_TIMEOUT": timeout,
    }
