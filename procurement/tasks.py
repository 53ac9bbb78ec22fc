"""Procurement jobs."""

from __future__ import annotations

from celery import shared_task

from portal import jobs
from portal.permissions import SYSTEM


@shared_task(bind=True, name="procurement.tasks.warm_analytics")
@jobs.tracked
def warm_analytics(self) -> dict:
    """Recompute the Alliance-wide aggregated demand and delivery performance into the cache.

    At a million deliveries these take seconds to aggregate; run after each procurement write
    (queued once), the first reader after a change finds them ready instead of waiting.
    """
    from procurement import analytics

    # Alliance figures are the same for every reader who may see them all: the system computes them.
    demand = analytics.aggregated_demand(user=SYSTEM)
    performance = analytics.delivery_performance(user=SYSTEM)
    return {"demand_rows": len(demand), "performance_rows": len(performance.rows)}


def refresh_analytics_after_commit() -> None:
    """Called by services that change demand, orders or deliveries."""
    jobs.enqueue_once(warm_analytics)
