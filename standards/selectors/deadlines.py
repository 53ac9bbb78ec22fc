"""Review dates as deadlines (DESIGN, convention 18): what the workspaces and reminders read."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.deadlines import Deadline as BaseDeadline
from portal.deadlines import earliest
from portal.permissions import VIEW, restrict
from standards.choices import ReviewStatus
from standards.models import ReviewCycle, Standard

KINDS = {
    "review_scheduled": _("Review due"),
    "review_cycle_due": _("Review cycle ends"),
}


class Deadline(BaseDeadline):
    kinds = KINDS

    @property
    def url(self) -> str:
        """Where the work is done: the edition's page (its review section)."""
        standard_id = self.object.standard_id if isinstance(self.object, ReviewCycle) else self.object.pk
        return reverse("standards:standard-detail", args=[standard_id])


def deadlines(*, user, until: dt.date, limit: int | None = None) -> list[Deadline]:
    """Every review deadline up to ``until`` (overdue ones included) that ``user`` may see, in two
    queries whatever the number: open reviews by their due date, and promulgated editions whose
    cycle ends with no review opened yet."""
    open_reviews = (
        restrict(ReviewCycle.objects.all(), user, VIEW)
        .exclude(status=ReviewStatus.COMPLETED)
        .filter(due_on__lte=until)
        .select_related("standard")
        .order_by("due_on", "pk")
    )
    unscheduled = (
        restrict(Standard.objects.all(), user, VIEW)
        .filter(next_review_due__lte=until)
        .exclude(reviews__status__in=[ReviewStatus.DUE, ReviewStatus.IN_PROGRESS])
        .order_by("next_review_due", "pk")
    )
    rows = [Deadline(review.due_on, "review_scheduled", review) for review in earliest(open_reviews, limit)]
    rows += [
        Deadline(standard.next_review_due, "review_cycle_due", standard)
        for standard in earliest(unscheduled, limit)
    ]
    rows.sort(key=lambda row: (row.date, row.kind, row.object.pk))
    return rows if limit is None else rows[:limit]
