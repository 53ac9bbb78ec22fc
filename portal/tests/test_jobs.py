"""Jobs: a real worker on the real Redis, the outbox when Redis is down, and idempotent runs."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from portal import jobs
from portal.celery import app as project_app
from portal.choices import JobState
from portal.models import JobRun, ObjectChange, User
from portal.tasks import ping, sweep_outbox
from portal.tests.worker import broker_down_app, wait_for_state


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
    assert users == 8
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
