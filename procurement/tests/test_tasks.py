"""A procurement write queues one analytics refresh; the next reader finds the figures computed."""

import pytest

from portal.choices import JobState
from portal.models import JobRun
from procurement import analytics
from procurement.tests.factories import make_calloff, make_delivery, make_framework

pytestmark = pytest.mark.django_db


def test_a_delivery_refreshes_the_alliance_figures_once(django_capture_on_commit_callbacks, secretariat,
                                                         django_assert_num_queries):  # fmt: skip
    line = make_calloff(make_framework(), quantity=100).lines.get()
    JobRun.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        make_delivery(line, delivered=30)
        make_delivery(line, delivered=20)
    runs = JobRun.objects.filter(job_name="procurement.tasks.warm_analytics")
    assert [run.state for run in runs] == [JobState.SUCCEEDED]  # two writes, one refresh
    assert runs.get().result["performance_rows"] >= 1
    # Warm: the reader pays only the data-version query, not the aggregation.
    with django_assert_num_queries(1):
        performance = analytics.delivery_performance(user=secretariat)
    assert sum(row.accepted for row in performance.rows) == 50
