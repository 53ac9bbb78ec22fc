"""Core reads. Each starts from ``restrict`` so a user only ever sees what the matrix grants."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.models import JobRun, Nation, ObjectChange
from portal.permissions import VIEW, restrict


def nation_list(*, user) -> QuerySet[Nation]:
    return restrict(Nation.objects.all(), user, VIEW).order_by("name", "pk")


def objectchange_list(*, user) -> QuerySet[ObjectChange]:
    return (
        restrict(ObjectChange.objects.all(), user, VIEW)
        .select_related("content_type")
        .order_by("-time", "-pk")
    )


def jobrun_list(*, user) -> QuerySet[JobRun]:
    return restrict(JobRun.objects.all(), user, VIEW).order_by("-created_at", "-pk")


def jobrun_latest() -> JobRun | None:
    """The most recent job run, for the unauthenticated health probe (name, state and times only)."""
    return (
        JobRun.objects.order_by("-created_at", "-pk")
        .only("job_name", "state", "created_at", "started_at", "finished_at")
        .first()
    )
