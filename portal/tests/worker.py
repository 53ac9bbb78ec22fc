"""Helpers for job tests that use a real broker: waiting on a JobRun, a broker that is down, and a
Celery worker in its own process (which a test can SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from celery import Celery
from django.db import connection

from portal.celery import app as project_app
from portal.models import JobRun

ROOT = Path(__file__).resolve().parents[2]


def wait_for_state(run_id: int, states: set[str], timeout: float = 30) -> JobRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = JobRun.objects.get(pk=run_id)
        if run.state in states:
            return run
        time.sleep(0.1)
    raise AssertionError(f"job run {run_id} still {run.state} after {timeout}s")


def broker_down_app() -> Celery:
    """The project's Celery configuration with the broker pointed at a closed port."""
    app = Celery("portal-down", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    return app


def _test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def worker_process(*, visibility_timeout: int = 4):
    """A `celery worker` subprocess on this test's database and queue (solo pool: the task runs in
    the process itself, so SIGKILL kills it mid-job). Its broker redelivers unacked messages after
    ``visibility_timeout`` seconds (the hard time limit x 2, see settings)."""
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_TASK_TIME_LIMIT": str(max(2, visibility_timeout // 2)),
        "CELERY_TASK_SOFT_TIME_LIMIT": "1",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
        "-Q", project_app.conf.task_default_queue,
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-n", f"killable-{os.getpid()}-{time.monotonic_ns()}@%h",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def backend_waits_on_lock(query_like: str, timeout: float = 30) -> bool:
    """Whether a database backend whose query matches ``query_like`` (ILIKE) is waiting on a lock:
    the worker has reached the row a test holds, and is stuck there to be killed."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE %s",
                [query_like],
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.1)
    return False


def end_lock_waiters(query_like: str, *, keep: int) -> None:
    """End the backends still waiting on a lock with a query matching ``query_like``: a SIGKILLed
    worker's server process would notice only when it next writes to the socket, so its
    transaction rolls back now, as the server's connection check would. Only those: other
    connections of the test process (``keep``, the lock holder's, a live server's) survive."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s AND pid NOT IN (pg_backend_pid(), %s)",
            [query_like, keep],
        )
