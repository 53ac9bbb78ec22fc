"""Performance figures for the foundation, printed, never asserted (see DESIGN.md, Testing).

Run with `make bench`. Uses DATABASE_URL if set, else a throwaway SQLite file.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["PORTAL_DATA_DIR"] = tempfile.mkdtemp(prefix="portal-bench-")

import django

django.setup()

from celery import Celery  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def timed(func, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(f"{name:<52} median {statistics.median(samples):8.2f} ms   p95 {p95:8.2f} ms   n={len(samples)}")


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")

    with override_settings(REDIS_URL=None):
        report("GET /health (Redis absent)", timed(lambda: client.get("/health"), 200))
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        report("GET /health (Redis down: closed port)", timed(lambda: client.get("/health"), 100))
    if os.environ.get("REDIS_URL"):
        report("GET /health (Redis up)", timed(lambda: client.get("/health"), 200))

    for username in ["director_pol", "nspa", "secretariat"]:
        client.force_login(django.contrib.auth.get_user_model().objects.get(username=username))
        report(f"GET / (home, {username})", timed(lambda: client.get("/"), 100))
        report(f"GET /activity/ ({username})", timed(lambda: client.get("/activity/"), 100))
        report(f"GET /api/me/ ({username})", timed(lambda: client.get("/api/me/"), 100))

    # Publishing a job while the broker is down must fail fast and keep the job in the outbox.
    from portal import jobs
    from portal.tasks import ping

    down = Celery("bench-down", set_as_current=False)
    down.config_from_object("django.conf:settings", namespace="CELERY")
    down.conf.broker_url = "redis://127.0.0.1:1/0"
    down.conf.task_always_eager = False
    import portal.celery

    real = portal.celery.app
    portal.celery.app = down
    try:

        def enqueue_with_broker_down():
            with transaction.atomic():
                jobs.enqueue(ping)

        report("enqueue + commit with Redis down (kept in outbox)", timed(enqueue_with_broker_down, 5))
    finally:
        portal.celery.app = real


if __name__ == "__main__":
    main()
