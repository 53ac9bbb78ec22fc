"""Two overdue runs at once (a retried job overlapping the daily beat) flag each late plan once and
write one audit row for it, not one per run.

PostgreSQL only: the second run's UPDATE must wait on the first one's row lock and then find the
row already flagged; SQLite serialises whole-database writes.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.db.models.query import QuerySet

from pledges import services
from pledges.models import NationalPlan, PlanCycle
from portal.models import ObjectChange

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_runs_at_once_audit_each_late_plan_once(monkeypatch, owner, other):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    cycle = PlanCycle.objects.create(year=2026, due_date=dt.date(2026, 6, 30))
    for director in (owner, other):
        services.plan_start(actor=director, nation=director.nation, cycle=cycle)

    # Both runs have read the late plans before either writes: the interleaving that doubled rows.
    both_read = threading.Barrier(2)
    waited = threading.local()
    update = QuerySet.update

    def update_after_both_read(self, **kwargs):
        if self.model is NationalPlan and not getattr(waited, "done", False):
            waited.done = True
            both_read.wait(timeout=10)
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_after_both_read)
    marked = []

    def run():
        try:
            marked.append(services.plans_mark_overdue(today=dt.date(2026, 7, 1)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(marked) == 2, marked
    assert NationalPlan.objects.filter(overdue=True).count() == 2
    assert ObjectChange.objects.filter(action="plan.overdue").count() == 2
