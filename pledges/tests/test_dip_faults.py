"""DIP recompute under faults, with the real broker: Redis down while inputs are saved, and a
worker process SIGKILLed in the middle of the job."""

from __future__ import annotations

import signal
import time
from decimal import Decimal

import psycopg
import pytest
from django.db import connection, transaction

from pledges.models import DipMetric, ExpenditureRecord
from pledges.services import dip_recompute, nato_edition_import
from pledges.tasks import recompute_dip_metrics
from pledges.tests.dip_data import synthetic_rows
from portal import jobs
from portal.celery import app as project_app
from portal.choices import JobState
from portal.models import JobRun
from portal.tasks import sweep_outbox
from portal.tests.worker import (
    backend_waits_on_lock,
    broker_down_app,
    end_lock_waiters,
    wait_for_state,
    worker_process,
)

DATASET_QUERY = "%pledges_expendituredataset%"

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

CODES = ["DEU", "FRA", "POL", "USA", "CAN"]
VALUE_FIELDS = [
    f.name for f in DipMetric._meta.concrete_fields if f.name not in {"id", "computed_at", "input_watermark"}
]


def metric_rows(dataset) -> list[tuple]:
    return list(
        DipMetric.objects.filter(dataset=dataset).order_by("subject", "year").values_list(*VALUE_FIELDS)
    )


def edition(actor, year=2090):
    with transaction.atomic():
        outcome = nato_edition_import(
            actor=actor,
            edition_year=year,
            price_base_year=2021,
            rows=synthetic_rows(CODES, range(2018, 2027)),
        )
    return outcome.dataset


def test_redis_down_saving_inputs_succeeds_metrics_go_stale_and_the_outbox_sends_the_job_later(
    secretariat, monkeypatch, celery_worker
):
    dataset = edition(secretariat)
    run = wait_for_state(JobRun.objects.latest("pk").pk, {JobState.SUCCEEDED, JobState.FAILED})
    assert run.state == JobState.SUCCEEDED, run.error
    before = DipMetric.objects.get(dataset=dataset, subject="POL", year=2024).pct_gdp

    # Redis goes down; the secretariat imports a corrected file (Poland 2024 defence +10%).
    monkeypatch.setattr("portal.celery.app", broker_down_app())
    rows = synthetic_rows(CODES, range(2018, 2027))
    for row in rows:
        if (row["nation"].code, row["year"]) == ("POL", 2024):
            row["def_usd_constant_m"] = (row["def_usd_constant_m"] * 11 / 10).quantize(Decimal("0.01"))
    with transaction.atomic():
        outcome = nato_edition_import(actor=secretariat, edition_year=2090, price_base_year=2021, rows=rows)
    assert outcome.updated == 1  # the save itself succeeded
    pending = JobRun.objects.get(job_name=recompute_dip_metrics.name, state=JobState.QUEUED)
    assert pending.published_at is None
    assert pending.error.startswith("Broker unavailable")
    poland = DipMetric.objects.get(dataset=dataset, subject="POL", year=2024)
    assert poland.stale  # the old figure, marked stale
    assert poland.pct_gdp == before
    assert DipMetric.objects.get(dataset=dataset, subject="NATO", year=2024).stale

    # Redis is back: the periodic sweeper sends the kept job and the worker recomputes.
    monkeypatch.setattr("portal.celery.app", project_app)
    monkeypatch.setattr(jobs, "OUTBOX_GRACE", jobs.timedelta(0))
    assert sweep_outbox() == 1
    run = wait_for_state(pending.pk, {JobState.SUCCEEDED, JobState.FAILED})
    assert run.state == JobState.SUCCEEDED, run.error
    poland.refresh_from_db()
    assert not poland.stale
    record = ExpenditureRecord.objects.get(dataset=dataset, nation__code="POL", year=2024)
    expected = 100 * record.def_usd_constant_m / record.gdp_usd_constant_m
    assert abs(poland.pct_gdp - expected) < Decimal("0.0001")
    assert poland.pct_gdp != before
    assert not DipMetric.objects.filter(dataset=dataset, stale=True).exists()


def test_a_worker_killed_mid_job_is_redelivered_and_leaves_the_same_rows_as_one_clean_run(secretariat):
    project_app.conf.task_always_eager = True  # the import's own job runs here, eagerly
    dataset = edition(secretariat, year=2089)
    clean = metric_rows(dataset)
    assert len(clean) == len(CODES) * 9 + 2 * 9
    DipMetric.objects.filter(dataset=dataset).delete()
    project_app.conf.task_always_eager = False

    # Hold the dataset row, as a long input transaction would: the job will block inside itself.
    params = connection.get_connection_params()
    blocker = psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}}
    )
    blocker.execute("SELECT id FROM pledges_expendituredataset WHERE id = %s FOR UPDATE", [dataset.pk])
    try:
        with transaction.atomic():
            run = jobs.enqueue(recompute_dip_metrics, dataset_id=dataset.pk)
        with worker_process(visibility_timeout=4) as first:
            assert backend_waits_on_lock(DATASET_QUERY, timeout=20), (
                "the worker never reached the dataset lock"
            )
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        # Only the backend still waiting on the dataset lock: a live server's connection, left
        # from an earlier browser test, must survive.
        end_lock_waiters(DATASET_QUERY, keep=blocker.info.backend_pid)
    finally:
        blocker.rollback()
        blocker.close()

    # The killed worker's transaction (claim included) is rolled back: nothing was written.
    deadline = time.monotonic() + 20
    while JobRun.objects.get(pk=run.pk).state != JobState.QUEUED and time.monotonic() < deadline:
        time.sleep(0.1)
    assert JobRun.objects.get(pk=run.pk).state == JobState.QUEUED
    assert metric_rows(dataset) == []

    # The broker redelivers the unacked message (acks_late) to the next worker, which runs it whole.
    with worker_process(visibility_timeout=4) as second:
        finished = wait_for_state(run.pk, {JobState.SUCCEEDED, JobState.FAILED}, timeout=60)
        output = ""
        if finished.state != JobState.SUCCEEDED:
            second.terminate()
            output = second.communicate(timeout=15)[0].decode(errors="replace")
    assert finished.state == JobState.SUCCEEDED, (finished.error, output[-3000:])
    assert metric_rows(dataset) == clean
    assert JobRun.objects.filter(job_name=recompute_dip_metrics.name, pk=run.pk).count() == 1


def test_a_redelivered_recompute_after_success_does_nothing(secretariat):
    project_app.conf.task_always_eager = True
    dataset = edition(secretariat, year=2088)
    run = JobRun.objects.filter(job_name=recompute_dip_metrics.name).latest("pk")
    assert run.state == JobState.SUCCEEDED
    rows = metric_rows(dataset)
    assert recompute_dip_metrics.apply(kwargs={"job_run_id": run.pk, "dataset_id": dataset.pk}).get() is None
    assert metric_rows(dataset) == rows
    with transaction.atomic():
        again = dip_recompute(dataset_id=dataset.pk)
    assert again["written"] == len(rows)
    assert metric_rows(dataset) == rows
