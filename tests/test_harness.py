"""The test harness itself: it must never touch anything but its own test database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _postgres_only():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the stray-session clean-up only runs on PostgreSQL")


def test_a_run_without_database_tests_leaves_other_sessions_on_the_real_database_alone():
    """A selection with no database test creates no test database; the session clean-up must then
    do nothing, not end every connection to the database named in DATABASE_URL (a developer's own
    ``make run`` server, say)."""
    _postgres_only()
    import psycopg

    db = settings.DATABASES["default"]
    conninfo = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    scratch = f"portal_harness_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        bystander = psycopg.connect(dbname=scratch, autocommit=True, **conninfo)
        try:
            url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{scratch}"
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q",
                 "tests/test_url_matrix.py", "-k", "every_route"],
                cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True,
                timeout=300, check=False,
            )  # fmt: skip
            assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
            assert "1 passed" in result.stdout
            # Still connected: nobody terminated this session.
            assert bystander.execute("SELECT 1").fetchone() == (1,)
        finally:
            bystander.close()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
