"""Boards jobs."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from boards import services
from portal import jobs


@shared_task(bind=True, name="boards.tasks.flag_overdue_actions")
@jobs.tracked
def flag_overdue_actions(self) -> dict:
    """Daily: mark open actions past their due date (each once, however often it runs)."""
    return {"flagged_overdue": services.actions_flag_overdue(today=timezone.localdate())}
