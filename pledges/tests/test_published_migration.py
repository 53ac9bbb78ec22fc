"""Metrics stored before published figures existed were computed: the migration says so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.tests.migrating import migrate_to

BEFORE = [("portal", "0004_idempotencyrecord"), ("pledges", "0003_audit_privacy")]
AFTER = [("pledges", "0004_published_figures")]


@pytest.fixture(autouse=True)
def _back_to_latest(transactional_db):
    # The tests that run next in this process expect every migration applied.
    yield
    migrate_to()


@pytest.mark.django_db(transaction=True)
def test_metrics_computed_before_keep_their_figures_as_the_computed_ones():
    old = migrate_to(BEFORE)
    Dataset = old.get_model("pledges", "ExpenditureDataset")
    DipMetric = old.get_model("pledges", "DipMetric")
    dataset = Dataset.objects.create(
        source="nato_edition", title="2026 edition", edition_year=2026, price_base_year=2021
    )
    at = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    computed = DipMetric.objects.create(
        dataset=dataset, subject="MNE", year=2014, pct_gdp=Decimal("1.5002"),
        equipment_pct=Decimal("12.5"), computed_at=at,
    )  # fmt: skip
    empty = DipMetric.objects.create(dataset=dataset, subject="NATO", year=2014, computed_at=at)

    new = migrate_to(AFTER)
    rows = new.get_model("pledges", "DipMetric").objects.in_bulk([computed.pk, empty.pk])
    assert (rows[computed.pk].computed_pct_gdp, rows[computed.pk].computed_equipment_pct) == (
        Decimal("1.5002"),
        Decimal("12.5"),
    )
    # Nothing published yet (the next import of the edition brings it): nothing to reconcile.
    assert rows[computed.pk].published_pct_gdp is None
    assert rows[computed.pk].reconcile is False
    assert rows[empty.pk].computed_pct_gdp is None
