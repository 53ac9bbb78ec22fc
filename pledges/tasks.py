"""Pledges jobs."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from portal import jobs


@shared_task(bind=True, name="pledges.tasks.mark_overdue_plans")
@jobs.tracked
def mark_overdue_plans(self) -> dict:
    """Daily: flag plans still with their nation after the cycle's due date."""
    from pledges.services import plans_mark_overdue

    return {"marked_overdue": plans_mark_overdue(today=timezone.now().date())}
