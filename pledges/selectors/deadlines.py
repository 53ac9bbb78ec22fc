"""Plan due dates as deadlines (DESIGN, convention 18): what the workspaces and reminders read."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pledges.choices import PlanStatus
from pledges.models import NationalPlan, PlanCycle
from portal.deadlines import Deadline as BaseDeadline
from portal.deadlines import earliest
from portal.permissions import ADD, VIEW, may, restrict

KINDS = {
    "plan_due": _("Plan due"),
    "plan_not_started": _("Plan due, not started"),
}


class Deadline(BaseDeadline):
    kinds = KINDS

    @property
    def url(self) -> str:
        """Where the work is done: the plan's editor, or the plans page to start one."""
        if isinstance(self.object, NationalPlan):
            return reverse("pledges:plan-edit", args=[self.object.pk])
        return reverse("pledges:plan-home")


def deadlines(*, user, until: dt.date, limit: int | None = None) -> list[Deadline]:
    """Every plan still with its nation (a draft, or returned) whose cycle is due by ``until``,
    overdue ones included, that ``user`` may see; and, for a user who may start their nation's
    plan, each cycle due by then with no plan of theirs yet. Two queries whatever the number."""
    plans = (
        restrict(NationalPlan.objects.all(), user, VIEW)
        .filter(status__in=[PlanStatus.DRAFT, PlanStatus.RETURNED], cycle__due_date__lte=until)
        .select_related("cycle", "nation")
        .order_by("cycle__due_date", "pk")
    )
    rows = [Deadline(plan.cycle.due_date, "plan_due", plan) for plan in earliest(plans, limit)]
    if user.nation_id and may(user, NationalPlan, ADD):
        unstarted = (
            restrict(PlanCycle.objects.all(), user, VIEW)
            .filter(due_date__lte=until)
            .exclude(plans__nation=user.nation_id)
            .order_by("due_date", "pk")
        )
        rows += [Deadline(cycle.due_date, "plan_not_started", cycle) for cycle in earliest(unstarted, limit)]
    rows.sort(key=lambda row: (row.date, row.kind, row.object.pk))
    return rows if limit is None else rows[:limit]
