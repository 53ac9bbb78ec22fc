"""The plans' notifications: the review workflow's steps, and reminders of the due date. Who hears
of each is in pledges/rules.py (``register_audiences``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from pledges.selectors.deadlines import deadlines
from portal import notifications as n
from portal.permissions import SYSTEM

n.define(
    "plan_submitted",
    "pledges",
    _("A national plan is submitted"),
    _("%(actor)s submitted %(object)s for review"),
)
n.define(
    "plan_review_started",
    "pledges",
    _("The review of your nation's plan starts"),
    _("%(actor)s started the review of %(object)s"),
)
n.define(
    "plan_returned",
    "pledges",
    _("Your nation's plan is returned"),
    _("%(actor)s returned %(object)s with comments"),
    compulsory=True,
)
n.define(
    "plan_accepted",
    "pledges",
    _("Your nation's plan is accepted"),
    _("%(actor)s accepted %(object)s"),
)
n.define(
    "plan_due",
    "pledges",
    _("Your nation's plan is due soon (14, 7 and 1 days before)"),
    _("%(object)s is due on %(due)s, in %(days)s day(s)"),
)
n.define(
    "plan_overdue",
    "pledges",
    _("Your nation's plan is overdue"),
    _("%(object)s was due on %(due)s and is not submitted"),
    compulsory=True,
)


def plan_reminders(today: dt.date):
    """Plans still with their nation due within 14 days or overdue, and each Ally's plan not yet
    started for such a cycle, at each threshold once."""
    from pledges.models import PlanCycle
    from portal.choices import NationKind
    from portal.models import Nation
    from portal.rules import nation_directors

    until = today + dt.timedelta(days=max(n.DUE_THRESHOLDS))
    for row in deadlines(user=SYSTEM, until=until):
        threshold = n.due_threshold(row.date, today)
        if threshold is None:
            continue
        yield n.Reminder(
            "plan_overdue" if threshold == "overdue" else "plan_due",
            row.object,
            threshold,
            params={"due": row.date.isoformat(), "days": (row.date - today).days},
            url=reverse("pledges:plan-edit", args=[row.object.pk]),
        )
    # A cycle some Allies have not started: the reminder is about the cycle, told to each such
    # nation's directors with their own nation's name.
    cycles = PlanCycle.objects.filter(due_date__lte=until).prefetch_related("plans")
    allies = list(Nation.objects.filter(kind=NationKind.ALLY).order_by("name"))
    for cycle in cycles:
        threshold = n.due_threshold(cycle.due_date, today)
        if threshold is None:
            continue
        started = {plan.nation_id for plan in cycle.plans.all()}
        for nation in allies:
            if nation.pk in started:
                continue
            yield n.Reminder(
                "plan_overdue" if threshold == "overdue" else "plan_due",
                cycle,
                threshold,
                params={
                    "object": f"{nation.name} plan {cycle.year}",  # as NationalPlan names itself
                    "due": cycle.due_date.isoformat(),
                    "days": (cycle.due_date - today).days,
                },
                url=reverse("pledges:plan-home"),
                recipients=nation_directors(nation.pk),
            )


n.reminders(plan_reminders)
