"""Jobs: a real worker on the real Redis, the outbox when Redis is down, lost messages, and
idempotent runs."""

import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from portal import jobs
from portal.celery import app as project_app
from portal.choices import JobState
from portal.models import JobRun, ObjectChange, User
from portal.tasks import ping, sweep_outbox
from portal.tests.worker import broker_down_app, wait_for_state, worker_process


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_ping_runs_through_a_real_worker_on_redis(celery_worker, secretariat):
    with transaction.atomic():
        run = jobs.enqueue(ping, requested_by=secretariat)
    run = wait_for_state(run.pk, {JobState.SUCCEEDED, JobState.FAILED})
    assert run.state == JobState.SUCCEEDED, run.error
    assert run.result["pong"] is True
    assert run.result["eager"] is False  # it went through Redis to the worker, not in-process
    assert run.published_at is not None
    assert run.started_at <= run.finished_at
    assert run.requested_by == secretariat


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_redis_down_keeps_the_job_in_the_outbox_and_the_sweeper_sends_it_later(monkeypatch):
    monkeypatch.setattr("portal.celery.app", broker_down_app())
    with transaction.atomic():
        run = jobs.enqueue(ping)
    # The commit succeeded and the publish failed quickly instead of hanging.
    run.refresh_from_db()
    assert run.state == JobState.QUEUED
    assert run.published_at is None
    assert run.publish_attempts == 1
    assert run.error.startswith("Broker unavailable")

    # Redis is back: the periodic sweeper publishes what the outbox kept.
    monkeypatch.setattr("portal.celery.app", project_app)
    monkeypatch.setattr(jobs, "OUTBOX_GRACE", jobs.timedelta(0))
    assert sweep_outbox() == 1
    run.refresh_from_db()
    assert run.published_at is not None
    assert run.publish_attempts == 2
    assert run.error == ""
    assert sweep_outbox() == 0  # nothing left to send


def test_sweeper_leaves_fresh_rows_to_the_on_commit_publish(db):
    JobRun.objects.create(job_name="portal.tasks.ping")
    assert jobs.pending_outbox() == []


def test_enqueue_runs_after_commit_in_eager_mode(db, django_capture_on_commit_callbacks, owner):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = jobs.enqueue(ping, requested_by=owner)
    run.refresh_from_db()
    assert run.state == JobState.QUEUED  # nothing runs before the commit
    for callback in callbacks:
        callback()
    run.refresh_from_db()
    assert run.state == JobState.SUCCEEDED
    assert run.result["pong"] is True


def test_a_redelivered_message_does_not_run_the_job_twice(db):
    run = JobRun.objects.create(job_name=ping.name)
    first = ping.apply(kwargs={"job_run_id": run.pk}).get()
    again = ping.apply(kwargs={"job_run_id": run.pk}).get()
    assert first["pong"] is True
    assert again is None
    run.refresh_from_db()
    assert run.state == JobState.SUCCEEDED
    assert JobRun.objects.count() == 1


def test_a_failing_job_records_its_error(db, monkeypatch):
    from portal import tasks

    @tasks.shared_task(bind=True, name="portal.tests.boom")
    @jobs.tracked
    def boom(self):
        raise ValueError("bad input row 7")

    run = JobRun.objects.create(job_name=boom.name)
    result = boom.apply(kwargs={"job_run_id": run.pk}, throw=False)
    assert result.failed()
    run.refresh_from_db()
    assert run.state == JobState.FAILED
    assert run.error == "ValueError: bad input row 7"


def test_beat_called_ping_records_its_own_run(db):
    ping.apply().get()
    run = JobRun.objects.get()
    assert (run.job_name, run.state) == ("portal.tasks.ping", JobState.SUCCEEDED)


def test_beat_schedule_is_static_and_names_real_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE
    project_app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks.py
    assert {entry["task"] for entry in schedule.values()} <= set(project_app.tasks)
    assert "django_celery_beat" not in settings.INSTALLED_APPS


def test_task_defaults_protect_web_requests():
    conf = project_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit > conf.task_soft_time_limit
    assert conf.broker_connection_timeout <= 2
    assert conf.broker_transport_options["socket_connect_timeout"] <= 2
    assert conf.task_publish_retry_policy["max_retries"] <= 3


def test_load_demo_is_idempotent(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    users, changes = User.objects.count(), ObjectChange.objects.count()
    assert users == 9  # four directors, NSPA, the secretariat, two board members, a partner
    assert settings.DEMO_PASSWORD in out
    call_command("load_demo")
    assert (User.objects.count(), ObjectChange.objects.count()) == (users, changes)
    roles = dict(User.objects.values_list("username", "role"))
    assert set(roles.values()) == {"director", "nspa", "secretariat", "board_member", "partner"}
    nations = set(User.objects.filter(role="director").values_list("nation__code", flat=True))
    assert nations >= {"DEU", "FRA", "POL", "NLD"}
    assert User.objects.get(username="partner_ukr").nation.code == "UKR"
    assert User.objects.get(username="director_pol").check_password(settings.DEMO_PASSWORD)


def test_load_demo_is_refused_in_production(db, settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused"):
        call_command("load_demo")
    assert User.objects.count() == 0


# --- Lost messages: published, then gone from the broker ----------------------------------------


def _queued(**fields) -> JobRun:
    run = JobRun.objects.create(job_name=ping.name, **fields)
    # ``created_at`` is auto_now_add: move it afterwards.
    JobRun.objects.filter(pk=run.pk).update(**{k: v for k, v in fields.items() if k == "created_at"})
    return run


def test_the_sweeper_resends_a_published_run_nobody_claimed(db, settings):
    now = timezone.now()
    settings.JOB_REPUBLISH_AFTER = timedelta(minutes=15)
    old = now - timedelta(hours=1)
    lost = _queued(published_at=now - timedelta(minutes=16), created_at=old)
    waiting = _queued(published_at=now - timedelta(minutes=14), created_at=old)
    never_sent = _queued(created_at=old)
    running = _queued(published_at=now - timedelta(hours=1), created_at=old, state=JobState.RUNNING)
    assert jobs.pending_outbox() == [lost.pk, never_sent.pk]
    assert waiting.pk not in jobs.pending_outbox()
    assert running.pk not in jobs.pending_outbox()


def test_a_resent_run_counts_its_age_from_the_last_send(db, settings, monkeypatch):
    settings.JOB_REPUBLISH_AFTER = timedelta(minutes=15)
    sent = []
    monkeypatch.setattr(project_app, "send_task", lambda name, kwargs: sent.append(kwargs["job_run_id"]))
    project_app.conf.task_always_eager = False  # a broker, here a fake one (the fixture restores it)
    run = _queued(
        published_at=timezone.now() - timedelta(hours=2), created_at=timezone.now() - timedelta(hours=2)
    )
    assert sweep_outbox() == 1
    assert sent == [run.pk]
    run.refresh_from_db()
    assert run.state == JobState.QUEUED
    assert timezone.now() - run.published_at < timedelta(minutes=1)
    assert run.publish_attempts == 1
    assert sweep_outbox() == 0  # not again until another JOB_REPUBLISH_AFTER has passed


def test_a_run_sent_but_never_started_for_a_day_is_marked_failed(db, settings):
    settings.JOB_GIVE_UP_AFTER = timedelta(hours=24)
    day_old = timezone.now() - timedelta(hours=25)
    stuck = _queued(published_at=timezone.now() - timedelta(hours=1), created_at=day_old)
    # Never published: the broker has been down; the outbox keeps it for when it returns.
    kept = _queued(created_at=day_old)
    assert jobs.give_up_unclaimed() == 1
    stuck.refresh_from_db()
    kept.refresh_from_db()
    assert stuck.state == JobState.FAILED
    assert "never started" in stuck.error
    assert kept.state == JobState.QUEUED


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_lost_message_is_sent_again_and_a_real_worker_runs_the_job_exactly_once(settings):
    """Redis restarted without persistence (here: its list deleted) after the job was published."""
    broker = redis.Redis.from_url(settings.REDIS_URL)
    queue = project_app.conf.task_default_queue
    broker.delete(queue)  # what earlier tests of this session left unconsumed
    with transaction.atomic():
        run = jobs.enqueue(ping)
    run.refresh_from_db()
    assert run.published_at is not None
    assert broker.llen(queue) == 1
    broker.delete(queue)

    settings.JOB_REPUBLISH_AFTER = timedelta(hours=1)
    assert sweep_outbox() == 0  # too soon to call it lost
    settings.JOB_REPUBLISH_AFTER = timedelta(0)
    assert sweep_outbox() == 1
    assert sweep_outbox() == 1  # sent twice on purpose: the duplicate must be harmless
    assert broker.llen(queue) == 2

    with worker_process() as worker:
        run = wait_for_state(run.pk, {JobState.SUCCEEDED, JobState.FAILED})
        deadline = time.monotonic() + 30
        while broker.llen(queue) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # the second message is being handled
    output = worker.stdout.read().decode()
    assert run.state == JobState.SUCCEEDED, run.error
    assert output.count("already claimed; skipping duplicate delivery") == 1, output[-3000:]
    assert JobRun.objects.count() == 1
    assert broker.llen(queue) == 0


def test_the_compose_stack_keeps_redis_messages_across_a_restart():
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    redis_service = compose["services"]["redis"]
    command = redis_service["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(volume.endswith(":/data") for volume in redis_service["volumes"])
