"""Plan reads, scoped by ``restrict``: drafts never leave their nation."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from pledges.choices import Commitment
from pledges.models import (
    ENTRY_KINDS,
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
            *(
                part(model.entry_related, model, *model.entry_ordering, related=model.entry_select)
                for model in ENTRY_KINDS.values()
            ),
            part("comments", ReviewComment, "commitment", "pk", related=["author"]),
        ),
        pk=version_id,
    )


def plan_version_list(*, user, plan: NationalPlan) -> QuerySet[PlanVersion]:
    return restrict(PlanVersion.objects.filter(plan=plan), user, VIEW).order_by("number")


def plan_submitted_list(*, user, plan: NationalPlan) -> list[PlanVersion]:
    """The plan's submitted versions the user may read, oldest first, each with its comments."""
    comments = ReviewComment.objects.select_related("author").order_by("commitment", "pk")
    return list(
        plan_version_list(user=user, plan=plan)
        .filter(frozen=True)
        .prefetch_related(restricted_prefetch("comments", comments, user))
    )


@dataclass
class PlanDetail:
    """A plan as one reader reads it: ``version`` with its sections, entries and comments (or None
    when they may read no version), and ``review_comments``, the comments of the last review: they
    sit on the latest submitted version, which is not ``version`` while the nation revises a
    returned plan."""

    plan: NationalPlan
    version: PlanVersion | None
    review_comments: list[ReviewComment]

    def comments_by_section(self) -> dict[int | None, list[ReviewComment]]:
        """``review_comments`` by section; ``None`` holds the plan-wide ones."""
        grouped: dict[int | None, list[ReviewComment]] = defaultdict(list)
        for comment in self.review_comments:
            grouped[comment.commitment].append(comment)
        return grouped

    def entries_by_section(self) -> dict[int, list]:
        """The version's entries of every kind, by section, in the registry's order."""
        grouped: dict[int, list] = defaultdict(list)
        for model in ENTRY_KINDS.values():
            for entry in getattr(self.version, model.entry_related).all():
                grouped[entry.commitment].append(entry)
        return grouped

    def empty_sections(self) -> list[tuple[int, str]]:
        """The version's sections that hold nothing, as (commitment, title): no narrative (blank
        text counts as none) and no capacity line, investment or measure under the commitment."""
        entries = self.entries_by_section()
        return [
            (section.commitment, Commitment(section.commitment).label)
            for section in self.version.sections.all()
            if not section.narrative.strip() and not entries.get(section.commitment)
        ]


def plan_detail_get(
    *, user, plan: NationalPlan, version: PlanVersion | None = None, review_comments: bool = True
) -> PlanDetail:
    """The one composition of a plan's detail, for the API, the editor and the review screen.

    The version is the one ``plan_version_get`` gives this user (the nation's working version),
    or ``version``, one the caller read through ``plan_version_list`` (a review reads the latest
    submitted one). Without ``review_comments`` (a fragment that shows none) they are not read.
    Queries: a constant number.
    """
    shown = version or plan_version_get(user=user, plan=plan)
    version = shown and plan_content_get(user=user, version_id=shown.pk)
    if not review_comments:
        comments = []
    elif version is None or version.frozen:
        comments = list(version.comments.all()) if version else []
    elif version.number < 2:
        comments = []  # a first draft: nothing was reviewed yet
    else:
        reviewed = (
            plan_version_list(user=user, plan=plan)
            .filter(frozen=True)
            .prefetch_related(
                restricted_prefetch(
                    "comments",
                    ReviewComment.objects.select_related("author").order_by("commitment", "pk"),
                    user,
                    to_attr="listed",
                )
            )
            .last()
        )
        comments = reviewed.listed if reviewed else []
    return PlanDetail(plan=plan, version=version, review_comments=comments)


def plan_previous_get(*, user, plan: NationalPlan) -> NationalPlan | None:
    """The nation's latest plan before ``plan``'s cycle that ``user`` sees: what year on year compares."""
    return (
        plan_list(user=user)
        .filter(nation=plan.nation_id, cycle__year__lt=plan.cycle.year)
        .order_by("-cycle__year")
        .first()
    )
