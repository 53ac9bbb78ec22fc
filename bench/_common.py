"""What the page benchmarks share: a PostgreSQL database of their own, Django set up on it, and
the server time of one page.

Import it after the script has put the repository root on ``sys.path``; call ``setup_django``
before importing anything that needs Django's settings.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from django.test import Client


def ensure_database(url: str) -> None:
    """Create the database of ``url`` on its server if it is missing."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(database_url: str) -> None:
    """Point Django at ``database_url`` (created if missing), set it up, and let the test client in."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    ensure_database(database_url)

    import django

    django.setup()

    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def time_page(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median and worst server time of ``url`` in ms over ``repeat`` requests, and its queries."""
    from django.db import connection

    for _ in range(2):  # warm caches and the connection
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    # The test client fires request_started, which empties connection.queries: count with a wrapper.
    executed = []
    with connection.execute_wrapper(lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)):
        client.get(url)
    return statistics.median(samples), max(samples), len(executed)


def migrate() -> None:
    """Exit unless the database is PostgreSQL, then bring its schema up to date."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL.")
    call_command("migrate", verbosity=0)
