"""Procurement jobs."""

from __future__ import annotations

from celery import shared_task

from portal import jobs
from portal.choices import Role


@shared_task(bind=True, name="procurement.tasks.warm_analytics")
@jobs.tracked
def warm_analytics(self) -> dict:
    """Recompute the Alliance-wide aggregated demand and delivery performance into the cache.

    At a million deliveries these take seconds to aggregate; run after each procurement write
    (queued once), the first reader after a change finds them ready instead of waiting.
    """
    from portal.models import User
    from procurement import analytics

    # Alliance figures are the same for every reader; an unsaved secretariat reader sees them all.
    reader = User(username="analytics-warmer", role=Role.SECRETARIAT, is_active=True)
    demand = analytics.aggregated_demand(user=reader)
    performance = analytics.delivery_performance(user=reader)
    return {"demand_rows": len(demand), "performance_rows": len(performance.rows)}


def refresh_analytics_after_commit() -> None:
    """Called by services that change demand, orders or deliveries."""
    jobs.enqueue_once(warm_analytics)
