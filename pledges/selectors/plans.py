"""Plan reads, scoped by ``restrict``: drafts never leave their nation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from pledges.models import (
    CapacityLine,
    Investment,
    Measure,
    NationalPlan,
    PlanCycle,
    PlanSection,
    PlanVersion,
    ReviewComment,
)
from pledges.rules import READ_DRAFT
from portal.permissions import VIEW, allows, restrict, restricted_prefetch


def cycle_list(*, user) -> QuerySet[PlanCycle]:
    return restrict(PlanCycle.objects.all(), user, VIEW).order_by("-year")


def plan_list(*, user) -> QuerySet[NationalPlan]:
    return (
        restrict(NationalPlan.objects.all(), user, VIEW)
        .select_related("nation", "cycle", "reviewer")
        .order_by("-cycle__year", "nation__name", "pk")
    )


def plan_version_get(*, user, plan: NationalPlan) -> PlanVersion | None:
    """What this user reads of the plan: the nation reads its working version; everyone else the
    latest submitted (frozen) version, never the draft being revised."""
    versions = restrict(PlanVersion.objects.filter(plan=plan), user, VIEW)
    if allows(user, READ_DRAFT, plan):
        return versions.filter(pk=plan.current_version_id).first()
    return versions.filter(frozen=True).order_by("-number").first()


def plan_content_get(*, user, version_id: int) -> PlanVersion:
    """One version with its sections, entries and comments, in a constant number of queries. Each
    part is scoped on its own: NSPA, for one, reads a submitted plan's capacity lines only."""
    queryset = restrict(PlanVersion.objects.all(), user, VIEW).select_related("plan__nation", "plan__cycle")

    def part(lookup, model, *ordering, related=()):
        queryset = model.objects.order_by(*ordering).select_related(*related)
        return restricted_prefetch(lookup, queryset, user)

    return get_object_or_404(
        queryset.prefetch_related(
            part("sections", PlanSection, "commitment"),
            part("capacitylines", CapacityLine, "item__name", "pk", related=["item"]),
            part("investments", Investment, "year", "pk"),
            part("measures", Measure, "commitment", "pk"),
            part("comments", ReviewComment, "commitment", "pk", related=["author"]),
        ),
        pk=version_id,
    )


def plan_version_list(*, user, plan: NationalPlan) -> QuerySet[PlanVersion]:
    return restrict(PlanVersion.objects.filter(plan=plan), user, VIEW).order_by("number")
