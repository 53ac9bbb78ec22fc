"""Plan reads, scoped by ``restrict``: drafts never leave their nation."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
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
from portal.permissions import VIEW, allows, restrict


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

    def part(model, *ordering):
        return restrict(model.objects.all(), user, VIEW).order_by(*ordering)

    return get_object_or_404(
        queryset.prefetch_related(
            Prefetch("sections", queryset=part(PlanSection, "commitment")),
            Prefetch("capacitylines", queryset=part(CapacityLine, "item__name", "pk").select_related("item")),
            Prefetch("investments", queryset=part(Investment, "year", "pk")),
            Prefetch("measures", queryset=part(Measure, "commitment", "pk")),
            Prefetch("comments", queryset=part(ReviewComment, "commitment", "pk").select_related("author")),
        ),
        pk=version_id,
    )


def plan_version_list(*, user, plan: NationalPlan) -> QuerySet[PlanVersion]:
    return restrict(PlanVersion.objects.filter(plan=plan), user, VIEW).order_by("number")
