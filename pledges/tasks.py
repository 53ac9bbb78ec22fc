"""Pledges jobs."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from pledges import services
from pledges.models import ExpenditureDataset
from portal import jobs


@shared_task(bind=True, name="pledges.tasks.mark_overdue_plans")
@jobs.tracked
def mark_overdue_plans(self) -> dict:
    """Daily: flag plans still with their nation after the cycle's due date."""
    return {"marked_overdue": services.plans_mark_overdue(today=timezone.now().date())}


@shared_task(bind=True, name=services.RECOMPUTE_JOB)
@jobs.tracked(atomic=True)
def recompute_dip_metrics(
    self, dataset_id: int, nation_id: int | None = None, year: int | None = None
) -> dict:
    """Recompute a dataset's DIP metrics (one nation's series and the aggregates, or all of it).

    Queued after every input change; an idempotent upsert, so a redelivery writes the same rows.
    """
    return services.dip_recompute(dataset_id=dataset_id, nation_id=nation_id, year=year)


@shared_task(bind=True, name="pledges.tasks.recompute_all_dip_metrics")
@jobs.tracked
def recompute_all_dip_metrics(self) -> dict:
    """Nightly: queue a full recompute of every dataset (catches anything a lost job missed)."""
    with transaction.atomic():
        ids = list(ExpenditureDataset.objects.order_by("pk").values_list("pk", flat=True))
        queued = [jobs.enqueue_once(recompute_dip_metrics, dataset_id=pk) for pk in ids]
    return {"datasets": len(ids), "queued": sum(1 for run in queued if run is not None)}
