"""Notifications (issue 14, section 2): who is told, the centre, the header count, preferences,
mail in the recipient's language, the digest, unsubscribe links and idempotent reminders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from pledges import services
from pledges.models import PlanCycle
from pledges.services import CommentInput
from portal import notifications
from portal.models import Notification, NotificationPreference, ObjectChange, User
from portal.tasks import send_notification_digests, send_notification_emails, send_reminders

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit publish of the mail job, as a real commit would."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def cycle():
    return PlanCycle.objects.create(year=2026, due_date=TODAY + dt.timedelta(days=10))


@pytest.fixture
def submitted(owner, cycle, secretariat, on_commit):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    with on_commit(execute=True):  # the mail job it queues runs, as after a real commit
        services.plan_submit(actor=owner, plan=plan)
    return plan


def _texts(user) -> list[str]:
    return [str(n) for n in Notification.objects.filter(recipient=user).order_by("pk")]


def test_the_workflow_tells_each_side_and_never_the_actor(owner, other, secretariat, submitted, make_user):
    colleague = make_user("director", "POL", username="pol_colleague", email="colleague@example.org")
    assert _texts(secretariat) == [
        f"{owner.get_full_name() or owner.username} submitted Poland plan 2026 for review"
    ]
    assert _texts(owner) == []  # the actor is not told of their own act
    services.plan_start_review(actor=secretariat, plan=submitted)
    services.plan_return(actor=secretariat, plan=submitted, comments=[CommentInput("Add targets.")])
    kinds = list(Notification.objects.filter(recipient=owner).values_list("kind", flat=True).order_by("pk"))
    assert kinds == ["plan_review_started", "plan_returned"]
    # Every director of the nation hears of it, and no other nation's.
    assert Notification.objects.filter(recipient=colleague, kind="plan_returned").count() == 1
    assert not Notification.objects.filter(recipient=other).exists()
    returned = Notification.objects.get(recipient=owner, kind="plan_returned")
    assert returned.url == reverse("pledges:plan-edit", args=[submitted.pk])
    assert returned.actor == secretariat


def test_nobody_is_told_of_what_they_may_not_see(owner, secretariat, cycle, make_user):
    """A draft is its nation's alone: starting one tells nobody, and a notify() aimed at people
    who may not see the object writes nothing for them."""
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    partner = make_user("partner", "UKR", username="partner_ukr")
    fra = make_user("director", "FRA", username="fra_director")
    with transaction.atomic():
        written = notifications.notify(
            "plan_returned", plan, actor=None, recipients=[partner, fra, secretariat], url="/"
        )
    assert written == 0
    assert not Notification.objects.exists()


def test_the_header_counts_unread_and_the_centre_marks_them_read(client, owner, secretariat, submitted):
    services.plan_start_review(actor=secretariat, plan=submitted)
    services.plan_accept(actor=secretariat, plan=submitted)
    owner.refresh_from_db()
    assert owner.unread_notifications == 2
    client.force_login(owner)
    page = client.get(reverse("home")).content.decode()
    assert re.search(r'data-testid="unread-count">2<', page)
    centre = client.get(reverse("notification-list")).content.decode()
    assert "accepted Poland plan 2026" in centre
    assert "started the review of Poland plan 2026" in centre
    first = Notification.objects.filter(recipient=owner).order_by("pk").first()
    response = client.post(reverse("notification-read", args=[first.pk]))
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.unread_notifications == 1
    [single] = ObjectChange.objects.filter(message="notifications marked read", actor=owner)
    assert single.after == {"notifications_marked_read": [first.pk]}
    client.post(reverse("notification-read-all"))
    owner.refresh_from_db()
    assert owner.unread_notifications == 0
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert ObjectChange.objects.filter(message="all notifications marked read", actor=owner).count() == 1
    assert 'data-testid="unread-count"' not in client.get(reverse("home")).content.decode()


def test_another_users_notification_cannot_be_marked(client, owner, other, secretariat, submitted):
    theirs = Notification.objects.get(recipient=secretariat)
    client.force_login(other)
    assert client.post(reverse("notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_full_save_of_a_stale_user_keeps_the_count(owner, secretariat, submitted):
    stale = User.objects.get(pk=owner.pk)
    services.plan_start_review(actor=secretariat, plan=submitted)
    stale.first_name = "Renamed"
    stale.save()
    owner.refresh_from_db()
    assert owner.first_name == "Renamed"
    assert owner.unread_notifications == 1


def test_mail_goes_at_once_in_the_recipients_language(owner, secretariat, submitted, settings, on_commit):
    owner.email, owner.language = "owner@example.org", "fr"
    owner.save()
    mail.outbox.clear()
    with on_commit(execute=True):
        services.plan_start_review(actor=secretariat, plan=submitted)
    # The job was queued in the same transaction and ran on commit (eager here).
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.org"]
    assert message.extra_headers["Content-Language"] == "fr"
    assert "a commencé l’examen" in message.subject  # noqa: RUF001
    html = message.alternatives[0][0]
    assert 'lang="fr"' in html
    assert settings.PORTAL_BASE_URL + reverse("pledges:plan-edit", args=[submitted.pk]) in message.body
    # An optional kind carries a one-click unsubscribe link.
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = Notification.objects.get(recipient=owner)
    assert row.email_state == Notification.Email.SENT


def test_a_compulsory_kind_has_no_unsubscribe_and_cannot_be_turned_off(
    client, owner, secretariat, submitted, on_commit
):
    owner.email = "owner@example.org"
    owner.save()
    client.force_login(owner)
    response = client.post(reverse("notification-preferences"), {"plan_returned": "off"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with on_commit(execute=True):
        services.plan_start_review(actor=secretariat, plan=submitted)
    mail.outbox.clear()
    with on_commit(execute=True):
        services.plan_return(actor=secretariat, plan=submitted, comments=[CommentInput("Add targets.")])
    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "compulsory" in message.body


def test_preferences_choose_digest_or_off_and_are_audited(client, owner, secretariat, submitted):
    owner.email = "owner@example.org"
    owner.save()
    client.force_login(owner)
    form = client.get(reverse("notification-preferences")).content.decode()
    assert "Your nation&#x27;s plan is returned" in form
    data = {kind: spec.default for kind, spec in notifications.KINDS.items()}
    data |= {"plan_review_started": "digest", "plan_accepted": "off"}
    assert client.post(reverse("notification-preferences"), data).status_code == 302
    assert dict(NotificationPreference.objects.filter(user=owner).values_list("kind", "channel")) == {
        "plan_review_started": "digest",
        "plan_accepted": "off",
    }
    trail = ObjectChange.objects.get(message="notification preferences updated")
    assert trail.after == {
        "notification_preferences": {"plan_review_started": "digest", "plan_accepted": "off"}
    }
    mail.outbox.clear()
    services.plan_start_review(actor=secretariat, plan=submitted)
    services.plan_accept(actor=secretariat, plan=submitted)
    assert mail.outbox == []  # one waits for the digest, the other is not mailed at all
    states = dict(Notification.objects.filter(recipient=owner).values_list("kind", "email_state"))
    assert states == {"plan_review_started": "digest", "plan_accepted": "none"}
    # Both still show in the portal.
    owner.refresh_from_db()
    assert owner.unread_notifications == 2

    send_notification_digests()
    (digest,) = mail.outbox
    assert "daily digest: 1 notification" in digest.subject
    assert "started the review of Poland plan 2026" in digest.body
    assert Notification.objects.get(recipient=owner, kind="plan_review_started").email_state == "sent"
    mail.outbox.clear()
    send_notification_digests()
    assert mail.outbox == []  # nothing is sent twice


def test_the_unsubscribe_link_asks_then_turns_the_kind_off(client, owner, secretariat, submitted, on_commit):
    owner.email = "owner@example.org"
    owner.save()
    mail.outbox.clear()
    with on_commit(execute=True):
        services.plan_start_review(actor=secretariat, plan=submitted)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://127.0.0.1:8000")
    # Signed out, a GET only asks (link scanners follow GETs).
    assert "Stop the emails" in client.get(path).content.decode()
    assert not NotificationPreference.objects.exists()
    # The mail client's one-click POST carries no CSRF token.
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.get(user=owner).channel == "off"
    forged = path.replace(path.split("/")[-2], "x" + path.split("/")[-2][1:])
    assert client.get(forged).status_code == 404


def test_a_refused_mail_stays_pending_and_is_sent_by_the_next_run(
    owner, secretariat, submitted, settings, on_commit
):
    owner.email = "owner@example.org"
    owner.save()
    settings.EMAIL_BACKEND = "portal.tests.test_notifications.RefusingBackend"
    with on_commit(execute=True):
        services.plan_start_review(actor=secretariat, plan=submitted)
    row = Notification.objects.get(recipient=owner)
    assert row.email_state == "pending"
    assert row.email_attempts == 1
    assert "refused" in row.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    assert send_notification_emails() == {"sent": 1, "failed": 0}
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.email_state == "sent"


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("refused by the test's server")


def test_reminders_are_sent_once_per_threshold(owner, cycle, monkeypatch):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    send_reminders()
    send_reminders()  # the beat ran twice
    rows = list(Notification.objects.filter(recipient=owner).values_list("kind", "dedupe_key", "object_id"))
    assert rows == [("plan_due", "due-14", str(plan.pk))]
    assert "is due on 11 Dec 2026, in 10 day(s)" in str(Notification.objects.get(recipient=owner))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY + dt.timedelta(days=4))
    send_reminders()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY + dt.timedelta(days=11))
    send_reminders()
    send_reminders()
    keys = list(
        Notification.objects.filter(recipient=owner).order_by("pk").values_list("dedupe_key", flat=True)
    )
    assert keys == ["due-14", "due-7", "overdue"]


def test_a_cycle_not_started_reminds_each_allys_directors_with_their_nation(owner, other, cycle, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    send_reminders()
    assert _texts(owner) == ["Poland plan 2026 is due on 11 Dec 2026, in 10 day(s)"]
    assert _texts(other) == ["France plan 2026 is due on 11 Dec 2026, in 10 day(s)"]


def test_thresholds_and_the_overdue_window(settings):
    settings.NOTIFICATION_OVERDUE_DAYS = 30
    day = dt.timedelta(days=1)
    assert notifications.due_threshold(TODAY + 20 * day, TODAY) is None
    assert notifications.due_threshold(TODAY + 14 * day, TODAY) == "due-14"
    assert notifications.due_threshold(TODAY + 8 * day, TODAY) == "due-14"
    assert notifications.due_threshold(TODAY + 7 * day, TODAY) == "due-7"
    assert notifications.due_threshold(TODAY, TODAY) == "due-1"
    assert notifications.due_threshold(TODAY - day, TODAY) == "overdue"
    assert notifications.due_threshold(TODAY - 30 * day, TODAY) == "overdue"
    # Long past due when first seen (a new deployment): the workspaces show it, no mail does.
    assert notifications.due_threshold(TODAY - 31 * day, TODAY) is None


def test_a_user_with_no_role_has_no_centre(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("notification-list")).status_code == 403
    assert client.post(reverse("notification-read-all")).status_code == 403
    assert 'data-testid="notifications-link"' not in client.get(reverse("profile")).content.decode()
