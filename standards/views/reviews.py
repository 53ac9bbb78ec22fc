"""The catalogue's upkeep pages: domains, the review process, change proposals, what items require,
and the designations the item migration could not match.

Reads go through ``standards.selectors``; writes through ``standards.services``. A row the user
may not see is a 404; a page whose action the user may not take is a 403. A write refused because
of the row's state (a review already completed, a proposal already decided) or a stale version is
a 409 that names the current state; every other refusal is a field message with the input kept.
Each write on an edition ends on that edition's page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.choices import NationKind
from portal.permissions import ADD, CHANGE, DELETE, VIEW, scope_label
from portal.selectors import nation_list
from portal.web import FORM_METHODS, create_view, form_page, get_for, list_view, post_data
from procurement import selectors as procurement_selectors
from standards import filtersets, selectors, services, tables
from standards.forms import reviews as forms
from standards.models import ChangeProposal, Domain, ItemRequirement, ReviewCycle, UnmatchedDesignation


def _standard_url(standard_id: int) -> str:
    return reverse("standards:standard-detail", kwargs={"pk": standard_id})


def _to_standard(obj) -> str:
    """``success_url`` for a write whose result belongs to an edition (``standard_id``)."""
    return _standard_url(obj.standard_id)


# --- Domains (the secretariat's) ----------------------------------------------------------------

domain_list = list_view(
    model=Domain,
    selector=selectors.domain_list,
    filterset_class=filtersets.DomainFilterSet,
    table_class=tables.DomainTable,
    title=gettext_lazy("Domains"),
    export_stem="standard-domains",
    create="standards:domain-create",
)

domain_create = create_view(
    model=Domain,
    form_class=forms.DomainForm,
    service=services.domain_create,
    title=gettext_lazy("New domain"),
    success_url=lambda domain: reverse("standards:domain-list"),
    cancel="standards:domain-list",
)


@FORM_METHODS
def domain_edit(request, pk: int):
    domain = get_for(request, selectors.domain_list, pk, CHANGE)
    return form_page(
        request,
        forms.DomainEditForm(post_data(request), initial=forms.DomainForm.initial_from(domain)),
        lambda data: services.domain_update(actor=request.user, domain=domain, **data),
        title=_("Edit the domain %(domain)s") % {"domain": domain.name},
        success_url=lambda domain: reverse("standards:domain-list"),
        success_message=_("Domain saved."),
        cancel_url=reverse("standards:domain-list"),
    )


# --- Review cycles ------------------------------------------------------------------------------

review_list = list_view(
    model=ReviewCycle,
    selector=selectors.review_list,
    filterset_class=filtersets.ReviewCycleFilterSet,
    table_class=tables.ReviewTable,
    title=gettext_lazy("Reviews"),
    export_stem="standard-reviews",
    links=((ChangeProposal, VIEW, "standards:proposal-list", gettext_lazy("Change proposals")),),
)


@FORM_METHODS
def review_open(request, pk: int):
    """Schedule a review of edition ``pk``; the due date starts at the one its cycle gives."""
    standard = get_for(request, selectors.standard_list, pk, (ReviewCycle, ADD))
    return form_page(
        request,
        forms.ReviewOpenForm(post_data(request), initial={"due_on": standard.next_review_due}),
        lambda data: services.review_open(actor=request.user, standard=standard, **data),
        title=_("Open a review of %(standard)s") % {"standard": standard},
        intro=_("One review of an edition is open at a time; only a promulgated edition is reviewed."),
        success_url=_to_standard,
        success_message=_("Review opened."),
        cancel_url=_standard_url(standard.pk),
    )


@FORM_METHODS
def review_start(request, pk: int):
    review = get_for(request, selectors.review_list, pk, CHANGE)
    return form_page(
        request,
        forms.ReviewStartForm(post_data(request), initial={"version": review.version}),
        lambda data: services.review_start(actor=request.user, review=review, **data),
        title=_("Start the review of %(standard)s") % {"standard": review.standard},
        intro=_("The review, due on %(date)s, is then in progress.") % {"date": date_format(review.due_on)},
        success_url=_to_standard,
        success_message=_("Review started."),
        cancel_url=_standard_url(review.standard_id),
        template="standards/review_confirm.html",
    )


@FORM_METHODS
def review_complete(request, pk: int):
    review = get_for(request, selectors.review_list, pk, CHANGE)
    return form_page(
        request,
        forms.ReviewCompleteForm(
            post_data(request), initial={"version": review.version, "notes": review.notes}
        ),
        lambda data: services.review_complete(actor=request.user, review=review, **data),
        title=_("Complete the review of %(standard)s") % {"standard": review.standard},
        intro=_(
            "“No change” and “Amend” keep the edition in force; “Cancel” cancels it; “New edition” "
            "creates the next edition in Study status. The edition's next review falls due a cycle "
            "after this one."
        ),
        success_url=_to_standard,
        success_message=_("Review completed."),
        cancel_url=_standard_url(review.standard_id),
    )


# --- Change proposals ---------------------------------------------------------------------------

proposal_list = list_view(
    model=ChangeProposal,
    selector=selectors.proposal_list,
    filterset_class=filtersets.ChangeProposalFilterSet,
    table_class=tables.ProposalTable,
    title=gettext_lazy("Change proposals"),
    export_stem="standard-proposals",
    links=((ReviewCycle, VIEW, "standards:review-list", gettext_lazy("Reviews")),),
)


@FORM_METHODS
def proposal_submit(request, pk: int):
    """A proposal to change edition ``pk``: a director's for their own nation; who may propose
    for any nation (the secretariat) picks the proposer."""
    user = request.user
    standard = get_for(request, selectors.standard_list, pk, (ChangeProposal, ADD))
    own_nation = scope_label(user, ChangeProposal, ADD) == "own_nation"
    nations = None if own_nation else nation_list(user=user).filter(kind=NationKind.ALLY)
    return form_page(
        request,
        forms.ProposalSubmitForm(post_data(request), nations=nations),
        lambda data: services.proposal_submit(
            actor=user, standard=standard, nation=data.get("nation") or user.nation, text=data["text"]
        ),
        title=_("Propose a change to %(standard)s") % {"standard": standard},
        success_url=_to_standard,
        success_message=_("Proposal submitted."),
        cancel_url=_standard_url(standard.pk),
    )


@FORM_METHODS
def proposal_decide(request, pk: int):
    proposal = get_for(request, selectors.proposal_list, pk, CHANGE)
    return form_page(
        request,
        forms.ProposalDecideForm(post_data(request), initial={"version": proposal.version}),
        lambda data: services.proposal_decide(actor=request.user, proposal=proposal, **data),
        title=_("Decide %(nation)s's proposal on %(standard)s")
        % {"nation": proposal.nation.name, "standard": proposal.standard},
        intro=proposal.text,
        success_url=_to_standard,
        success_message=_("Decision recorded."),
        cancel_url=_standard_url(proposal.standard_id),
    )


# --- What items require -------------------------------------------------------------------------


@FORM_METHODS
def requirement_add(request, pk: int):
    """Name an item of the procurement catalogue that must meet edition ``pk``."""
    user = request.user
    standard = get_for(request, selectors.standard_list, pk, (ItemRequirement, ADD))
    return form_page(
        request,
        forms.RequirementAddForm(post_data(request), items=procurement_selectors.item_list(user=user)),
        lambda data: services.requirement_add(actor=user, item=data["item"], standard=standard),
        title=_("An item that requires %(standard)s") % {"standard": standard},
        intro=_(
            "A nation that orders or firmly demands the item is alerted where it has not "
            "ratified or implemented this edition."
        ),
        success_url=_to_standard,
        success_message=_("Requirement added."),
        cancel_url=_standard_url(standard.pk),
    )


@FORM_METHODS
def requirement_remove(request, pk: int):
    """GET asks to confirm; POST removes the requirement."""
    requirement = get_for(request, selectors.requirement_list, pk, DELETE)

    def remove(data):
        services.requirement_remove(actor=request.user, requirement=requirement)
        return requirement  # the service returns nothing; the page goes back to the edition

    return form_page(
        request,
        forms.RequirementRemoveForm(post_data(request)),
        remove,
        title=_("Remove the requirement"),
        intro=_("%(item)s will no longer require %(standard)s, and its alerts for this edition end.")
        % {"item": requirement.item.name, "standard": requirement.standard},
        success_url=_to_standard,
        success_message=_("Requirement removed."),
        cancel_url=_standard_url(requirement.standard_id),
        template="standards/review_confirm.html",
    )


# --- Designations the item migration could not match --------------------------------------------

unmatched_list = list_view(
    model=UnmatchedDesignation,
    selector=selectors.unmatched_designation_list,
    filterset_class=filtersets.UnmatchedDesignationFilterSet,
    table_class=tables.UnmatchedTable,
    title=gettext_lazy("Unmatched STANAG designations"),
    export_stem="unmatched-designations",
)


@FORM_METHODS
def unmatched_resolve(request, pk: int):
    """Settle one designation: the edition it meant becomes the item's requirement, or, when it
    was wrong, it is dropped; either way it leaves the list."""
    user = request.user
    designation = get_for(request, selectors.unmatched_designation_list, pk, DELETE)
    form = forms.UnmatchedResolveForm(post_data(request), editions=selectors.standard_list(user=user))

    def resolve(data):
        services.unmatched_designation_resolve(actor=user, designation=designation, **data)
        return data["standard"] or designation

    def where(result) -> str:
        # An edition chosen: its page, where the new requirement shows; else back to the list.
        if isinstance(result, UnmatchedDesignation):
            return reverse("standards:unmatched-list")
        return _standard_url(result.pk)

    return form_page(
        request,
        form,
        resolve,
        title=_("Resolve “%(designation)s” on %(item)s")
        % {"designation": designation.designation, "item": designation.item.name},
        intro=_("The item's old list named this designation, and no catalogue edition matched it."),
        success_url=where,
        success_message=_("Designation resolved."),
        cancel_url=reverse("standards:unmatched-list"),
    )
