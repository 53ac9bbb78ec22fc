"""A notification never reveals what its recipient may not see (issue 14, section 2), checked with
the hardening issue's canaries (tests/test_audit_privacy.py): drafts of two nations carry canary
strings, every event and every reminder the portal sends about them is produced, and then each
role's notification centre, each mail that would go out and each row's target are read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pledges import services
from pledges.services import CommentInput
from portal import notifications
from portal.models import Notification
from portal.permissions import VIEW, is_allowed
from tests.test_audit_privacy import ALL_POL, FRA_REDRAFT, FRA_SUBMITTED, scene  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CANARIES = (*ALL_POL, FRA_REDRAFT, FRA_SUBMITTED)


def _every_event(scene, owner, other, secretariat):  # noqa: F811 - the fixture's value
    """The plans' workflow end to end, and the reminders on the cycle's due date and after it."""
    due = scene["pol_plan"].cycle.due_date
    notifications.send_reminders(due - dt.timedelta(days=3))
    notifications.send_reminders(due + dt.timedelta(days=1))
    services.plan_submit(actor=owner, plan=scene["pol_plan"])
    services.plan_start_review(actor=secretariat, plan=scene["pol_plan"])
    services.plan_return(actor=secretariat, plan=scene["pol_plan"], comments=[CommentInput("CANARY-COMMENT")])
    services.plan_submit(actor=other, plan=scene["fra_plan"])
    services.plan_start_review(actor=secretariat, plan=scene["fra_plan"])
    services.plan_accept(actor=secretariat, plan=scene["fra_plan"])


def test_every_notification_is_about_something_its_recipient_may_see(
    client,
    scene,  # noqa: F811
    owner,
    other,
    secretariat,
    users_by_role,
):
    _every_event(scene, owner, other, secretariat)
    rows = list(Notification.objects.select_related("recipient", "content_type"))
    kinds = {row.kind for row in rows}
    assert {"plan_due", "plan_overdue", "plan_submitted", "plan_review_started", "plan_returned"} <= kinds
    for row in rows:
        target = row.content_type.get_object_for_this_type(pk=row.object_id)
        assert is_allowed(row.recipient, VIEW, target), (row.recipient.username, row.kind, str(target))

    # No role reads a canary in its centre or its mail, and the review's comment stays in the review.
    for role, user in {**users_by_role, "owner": owner, "other": other, "secretariat": secretariat}.items():
        client.force_login(user)
        page = client.get(reverse("notification-list")).content.decode()
        mails = "".join(
            notifications.build_message(row).message().as_string()
            for row in rows
            if row.recipient_id == user.pk
        )
        for canary in (*CANARIES, "CANARY-COMMENT"):
            assert canary not in page, (role, canary)
            assert canary not in mails, (role, canary)

    # Partners, board members, NSPA and users with no role hear nothing of national plans.
    for role in ("partner", "board_member", "nspa", "no_role"):
        assert not Notification.objects.filter(
            recipient=users_by_role[role], kind__startswith="plan_"
        ).exists()
    # France hears nothing of Poland's plan, and Poland nothing of France's.
    plans = Notification.objects.filter(content_type__model="nationalplan")
    assert not plans.filter(recipient=other, object_id=str(scene["pol_plan"].pk)).exists()
    assert not plans.filter(recipient=owner, object_id=str(scene["fra_plan"].pk)).exists()
    assert plans.filter(recipient=owner, object_id=str(scene["pol_plan"].pk)).exists()
