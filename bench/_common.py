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


def fetch(sql: str, params=()) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def timed(repeat: int, func, before=None) -> tuple[float, float, object]:
    """Median and worst time of ``func`` in ms over ``repeat`` calls (after one warm-up), ``before``
    run untimed ahead of each, and its last result."""
    if before:
        before()
    result = func()
    samples = []
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        result = func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples), result


def line(
    label: str, median: float, worst: float, plain: float | None = None, extra: str = "", width: int = 50
) -> None:
    """One figure, beside the plain SQL of the same numbers as a ratio when given."""
    ratio = f"   plain SQL {plain:7.1f} ms   ratio {median / plain:4.1f}x" if plain else ""
    print(f"  {label:<{width}} median {median:7.1f} ms   max {worst:7.1f} ms{ratio}{extra}")


def calibrate(repeat: int) -> None:
    """One figure of this machine's speed, so the others can be read against other machines."""
    median, _, _ = timed(repeat, lambda: fetch("SELECT count(*) FROM generate_series(1, 1000000)"))
    print(f"calibration: SELECT count(*) FROM generate_series(1, 1000000) takes {median:.1f} ms here")  # noqa: S608
    print(f"  load average now: {', '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs")
