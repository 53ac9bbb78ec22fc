"""Background jobs with a database outbox.

``enqueue`` writes a queued ``JobRun`` in the caller's transaction and publishes the task after
commit. If the broker is down the publish fails fast (bounded retry in settings) and the row stays
queued and unpublished; ``sweep_outbox`` sends it again later. A message the broker accepted can
still be lost (Redis restarted without persistence, its list deleted): a run that stays queued and
unclaimed for ``JOB_REPUBLISH_AFTER`` after its last publish is sent again, and one still unclaimed
after ``JOB_GIVE_UP_AFTER`` is marked failed, so that it shows instead of waiting for ever. A task
wrapped in ``tracked`` records its own start, end, result or error on that row, and its claim is a
conditional UPDATE, so a duplicate message is harmless.
"""

from __future__ import annotations

import functools
import logging
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from portal.choices import JobState
from portal.models import JobRun

log = logging.getLogger(__name__)

# A queued row not yet published after this long is re-sent by the sweeper.
OUTBOX_GRACE = timedelta(seconds=30)


def _job_name(task) -> str:
    # A name lets a service queue a task without importing the tasks module, which imports services.
    return task if isinstance(task, str) else task.name


def enqueue(task, *, requested_by=None, **kwargs) -> JobRun:
    """Record a job (a task, or its registered name) and publish it once the surrounding
    transaction commits."""
    run = JobRun.objects.create(job_name=_job_name(task), args=kwargs, requested_by=requested_by)
    transaction.on_commit(lambda: publish(run.pk))
    return run


def enqueue_once(task, **kwargs) -> JobRun | None:
    """Like ``enqueue``, unless a run of the same job with the same arguments is already waiting:
    that one has not started, so it will see this transaction's data too (for refresh jobs)."""
    if JobRun.objects.filter(job_name=_job_name(task), args=kwargs, state=JobState.QUEUED).exists():
        return None
    return enqueue(task, **kwargs)


def publish(run_id: int) -> bool:
    """Send a queued run to the broker; on failure leave it in the outbox. Never raises."""
    from portal.celery import app

    run = JobRun.objects.filter(pk=run_id, state=JobState.QUEUED).first()
    if run is None:
        return False
    JobRun.objects.filter(pk=run_id).update(publish_attempts=F("publish_attempts") + 1)
    kwargs = {**run.args, "job_run_id": run.pk}
    if app.conf.task_always_eager:
        # Embedded default (no Redis): run in-process now; ``tracked`` records any failure.
        try:
            app.tasks[run.job_name].apply(kwargs=kwargs, throw=False)
        except Exception:
            log.exception("eager job %s #%s failed", run.job_name, run.pk)
        return True
    try:
        app.send_task(run.job_name, kwargs=kwargs)
    except Exception as exc:  # kombu raises several types for "broker unreachable"
        log.warning("job %s #%s kept in outbox, broker unavailable: %s", run.job_name, run.pk, exc)
        JobRun.objects.filter(pk=run_id).update(error=f"Broker unavailable, will retry: {exc}"[:2000])
        return False
    # The last send: a run still unclaimed long after it is re-sent (``pending_outbox``).
    JobRun.objects.filter(pk=run_id, state=JobState.QUEUED).update(published_at=timezone.now(), error="")
    return True


def pending_outbox() -> list[int]:
    """Queued runs to send (again): never published and past the on-commit publish's grace, or
    published but never claimed for ``JOB_REPUBLISH_AFTER`` (the message was lost)."""
    now = timezone.now()
    never_sent = Q(published_at__isnull=True, created_at__lt=now - OUTBOX_GRACE)
    lost = Q(published_at__lt=now - settings.JOB_REPUBLISH_AFTER)
    return list(
        JobRun.objects.filter(never_sent | lost, state=JobState.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )


def give_up_unclaimed() -> int:
    """Mark failed the runs the broker accepted but no worker claimed for ``JOB_GIVE_UP_AFTER``
    (a task nobody serves, say). Never-published rows stay: they wait for the broker to return."""
    cutoff = timezone.now() - settings.JOB_GIVE_UP_AFTER
    return JobRun.objects.filter(
        state=JobState.QUEUED, published_at__isnull=False, created_at__lt=cutoff
    ).update(
        state=JobState.FAILED,
        finished_at=timezone.now(),
        error=f"Sent to the broker but never started within {settings.JOB_GIVE_UP_AFTER}; gave up.",
    )


def tracked(func=None, *, atomic: bool = False):
    """Wrap a task body so it runs against its JobRun row.

    The transition queued -> running is a conditional UPDATE, so a redelivered message for a run
    that already started or finished does nothing. Called without ``job_run_id`` (beat, shell), the
    wrapper creates the row itself.

    With ``atomic=True`` the claim, the body and the success mark are one transaction. A worker
    killed mid-job (SIGKILL, OOM) then leaves nothing behind: the database rolls the claim back, the
    run is queued again, and the broker's redelivery (acks_late) runs it from the start. A second
    delivery arriving while the first runs waits on the row lock, then finds the run done.
    """
    if func is None:
        return functools.partial(tracked, atomic=atomic)

    def _claim(self, job_run_id, kwargs):
        now = timezone.now()
        if job_run_id is None:
            return JobRun.objects.create(
                job_name=self.name, args=kwargs, state=JobState.RUNNING, started_at=now
            )
        claimed = JobRun.objects.filter(pk=job_run_id, state=JobState.QUEUED).update(
            state=JobState.RUNNING, started_at=now, published_at=now
        )
        if not claimed:
            log.info("job run #%s already claimed; skipping duplicate delivery", job_run_id)
            return None
        return JobRun.objects.get(pk=job_run_id)

    def _failure(exc) -> dict:
        return {
            "state": JobState.FAILED,
            "finished_at": timezone.now(),
            "error": "".join(traceback.format_exception_only(exc)).strip()[:4000],
        }

    def _failed(run_id, exc, *, states):
        JobRun.objects.filter(pk=run_id, state__in=states).update(**_failure(exc))

    def _succeeded(run_id, result):
        JobRun.objects.filter(pk=run_id).update(
            state=JobState.SUCCEEDED, finished_at=timezone.now(), result=result
        )

    @functools.wraps(func)
    def wrapper(self, *args, job_run_id: int | None = None, **kwargs):
        if atomic:
            try:
                with transaction.atomic():
                    run = _claim(self, job_run_id, kwargs)
                    if run is None:
                        return None
                    result = func(self, *args, **kwargs)
                    _succeeded(run.pk, result)
                    return result
            except Exception as exc:
                # The claim rolled back with the work; record the failure on the queued row.
                if job_run_id is not None:
                    _failed(job_run_id, exc, states=[JobState.QUEUED])
                else:
                    JobRun.objects.create(job_name=self.name, args=kwargs, **_failure(exc))
                raise
        run = _claim(self, job_run_id, kwargs)
        if run is None:
            return None
        try:
            result = func(self, *args, **kwargs)
        except Exception as exc:
            _failed(run.pk, exc, states=[JobState.RUNNING])
            raise
        _succeeded(run.pk, result)
        return result

    # Celery checks call arguments against the signature it sees; it must see ``job_run_id``.
    del wrapper.__wrapped__
    return wrapper
