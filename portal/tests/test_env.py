"""Settings read the environment through typed helpers that fail fast with one clear line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.env import EnvError, env_bool, env_hosts, env_int, parse_database_url, parse_redis_url

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3J9x!Qz8vL2m#Wp5tR7yU1iO4aS6dF0gH8jK2lZ9xC7vB5nM3qE1wT6rY4uI0oP"


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}
    }
    base["PORTAL_DATA_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "mysql://root@localhost/portal"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:notaport/portal"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "portal.example.org"}, "SECRET_KEY"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": "short", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY"),
        ({"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS"),
        ({"DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE"),
    ],
)
def test_bad_environment_stops_startup_with_one_line_naming_the_variable(env, variable, tmp_path):
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}:")


def test_production_passes_deploy_checks_with_zero_warnings(tmp_path):
    env = {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "portal.example.org"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_secret_may_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(STRONG_KEY + "\n")
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY_FILE": str(key_file),
        "ALLOWED_HOSTS": "portal.example.org",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env={},
        tmp_path=tmp_path,
    )
    second = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        env={},
        tmp_path=tmp_path,
    )
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert key == second.stdout.strip()
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_typed_helpers_reject_junk(monkeypatch):
    monkeypatch.setenv("X_INT", "12x")
    with pytest.raises(EnvError, match="X_INT: expected an integer"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "-1")
    with pytest.raises(EnvError, match="at least 0"):
        env_int("X_INT", 1, minimum=0)
    monkeypatch.setenv("X_BOOL", "On")
    assert env_bool("X_BOOL", False) is True
    monkeypatch.setenv("X_HOSTS", "portal.example.org, bad host")
    with pytest.raises(EnvError, match="X_HOSTS: invalid entry 'bad host'"):
        env_hosts("X_HOSTS", [])
    monkeypatch.setenv("X_BOOL", "1")
    monkeypatch.setenv("X_BOOL_FILE", "/nonexistent")
    with pytest.raises(EnvError, match="not both"):
        env_bool("X_BOOL", False)


def test_database_url_parsing(tmp_path):
    default = parse_database_url("DATABASE_URL", None, sqlite_default=tmp_path / "db.sqlite3", conn_max_age=0)
    assert default == {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    pg = parse_database_url(
        "DATABASE_URL",
        "postgres://u%40x:p%2Fw@db.internal:6543/portal?sslmode=require",
        sqlite_default=tmp_path,
        conn_max_age=30,
    )
    assert (pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "u@x",
        "p/w",
        "db.internal",
        "6543",
        "portal",
    )
    assert pg["OPTIONS"]["sslmode"] == "require"
    assert pg["CONN_MAX_AGE"] == 30
    with pytest.raises(EnvError, match="missing host"):
        parse_database_url("DATABASE_URL", "postgres:///portal", sqlite_default=tmp_path, conn_max_age=0)
    assert parse_redis_url("REDIS_URL", "rediss://cache:6380/1") == "rediss://cache:6380/1"


def test_email_url_defaults_to_files_and_reads_smtp_relays(tmp_path):
    from portal.env import parse_email_url

    default = parse_email_url("EMAIL_URL", None, file_default=tmp_path / "mail")
    assert default == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    relay = parse_email_url(
        "EMAIL_URL", "smtp://por%40tal:s%3Acret@relay.example.org:587?tls=true", file_default=tmp_path
    )
    assert relay["EMAIL_HOST"] == "relay.example.org"
    assert relay["EMAIL_PORT"] == 587
    assert (relay["EMAIL_HOST_USER"], relay["EMAIL_HOST_PASSWORD"]) == ("por@tal", "s:cret")
    assert (relay["EMAIL_USE_TLS"], relay["EMAIL_USE_SSL"]) == (True, False)
    implicit = parse_email_url("EMAIL_URL", "smtps://relay.example.org", file_default=tmp_path)
    assert (implicit["EMAIL_PORT"], implicit["EMAIL_USE_SSL"], implicit["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert parse_email_url("EMAIL_URL", "console:", file_default=tmp_path)["EMAIL_BACKEND"].endswith(
        "console.EmailBackend"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("imap://relay", "unsupported scheme"),
        ("smtp://", "missing host"),
        ("smtp://relay?tls=maybe", "tls must be true or false"),
        ("smtp://relay?timeout=soon", "timeout must be a number"),
        ("smtp://relay?ssl=1", "unknown option"),
        ("smtp://relay:99999", "not a valid URL"),
        ("file://", "needs a directory"),
    ],
)
def test_a_bad_email_url_names_the_variable(value, message, tmp_path):
    from portal.env import EnvError, parse_email_url

    with pytest.raises(EnvError, match=message) as caught:
        parse_email_url("EMAIL_URL", value, file_default=tmp_path)
    assert str(caught.value).startswith("EMAIL_URL: ")
