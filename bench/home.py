"""Server time of each role's home page (the workspace) at alliance scale: the procurement bench's
1,000,000 deliveries plus every app's demo data.

Prints figures, asserts nothing (DESIGN.md, Testing). Target (issue 14): <= 50 ms for each role,
with a query count that does not grow with the data (asserted in portal/tests/test_workspace.py).
Needs PostgreSQL:

    .venv/bin/python bench/home.py [--repeat 20] [--rebuild]

Uses BENCH_HOME_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_home; the
database is created and migrated if missing, and the data kept between runs (--rebuild redoes it).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("REDIS_URL", None)  # a local cache: measure the code, not a network hop

from bench._common import calibrate, migrate, setup_django, time_page

setup_django(
    os.environ.get("BENCH_HOME_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_home")
)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.procurement_data import delivery_count, generate  # noqa: E402

DELIVERIES = 1_000_000
# One demo user per role: the homes a newcomer sees, on top of the bench's bulk.
USERS = ("director_pol", "nspa", "secretariat", "board_member", "board_member_wg2", "partner_ukr")


def build() -> None:
    print(f"generating {DELIVERIES:,} deliveries, then the demo data ...")
    started = time.perf_counter()
    generate(DELIVERIES)
    call_command("load_demo", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the demo's jobs run in this process
    migrate()
    from portal.models import User

    if args.rebuild or delivery_count() < DELIVERIES or not User.objects.filter(username="nspa").exists():
        build()
    print(f"database: {settings.DATABASES['default']['NAME']}, deliveries: {delivery_count():,}")
    calibrate(args.repeat)
    for username in USERS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        median, worst, queries = time_page(client, reverse("home"), args.repeat)
        label = f"home, {username} ({user.role})"
        print(
            f"  {label:<44} median {median:7.1f} ms   max {worst:7.1f} ms   "
            f"queries {queries:2}   n={args.repeat}"
        )


if __name__ == "__main__":
    main()
