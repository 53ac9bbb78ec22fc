"""``import_nato_expenditure``: idempotent, one edition at a time, audited, all or nothing with
per-row errors; and the recompute job it queues."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from pledges.expenditure_import import SHIPPED_DATA
from pledges.models import DipMetric, ExpenditureDataset, ExpenditureRecord
from pledges.services import dip_recompute
from pledges.tasks import recompute_all_dip_metrics, recompute_dip_metrics
from pledges.tests.dip_data import synthetic_edition
from portal.choices import JobState
from portal.models import JobRun, ObjectChange

DATA = SHIPPED_DATA
NC, USD = "defence-expenditure-2026-edition.csv", "defence-expenditure-2026-edition-usd.csv"

pytestmark = pytest.mark.django_db(transaction=True)  # the command's on-commit job must run


def run_import(path, user, **options):
    call_command(
        "import_nato_expenditure",
        str(path),
        edition=options.pop("edition", 2026),
        price_base=options.pop("price_base", 2021),
        username=user.username,
        **options,
    )


@pytest.fixture
def edition_dir(tmp_path):
    for name in (NC, USD):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


def test_a_rerun_changes_nothing_and_a_changed_file_updates_only_its_edition(
    edition_dir, secretariat, capsys
):
    other = synthetic_edition(secretariat, edition_year=2025, codes=["POL", "DEU"], years=range(2020, 2026))
    other_records = ExpenditureRecord.objects.filter(dataset=other)
    other_state = list(other_records.values_list("pk", "version", "updated_at"))

    run_import(edition_dir, secretariat)
    dataset = ExpenditureDataset.objects.get(edition_year=2026)
    assert dataset.records.count() == 403
    assert DipMetric.objects.filter(dataset=dataset, stale=False).count() == 429  # the job ran on commit
    assert dataset.is_reference is False  # the 2025 synthetic edition came first
    changes, runs = ObjectChange.objects.count(), JobRun.objects.count()

    run_import(edition_dir, secretariat)
    assert "unchanged: 0 created, 0 updated, 0 deleted, 403 unchanged" in capsys.readouterr().out
    assert (ObjectChange.objects.count(), JobRun.objects.count()) == (changes, runs)

    # NATO revises Poland 2024 in a corrected file.
    usd = edition_dir / USD
    lines = usd.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("PL,POL,Poland,2024,"))
    cells = lines[index].split(",")
    old = cells[7]
    cells[7] = str(int(old) + 1000)  # def_usd_2021_m
    lines[index] = ",".join(cells)
    usd.write_text("".join(lines), encoding="utf-8")
    run_import(edition_dir, secretariat)
    assert "updated: 0 created, 1 updated, 0 deleted, 402 unchanged" in capsys.readouterr().out

    record = ExpenditureRecord.objects.get(dataset=dataset, nation__code="POL", year=2024)
    assert record.def_usd_constant_m == Decimal(int(old) + 1000)
    assert record.version == 2
    audit = ObjectChange.objects.filter(object_id=str(record.pk), action="update").get()
    assert audit.before["def_usd_constant_m"] == f"{old}.00"
    assert audit.actor == secretariat
    assert ObjectChange.objects.filter(action="dataset.imported", object_id=str(dataset.pk)).count() == 2
    metric = DipMetric.objects.get(dataset=dataset, subject="POL", year=2024)
    assert not metric.stale
    expected = 100 * record.def_usd_constant_m / record.gdp_usd_constant_m
    assert abs(metric.computed_pct_gdp - expected) < Decimal("0.0001")
    # The figure shown stays the one NATO published (the file's Table 3 column was not corrected),
    # and the recomputation from the corrected input no longer gives it: it is to reconcile.
    assert metric.pct_gdp == Decimal("3.75")
    assert metric.reconcile is True
    # The other edition was not touched.
    assert list(other_records.values_list("pk", "version", "updated_at")) == other_state


BAD_USD = (
    "geo,country_iso3,country,year,estimate,def_usd_current_m,gdp_usd_current_m,def_usd_2021_m,"
    "gdp_usd_2021_m,published_pct_gdp,published_equipment_pct\n"
    """PL,POL,Poland,2024,False,100,1000,100,1000,,20
XX,XYZ,Nowhere,2024,False,100,1000,100,1000,,20
PL,POL,Poland,1900,False,100,1000,100,1000,,20
DE,DEU,Germany,2024,False,-5,1000,100,1000,,20
FR,FRA,France,2024,False,100,1000,100,1000,,101
PL,POL,Poland,2024,False,100,1000,100,1000,,20
IT,ITA,Italy,2024,maybe,lots,1000,100,0,,20
"""
)


def test_bad_rows_are_all_reported_and_nothing_is_imported(tmp_path, secretariat, capsys):
    path = tmp_path / "national.csv"
    path.write_text(BAD_USD, encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(path, secretariat)
    errors = capsys.readouterr().err
    assert "row 3, country_iso3: Unknown nation 'XYZ'." in errors
    assert "row 4, year: 1900 is outside 1949 to 2100." in errors
    assert "row 5, def_usd_current_m: -5 is negative" in errors
    assert "row 6, published_equipment_pct: 101 is over 100" in errors
    assert "row 7, year: POL 2024 is already on row 2." in errors
    assert "row 8, estimate: 'maybe' is not true or false." in errors
    assert "row 8, def_usd_current_m: 'lots' is not a number." in errors
    assert "row 8, gdp_usd_2021_m: GDP cannot be zero." in errors
    assert not ExpenditureDataset.objects.exists()
    assert not ExpenditureRecord.objects.exists()


def test_a_price_base_other_than_the_files_is_refused(edition_dir, secretariat, capsys):
    with pytest.raises(CommandError):
        run_import(edition_dir, secretariat, price_base=2015)
    assert "constant prices of 2021; is --price-base right?" in capsys.readouterr().err
    run_import(edition_dir, secretariat)
    # Re-importing the edition at another base would mix price bases in one dataset.
    copy = edition_dir / USD
    copy.write_text(copy.read_text(encoding="utf-8").replace("_2021_m", "_2015_m"), encoding="utf-8")
    with pytest.raises(CommandError):
        run_import(edition_dir, secretariat, price_base=2015)
    assert "would mix price bases" in capsys.readouterr().err


def test_only_the_secretariat_imports(edition_dir, owner):
    with pytest.raises(CommandError, match="Only the CNAD secretariat"):
        run_import(edition_dir, owner)
    assert not ExpenditureDataset.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path, secretariat, capsys):
    with pytest.raises(CommandError):
        run_import(tmp_path, secretariat)
    assert "neither defence-expenditure-2026-edition.csv nor" in capsys.readouterr().err


def test_nation_recompute_writes_that_nations_series_and_the_aggregates(secretariat):
    dataset = synthetic_edition(
        secretariat, edition_year=2087, codes=["POL", "DEU", "USA"], years=range(2020, 2025)
    )
    before = dict(DipMetric.objects.filter(dataset=dataset).values_list("pk", "computed_at"))
    poland = ExpenditureRecord.objects.get(dataset=dataset, nation__code="POL", year=2022).nation_id
    with transaction.atomic():
        result = dip_recompute(dataset_id=dataset.pk, nation_id=poland, year=2022)
    assert result["written"] == 5 + 2 * 5
    after = dict(DipMetric.objects.filter(dataset=dataset).values_list("pk", "computed_at"))
    rewritten = {pk for pk, at in after.items() if at != before[pk]}
    assert rewritten == set(
        DipMetric.objects.filter(dataset=dataset, subject__in=["POL", "NATO", "NATO_EU_CA"]).values_list(
            "pk", flat=True
        )
    )


def test_the_job_records_its_run_and_the_nightly_job_queues_every_dataset(secretariat):
    first = synthetic_edition(secretariat, edition_year=2086, codes=["POL"], years=range(2020, 2023))
    second = synthetic_edition(secretariat, edition_year=2085, codes=["FRA"], years=range(2020, 2023))
    run = JobRun.objects.filter(job_name=recompute_dip_metrics.name).latest("pk")
    assert run.state == JobState.SUCCEEDED
    assert run.result["written"] == 3 + 2 * 3
    result = recompute_all_dip_metrics.apply().get()
    assert result == {"datasets": 2, "queued": 2}
    latest = JobRun.objects.filter(job_name=recompute_dip_metrics.name).order_by("-pk")[:2]
    assert {r.args["dataset_id"] for r in latest} == {first.pk, second.pk}
    assert {r.state for r in latest} == {JobState.SUCCEEDED}


def test_a_failing_atomic_job_records_the_error_and_writes_nothing(secretariat, monkeypatch):
    dataset = synthetic_edition(secretariat, edition_year=2084, codes=["POL"], years=range(2020, 2023))
    DipMetric.objects.filter(dataset=dataset).delete()

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("pledges.dip.aggregate_inputs", broken)
    run = JobRun.objects.create(job_name=recompute_dip_metrics.name, args={"dataset_id": dataset.pk})
    result = recompute_dip_metrics.apply(kwargs={"job_run_id": run.pk, "dataset_id": dataset.pk}, throw=False)
    assert result.failed()
    run.refresh_from_db()
    assert run.state == JobState.FAILED
    assert run.error == "ZeroDivisionError: boom"
    assert not DipMetric.objects.filter(dataset=dataset).exists()
