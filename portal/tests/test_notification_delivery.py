"""Notification mail against real parts: an SMTP server started in the test (aiosmtpd) receives
the message with its headers and language, and reminders run by a real Celery worker are sent
once, even when the job runs twice or its worker is killed in the middle."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import signal
import socket
import time

import psycopg
import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from pledges import services
from pledges.models import PlanCycle
from portal import jobs
from portal.choices import JobState
from portal.models import JobRun, Notification
from portal.tests.worker import backend_waits_on_lock, end_lock_waiters, wait_for_state, worker_process

# The reminder job's recount of a recipient's unread notifications.
USER_COUNT_QUERY = "%portal_user%unread_notifications%"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "NATO Production Portal <portal@portal.test>"
    yield inbox
    controller.stop()


@pytest.mark.django_db
def test_a_real_smtp_server_gets_the_mail_in_the_recipients_language(
    owner, secretariat, smtp_server, django_capture_on_commit_callbacks, settings
):
    owner.email, owner.language = "directeur@defense.example", "fr"
    owner.save()
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 12, 31))
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_submit(actor=owner, plan=plan)
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_start_review(actor=secretariat, plan=plan)

    assert len(smtp_server.messages) == 1, smtp_server.messages  # the secretariat user has no address
    sender, recipients, message = smtp_server.messages[0]
    assert sender == "portal@portal.test"
    assert recipients == ["directeur@defense.example"]
    assert message["To"] == "directeur@defense.example"
    assert message["Content-Language"] == "fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "a commencé l’examen de Poland plan 2026" in message["Subject"]  # noqa: RUF001
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # folded onto its own line: it is long
    assert unsubscribe.startswith(f"<{settings.PORTAL_BASE_URL}/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    link = settings.PORTAL_BASE_URL + reverse("pledges:plan-edit", args=[plan.pk])
    assert link in text
    assert f'href="{link}"' in html
    assert 'lang="fr"' in html
    assert "Ouvrir dans le portail" in html
    assert Notification.objects.get(recipient=owner).email_state == Notification.Email.SENT


def _reminders() -> list[tuple]:
    return sorted(
        Notification.objects.filter(kind__in=["plan_due", "plan_overdue"]).values_list(
            "recipient__username", "kind", "dedupe_key"
        )
    )


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_reminders_through_a_real_worker_are_sent_once_even_after_a_kill_and_a_second_run(owner, other):
    if connection.vendor != "postgresql":
        pytest.skip("the kill needs PostgreSQL's row locks")
    today = timezone.localdate()
    cycle = PlanCycle.objects.create(year=2089, due_date=today + dt.timedelta(days=5))
    services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    services.plan_start(actor=other, nation=other.nation, cycle=cycle)
    Notification.objects.all().delete()

    # Hold the French director's row: the job writes Poland's reminder, then waits on this lock
    # to count France's, and is killed there.
    params = connection.get_connection_params()
    blocker = psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}}
    )
    blocker.execute("SELECT id FROM portal_user WHERE id = %s FOR UPDATE", [other.pk])
    try:
        with transaction.atomic():
            run = jobs.enqueue("portal.tasks.send_reminders")
        with worker_process(visibility_timeout=4) as first:
            assert backend_waits_on_lock(USER_COUNT_QUERY), "the worker never reached the locked row"
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        end_lock_waiters(USER_COUNT_QUERY, keep=blocker.info.backend_pid)
    finally:
        blocker.rollback()
        blocker.close()

    # The killed run's transaction is gone with it: no reminder was half sent.
    deadline = time.monotonic() + 20
    while JobRun.objects.get(pk=run.pk).state != JobState.QUEUED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _reminders() == []

    expected = [("owner_pol", "plan_due", "due-7"), ("other_fra", "plan_due", "due-7")]
    with worker_process(visibility_timeout=4):
        finished = wait_for_state(run.pk, {JobState.SUCCEEDED, JobState.FAILED}, timeout=60)
        assert finished.state == JobState.SUCCEEDED, finished.error
        assert _reminders() == sorted(expected)
        # The beat runs it again (twice at once, even): nobody is told twice.
        with transaction.atomic():
            again = [jobs.enqueue("portal.tasks.send_reminders") for _ in range(2)]
        for extra in again:
            assert wait_for_state(extra.pk, {JobState.SUCCEEDED, JobState.FAILED}, timeout=60).state == (
                JobState.SUCCEEDED
            )
    assert _reminders() == sorted(expected)
    owner.refresh_from_db()
    assert owner.unread_notifications == 1
