"""The boards' landing page (the bodies a reader may see) and a body's page: its mandate, members,
meetings, open actions and recommendations, each read through a scoped selector."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from boards import selectors, services
from boards.choices import OPEN_ACTIONS
from boards.forms import MembershipEndForm, MembershipForm
from boards.models import ActionItem, Body, Meeting, Membership, Recommendation, Risk
from portal.permissions import ADD, CHANGE, VIEW, may
from portal.web import FORM_METHODS, form_page, get_for, post_data, require

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
            "may_schedule": _open(user, body, Meeting),
            "may_recommend": _open(user, body, Recommendation),
            "may_add_member": may(user, Membership, ADD),
            "may_end_member": may(user, Membership, CHANGE),
            "links": _links(user),
        },
    )


def _open(user, body, model) -> bool:
    """Whether ``user`` may add ``model`` rows under ``body`` (for its buttons)."""
    return (
        may(user, model, ADD) and selectors.bodies_open_to(user=user, model=model).filter(pk=body.pk).exists()
    )


def _body_url(body_id: int) -> str:
    return reverse("boards:body-detail", kwargs={"pk": body_id})


@FORM_METHODS
def membership_add(request, pk: int):
    """Seat someone on body ``pk``; a seat overlapping one they hold is refused on its dates."""
    user = request.user
    body = get_for(request, selectors.body_list, pk, (Membership, ADD))
    return form_page(
        request,
        MembershipForm(
            post_data(request),
            initial={"from_date": timezone.localdate()},
            users=selectors.seatable_users(user=user),
        ),
        lambda data: services.membership_add(actor=user, body=body, **data),
        title=_("Seat a member on %(body)s") % {"body": body},
        success_url=lambda seat: _body_url(seat.body_id),
        success_message=_("Member seated."),
        cancel_url=_body_url(body.pk),
    )


@FORM_METHODS
def membership_end(request, pk: int):
    user = request.user
    seat = get_for(request, selectors.membership_list, pk, CHANGE)
    return form_page(
        request,
        MembershipEndForm(post_data(request), initial={"to_date": seat.to_date or timezone.localdate()}),
        lambda data: services.membership_end(actor=user, membership=seat, **data),
        title=_("End the seat of %(member)s on %(body)s")
        % {"member": seat.user.get_full_name() or seat.user.get_username(), "body": seat.body},
        intro=_("The member sits on the body until this day, included."),
        success_url=lambda seat: _body_url(seat.body_id),
        success_message=_("Seat ended."),
        cancel_url=_body_url(seat.body_id),
    )
