"""The boards' landing page (the bodies a reader may see) and a body's page: its mandate, members,
meetings, open actions and recommendations, each read through a scoped selector."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import selectors
from boards.choices import OPEN_ACTIONS
from boards.models import ActionItem, Body, Meeting, Membership, Recommendation, Risk
from portal.permissions import ADD, VIEW, may
from portal.web import get_for, require

BODY_ROWS = 10  # meetings, actions and recommendations shown on a body's page


@require_GET
def body_list(request):
    user = request.user
    require(user, Body, VIEW)
    today = timezone.localdate()
    bodies = list(selectors.body_list(user=user))
    seats = {
        seat.body_id: seat for seat in selectors.membership_list(user=user, on=today).filter(user=user.pk)
    }
    return render(
        request,
        "boards/body_list.html",
        {
            "bodies": [(body, seats.get(body.pk)) for body in bodies],
            "links": _links(user),
        },
    )


def _links(user) -> list[tuple[str, str]]:
    """The boards' lists the reader may open."""
    pairs = [
        (Meeting, "boards:meeting-list", _("Meetings")),
        (ActionItem, "boards:action-list", _("Action tracker")),
        (Recommendation, "boards:recommendation-list", _("Recommendations to CNAD")),
        (Risk, "boards:risk-list", _("Supply-chain risks")),
    ]
    return [(reverse(name), label) for model, name, label in pairs if may(user, model, VIEW)]


@require_GET
def body_detail(request, pk: int):
    user = request.user
    body = get_for(request, selectors.body_list, pk)
    now = timezone.now()
    meetings = selectors.meeting_list(user=user, body=body)
    return render(
        request,
        "boards/body_detail.html",
        {
            "body": body,
            "members": list(selectors.membership_list(user=user, body=body, on=timezone.localdate())),
            "may_see_members": may(user, Membership, VIEW),
            "upcoming": list(meetings.filter(starts_at__gte=now)[:BODY_ROWS]),
            "past": list(meetings.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:BODY_ROWS]),
            "actions": list(
                selectors.action_list(user=user, body=body).filter(status__in=OPEN_ACTIONS)[:BODY_ROWS]
            ),
            "recommendations": list(selectors.recommendation_list(user=user, body=body)[:BODY_ROWS]),
            "may_add_action": may(user, ActionItem, ADD),
            "links": _links(user),
        },
    )
