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
    PlanVersion,
    ReviewComment,
)
from portal.choices import Role
from portal.permissions import VIEW, restrict


def cycle_list(*, user) -> QuerySet[PlanCycle]:
    return restrict(PlanCycle.objects.all(), user, VIEW).order_by("-year")


def plan_list(*, user) -> QuerySet[NationalPlan]:
    return (
        restrict(NationalPlan.objects.all(), user, VIEW)
        .select_related("nation", "cycle", "reviewer")
        .order_by("-cycle__year", "nation__name", "pk")
    )


def visible_version(*, user, plan: NationalPlan) -> PlanVersion | None:
    """What this user reads of the plan: the nation reads its working version; everyone else the
    latest submitted (frozen) version, never the draft being revised."""
    versions = restrict(PlanVersion.objects.filter(plan=plan), user, VIEW)
    if user.is_superuser or (user.role == Role.DIRECTOR and user.nation_id == plan.nation_id):
        return versions.filter(pk=plan.current_version_id).first()
    return versions.filter(frozen=True).order_by("-number").first()


def version_content(*, user, version_id: int) -> PlanVersion:
    """One version with its sections, entries and comments, in a constant number of queries."""
    queryset = restrict(PlanVersion.objects.all(), user, VIEW).select_related("plan__nation", "plan__cycle")
    return get_object_or_404(
        queryset.prefetch_related(
            "sections",
            Prefetch(
                "capacitylines",
                queryset=CapacityLine.objects.select_related("item").order_by("item__name", "pk"),
            ),
            Prefetch("investments", queryset=Investment.objects.order_by("year", "pk")),
            Prefetch("measures", queryset=Measure.objects.order_by("commitment", "pk")),
            Prefetch(
                "comments",
                queryset=ReviewComment.objects.select_related("author").order_by("commitment", "pk"),
            ),
        ),
        pk=version_id,
    )


def plan_versions(*, user, plan: NationalPlan) -> QuerySet[PlanVersion]:
    return restrict(PlanVersion.objects.filter(plan=plan), user, VIEW).order_by("number")
