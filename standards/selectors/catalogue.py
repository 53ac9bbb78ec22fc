"""Reads of the catalogue and of what nations recorded against it."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.permissions import VIEW, restrict, restricted_prefetch
from standards.models import (
    ChangeProposal,
    Domain,
    ItemRequirement,
    NationalResponse,
    ReviewCycle,
    ServiceImplementation,
    Standard,
    UnmatchedDesignation,
)


def domain_list(*, user) -> QuerySet[Domain]:
    return restrict(Domain.objects.all(), user, VIEW).order_by("order", "name", "pk")


def standard_list(*, user) -> QuerySet[Standard]:
    return (
        restrict(Standard.objects.all(), user, VIEW)
        .select_related("domain", "supersedes", "superseded_by")
        .order_by("doc_type", "number", "edition", "pk")
    )


def response_list(*, user) -> QuerySet[NationalResponse]:
    return (
        restrict(NationalResponse.objects.all(), user, VIEW)
        .select_related("nation", "standard", "standard__domain", "updated_by")
        .prefetch_related(
            restricted_prefetch("services", ServiceImplementation.objects.order_by("service"), user)
        )
        .order_by("standard__doc_type", "standard__number", "standard__edition", "nation__name", "pk")
    )


def review_list(*, user) -> QuerySet[ReviewCycle]:
    return (
        restrict(ReviewCycle.objects.all(), user, VIEW)
        .select_related("standard", "new_edition")
        .order_by("-due_on", "pk")
    )


def proposal_list(*, user) -> QuerySet[ChangeProposal]:
    return (
        restrict(ChangeProposal.objects.all(), user, VIEW)
        .select_related("standard", "nation", "submitted_by")
        .order_by("-submitted_at", "pk")
    )


def requirement_list(*, user) -> QuerySet[ItemRequirement]:
    return (
        restrict(ItemRequirement.objects.all(), user, VIEW)
        .select_related("item", "standard", "standard__domain")
        .order_by("item__name", "standard__number", "standard__edition", "pk")
    )


def unmatched_designation_list(*, user) -> QuerySet[UnmatchedDesignation]:
    return (
        restrict(UnmatchedDesignation.objects.all(), user, VIEW)
        .select_related("item")
        .order_by("item__name", "designation", "pk")
    )
