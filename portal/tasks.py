"""Core jobs: the heartbeat, the outbox sweeper and JobRun housekeeping."""

from __future__ import annotations

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal import jobs
from portal.models import JobRun


@shared_task(bind=True, name="portal.tasks.ping")
@jobs.tracked
def ping(self) -> dict:
    """A trivial job that proves the broker, a worker and the database work end to end."""
    return {
        "pong": True,
        "worker": getattr(self.request, "hostname", None) or socket.gethostname(),
        "eager": bool(self.request.is_eager),
    }


@shared_task(name="portal.tasks.sweep_outbox")
def sweep_outbox() -> int:
    """Re-send queued jobs whose publish failed (broker down at commit time) or whose message was
    lost after it was sent; give up on those nobody claimed for a day."""
    jobs.give_up_unclaimed()
    return sum(1 for run_id in jobs.pending_outbox() if jobs.publish(run_id))


@shared_task(name="portal.tasks.purge_job_runs")
def purge_job_runs(days: int = 90) -> int:
    """Keep the JobRun table small; the audit trail, not JobRun, is the permanent record."""
    deleted, _ = JobRun.objects.filter(finished_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


@shared_task(bind=True, name="portal.tasks.send_notification_emails")
@jobs.tracked
def send_notification_emails(self) -> dict:
    """Mail the notifications waiting to go out at once (queued after each notifying commit, and
    swept by the beat)."""
    from portal import notifications

    return notifications.send_pending()


@shared_task(bind=True, name="portal.tasks.send_notification_digests")
@jobs.tracked
def send_notification_digests(self) -> dict:
    """Each user's daily digest of the notifications they asked to get that way."""
    from portal import notifications

    return notifications.send_digests()


@shared_task(bind=True, name="portal.tasks.send_reminders")
@jobs.tracked(atomic=True)
def send_reminders(self) -> dict:
    """Due and overdue reminders from every app. One transaction: a worker killed mid-run leaves
    nothing, the redelivery starts again, and the unique (recipient, kind, object, threshold)
    index makes a second run add nothing."""
    from portal import notifications

    return notifications.send_reminders()
