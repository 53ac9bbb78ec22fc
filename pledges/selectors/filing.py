"""The filing of a cycle as the secretariat follows it: one row per Ally, and the plans waiting
for review. A draft shows nothing of itself here: a plan never submitted is "not submitted"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pledges.choices import FILING_STATES, NOT_SUBMITTED, WITH_THE_NATION
from pledges.models import NationalPlan
from portal.models import Nation


def _user_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


@dataclass
class FilingRow:
    """One Ally's filing for the cycle. ``plan`` is None when there is nothing the reader may open."""

    nation: Nation
    status: str
    status_label: str
    due_date: dt.date
    days_overdue: int | None
    last_change: dt.datetime | None
    reviewer: str
    plan: NationalPlan | None


def filing_rows(*, plans, allies, cycle, today: dt.date) -> list[FilingRow]:
    """Every Ally's row for ``cycle``: its plan if the reader may see it as submitted, otherwise
    "not submitted" with no detail, so a draft shows nothing of itself."""
    rows = []
    seen = set()
    for plan in plans:
        seen.add(plan.nation_id)
        submitted = plan.first_submitted_at is not None
        status = plan.status if submitted else NOT_SUBMITTED
        rows.append(
            FilingRow(
                nation=plan.nation,
                status=status,
                status_label=str(dict(FILING_STATES)[status]),
                due_date=cycle.due_date,
                days_overdue=None,
                last_change=plan.updated_at if submitted else None,
                reviewer=_user_label(plan.reviewer) if submitted else "",
                plan=plan if submitted else None,
            )
        )
    for nation in allies:
        if nation.pk not in seen:
            rows.append(
                FilingRow(
                    nation=nation,
                    status=NOT_SUBMITTED,
                    status_label=str(dict(FILING_STATES)[NOT_SUBMITTED]),
                    due_date=cycle.due_date,
                    days_overdue=None,
                    last_change=None,
                    reviewer="",
                    plan=None,
                )
            )
    for row in rows:
        if row.status in WITH_THE_NATION and today > row.due_date:
            row.days_overdue = (today - row.due_date).days
    return rows


def current_cycle(cycles) -> object | None:
    """The cycle the workspaces speak of: the newest one (``cycle_list`` is newest first)."""
    return next(iter(cycles), None)


def review_queue(*, user):
    """Plans waiting on the secretariat (submitted, or in review), the longest waiting first."""
    from pledges.choices import PlanStatus
    from pledges.selectors.plans import plan_list

    return (
        plan_list(user=user)
        .filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.IN_REVIEW])
        .order_by("submitted_at", "pk")
    )
