"""The action tracker (filter by body, owner, nation, status and overdue; export), its forms, and the
recommendations board: recommendations by state with the dates of their history, and the form
that moves one on (a wrong move is a 409 naming the current state, a wrong role a 403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from boards import filtersets, selectors, services, tables
from boards.choices import RECOMMENDATION_FLOW, RecommendationState
from boards.choices import RecommendationState as State
from boards.forms import (
    LINK_LABELS,
    ActionEditForm,
    ActionForm,
    RecommendationEditForm,
    RecommendationForm,
    RecommendationMoveForm,
)
from boards.models import ActionItem, Link, Recommendation
from boards.services.work import MOVES
from boards.views.meetings import ensure_open
from portal.choices import NationKind
from portal.permissions import ADD, CHANGE, DELETE, VIEW, allows, may
from portal.selectors import nation_list, objectchange_history
from portal.web import FORM_METHODS, form_page, get_for, list_view, post_data, require

action_list = list_view(
    model=ActionItem,
    selector=selectors.action_list,
    filterset_class=filtersets.ActionFilterSet,
    table_class=tables.ActionItemTable,
    title=gettext_lazy("Action tracker"),
    export_stem="board-actions",
)


def _owners(body, user):
    """Who may own an action of ``body``: the people sitting on it today, and the Allies."""
    people = selectors.member_users(user=user, body=body, on=timezone.localdate())
    return people, nation_list(user=user).filter(kind=NationKind.ALLY)


@FORM_METHODS
def action_create(request, pk: int):
    """A new action of body ``pk``; ``?meeting=`` ties it to the meeting that decided it."""
    user = request.user
    body = get_for(request, selectors.body_list, pk, (ActionItem, ADD))
    meeting = None
    if request.GET.get("meeting", "").isdigit():
        meeting = get_object_or_404(
            selectors.meeting_list(user=user, body=body), pk=int(request.GET["meeting"])
        )
    people, nations = _owners(body, user)
    back = (
        reverse("boards:meeting-detail", kwargs={"pk": meeting.pk})
        if meeting
        else reverse("boards:body-detail", kwargs={"pk": body.pk})
    )
    return form_page(
        request,
        ActionForm(post_data(request), people=people, nations=nations),
        lambda data: services.action_create(actor=user, body=body, meeting=meeting, **data),
        title=_("New action of %(body)s") % {"body": body},
        intro=_("Decided at %(meeting)s.") % {"meeting": meeting} if meeting else "",
        success_url=lambda action: back,
        success_message=_("Action recorded."),
        cancel_url=back,
    )


@FORM_METHODS
def action_edit(request, pk: int):
    user = request.user
    action = get_for(request, selectors.action_list, pk, CHANGE)
    people, nations = _owners(action.body, user)
    initial = {
        "text": action.text,
        "is_decision": action.is_decision,
        "owner_user": action.owner_user_id,
        "owner_nation": action.owner_nation.code if action.owner_nation_id else None,
        "due_on": action.due_on,
        "status": action.status,
        "version": action.version,
    }
    may_change = allows(user, CHANGE, action)
    links = selectors.shown_links(user=user, links=selectors.link_list(user=user).filter(action=action))
    return form_page(
        request,
        ActionEditForm(post_data(request), initial=initial, people=people, nations=nations),
        lambda data: services.action_update(actor=user, action=action, **data),
        title=_("Edit the action"),
        success_url=lambda action: reverse("boards:action-list"),
        success_message=_("Action saved."),
        cancel_url=reverse("boards:action-list"),
        template="boards/action_edit.html",
        context={
            "action": action,
            "links": links,
            "link_kinds": list(LINK_LABELS.items()),
            "may_link": may_change and may(user, Link, ADD),
            "may_unlink": may_change and may(user, Link, DELETE),
        },
    )


# --- Recommendations ---------------------------------------------------------------------------


@require_GET
def recommendation_list(request):
    """The board: a column per state, in the workflow's order, each card with its dates."""
    user = request.user
    require(user, Recommendation, VIEW)
    rows = list(selectors.recommendation_list(user=user))
    columns = [(state, [r for r in rows if r.state == state]) for state in RecommendationState]
    history = objectchange_history(user=user, targets=[(Recommendation, [r.pk for r in rows])], limit=30)
    movable = {grant for grant, _event in MOVES.values() if may(user, Recommendation, grant)}
    drafting = (
        list(selectors.bodies_open_to(user=user, model=Recommendation))
        if may(user, Recommendation, ADD)
        else []
    )
    return render(
        request,
        "boards/recommendation_list.html",
        {
            "columns": columns,
            "history": history,
            "may_move": bool(movable),
            "may_edit": may(user, Recommendation, CHANGE),
            "drafted": State.DRAFTED.value,
            "drafting": drafting,
        },
    )


@FORM_METHODS
def recommendation_create(request, pk: int):
    """Draft a recommendation to CNAD for body ``pk`` (a working group, usually)."""
    user = request.user
    body = get_for(request, selectors.body_list, pk, (Recommendation, ADD))
    ensure_open(user, body, Recommendation)
    return form_page(
        request,
        RecommendationForm(post_data(request)),
        lambda data: services.recommendation_create(actor=user, body=body, **data),
        title=_("Draft a recommendation of %(body)s") % {"body": body},
        intro=_("It stays a draft, editable by the body's members, until the Board endorses it."),
        success_url=lambda rec: reverse("boards:recommendation-list"),
        success_message=_("Recommendation drafted."),
        cancel_url=reverse("boards:recommendation-list"),
    )


@FORM_METHODS
def recommendation_edit(request, pk: int):
    """Edit a draft; once endorsed or sent, the service's 409 names its state."""
    user = request.user
    recommendation = get_for(request, selectors.recommendation_list, pk, CHANGE)
    if not allows(user, CHANGE, recommendation):
        raise PermissionDenied  # another group's recommendation, read from the Board
    initial = {"title": recommendation.title, "text": recommendation.text, "version": recommendation.version}
    return form_page(
        request,
        RecommendationEditForm(post_data(request), initial=initial),
        lambda data: services.recommendation_update(actor=user, recommendation=recommendation, **data),
        title=_("Edit “%(title)s”") % {"title": recommendation.title},
        intro=_("Only a draft is edited; it is now %(state)s.")
        % {"state": recommendation.get_state_display().lower()},
        success_url=lambda rec: reverse("boards:recommendation-list"),
        success_message=_("Recommendation saved."),
        cancel_url=reverse("boards:recommendation-list"),
    )


def _targets(recommendation: Recommendation, user) -> list[str]:
    """The states the reader may move ``recommendation`` to, by their grants (the row's scope is
    checked by the service)."""
    return [
        state
        for state in RECOMMENDATION_FLOW[recommendation.state]
        if may(user, Recommendation, MOVES[state][0])
    ]


@FORM_METHODS
def recommendation_move(request, pk: int):
    user = request.user
    recommendation = get_for(request, selectors.recommendation_list, pk)
    if not any(may(user, Recommendation, grant) for grant, _event in MOVES.values()):
        raise PermissionDenied
    flow = RECOMMENDATION_FLOW[recommendation.state]
    targets = _targets(recommendation, user)
    if flow and not targets:
        raise PermissionDenied  # every move from here needs a grant the reader lacks
    return form_page(
        request,
        RecommendationMoveForm(
            post_data(request), initial={"version": recommendation.version}, targets=targets
        ),
        lambda data: services.recommendation_move(actor=user, recommendation=recommendation, **data),
        title=_("Move “%(title)s” on") % {"title": recommendation.title},
        intro=_("It is now %(state)s.") % {"state": recommendation.get_state_display().lower()},
        success_url=lambda rec: reverse("boards:recommendation-list"),
        success_message=_("Recommendation moved."),
        cancel_url=reverse("boards:recommendation-list"),
    )
