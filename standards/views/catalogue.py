"""The catalogue's pages: the list of editions, one edition's page, and the secretariat's forms.

Reads go through ``standards.selectors``; writes through ``standards.services``. An edition is
readable by every role; what nations recorded against it only by Allies (``standards.rules``).
"""

from __future__ import annotations

from collections import Counter

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.permissions import ADD, CHANGE, DELETE, VIEW, may
from portal.selectors import objectchange_history
from portal.web import FORM_METHODS, detail_url, form_page, get_for, list_view, post_data, require
from standards import filtersets, selectors, services, tables
from standards.choices import PROPOSAL_OPEN, RESPONDABLE
from standards.forms.catalogue import StandardEditForm, StandardForm
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    NationalResponse,
    ReviewCycle,
    Standard,
    UnmatchedDesignation,
)

# Rows shown per section of an edition's page; a section with more links to its full list.
DETAIL_ROWS = 100
HISTORY_ROWS = 50

standard_list = list_view(
    model=Standard,
    selector=selectors.standard_list,
    filterset_class=filtersets.StandardFilterSet,
    table_class=tables.StandardTable,
    title=gettext_lazy("Standards catalogue"),
    export_stem="standards",
    create="standards:standard-create",
    links=(
        (NationalResponse, VIEW, "standards:matrix", gettext_lazy("Ratification matrix")),
        (NationalResponse, VIEW, "standards:alert-list", gettext_lazy("Interoperability alerts")),
        (ReviewCycle, VIEW, "standards:review-list", gettext_lazy("Reviews")),
        (ChangeProposal, VIEW, "standards:proposal-list", gettext_lazy("Change proposals")),
        (UnmatchedDesignation, VIEW, "standards:unmatched-list", gettext_lazy("Unmatched designations")),
        (Domain, CHANGE, "standards:domain-list", gettext_lazy("Domains")),
        (Standard, ADD, "standards:catalogue-import", gettext_lazy("Import")),
    ),
)


def _form_choices(user, exclude: Standard | None = None) -> dict:
    editions = selectors.standard_list(user=user)
    if exclude is not None:
        editions = editions.exclude(pk=exclude.pk)
    return {"domains": selectors.domain_list(user=user), "editions": editions}


@FORM_METHODS
def standard_create(request):
    user = request.user
    require(user, Standard, ADD)
    return form_page(
        request,
        StandardForm(post_data(request), **_form_choices(user)),
        lambda data: services.standard_create(actor=user, **data),
        title=_("New edition"),
        intro=_(
            "One row per edition. A new edition that supersedes a promulgated one marks it "
            "superseded when it is promulgated itself; the old edition keeps its national responses."
        ),
        success_url=detail_url("standards:standard-detail"),
        success_message=_("Edition saved."),
        cancel_url=_list_url(),
    )


@FORM_METHODS
def standard_edit(request, pk: int):
    user = request.user
    standard = get_for(request, selectors.standard_list, pk, CHANGE)
    return form_page(
        request,
        StandardEditForm(
            post_data(request), initial=StandardForm.initial_from(standard), **_form_choices(user, standard)
        ),
        lambda data: services.standard_update(actor=user, standard=standard, **data),
        title=_("Edit %(standard)s") % {"standard": standard},
        success_url=detail_url("standards:standard-detail"),
        success_message=_("Edition saved."),
        cancel_url=standard_url(standard),
    )


def _list_url() -> str:
    return reverse("standards:standard-list")


def standard_url(standard: Standard) -> str:
    return reverse("standards:standard-detail", kwargs={"pk": standard.pk})


@require_GET
def standard_detail(request, pk: int):
    user = request.user
    standard = get_for(request, selectors.standard_list, pk)
    editions = list(
        selectors.standard_list(user=user)
        .filter(doc_type=standard.doc_type, number=standard.number)
        .order_by("-promulgated_on", "-pk")
    )
    may_read_responses = may(user, NationalResponse, VIEW)
    responses = (
        list(selectors.response_list(user=user).filter(standard=standard).order_by("nation__name", "pk"))
        if may_read_responses
        else None
    )
    reviews = list(selectors.review_list(user=user).filter(standard=standard)[:DETAIL_ROWS])
    proposals = list(selectors.proposal_list(user=user).filter(standard=standard)[:DETAIL_ROWS])
    requirements = list(selectors.requirement_list(user=user).filter(standard=standard)[:DETAIL_ROWS])
    alerts = (
        selectors.alerts(selectors.alert_list(user=user, standard=standard)[:DETAIL_ROWS])
        if may_read_responses
        else None
    )
    history = objectchange_history(
        user=user,
        targets=[
            (Standard, [standard.pk]),
            (NationalResponse, [response.pk for response in responses or ()]),
            (ReviewCycle, [review.pk for review in reviews]),
            (ChangeProposal, [proposal.pk for proposal in proposals]),
            (ItemRequirement, [requirement.pk for requirement in requirements]),
        ],
        limit=HISTORY_ROWS,
    )
    return render(
        request,
        "standards/standard_detail.html",
        {
            "standard": standard,
            "editions": editions,
            "responses": responses,
            "summary": _summary(responses) if responses is not None else None,
            "reviews": reviews,
            "proposals": proposals,
            "requirements": requirements,
            "alerts": alerts,
            "alert_rows": DETAIL_ROWS,
            "history": history,
            "may_edit": may(user, Standard, CHANGE),
            "may_respond": may(user, NationalResponse, ADD) and standard.status in RESPONDABLE,
            "may_review": may(user, ReviewCycle, ADD),
            "may_run_reviews": may(user, ReviewCycle, CHANGE),
            "may_decide": may(user, ChangeProposal, CHANGE),
            "open_proposal": PROPOSAL_OPEN,
            "may_propose": may(user, ChangeProposal, ADD),
            "may_require": may(user, ItemRequirement, ADD),
            "may_unrequire": may(user, ItemRequirement, DELETE),
        },
    )


def _summary(responses: list[NationalResponse]) -> dict:
    """Counts of the recorded responses by ratification and by implementation."""
    ratification = Counter(response.ratification for response in responses)
    implementation = Counter(response.implementation for response in responses)
    return {"ratification": ratification, "implementation": implementation, "total": len(responses)}
