"""Test data for expenditure datasets and DIP metrics (shared by the pledges DIP tests).

``import_nato_2026(actor)`` loads the shipped 2026 edition through the real import service and
computes its metrics. ``synthetic_edition(...)`` builds a smaller NATO edition with made-up but
plausible inputs, for tests that need two data sizes.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from pledges.expenditure_import import SHIPPED_DATA, read_edition
from pledges.models import ExpenditureDataset
from pledges.services import dip_recompute, nato_edition_import
from portal.models import Nation


def import_nato_2026(actor) -> ExpenditureDataset:
    edition = read_edition(SHIPPED_DATA, edition=2026, price_base=2021)
    outcome = nato_edition_import(
        actor=actor, edition_year=2026, price_base_year=2021, rows=edition.rows, aggregates=edition.aggregates
    )
    with transaction.atomic():
        dip_recompute(dataset_id=outcome.dataset.pk)
    return outcome.dataset


def synthetic_rows(codes: list[str], years: range, *, seed: int = 0) -> list[dict]:
    """Inputs for ``codes`` x ``years``: GDP grows 2% a year, defence from 1.2% to ~3% of GDP."""
    nations = {n.code: n for n in Nation.objects.filter(code__in=codes)}
    rows = []
    for i, code in enumerate(sorted(codes)):
        for j, year in enumerate(years):
            gdp = Decimal(100_000 + 10_000 * i + seed) * Decimal("1.02") ** j
            share = Decimal("1.2") + Decimal("0.15") * j + Decimal(i % 5) / 10
            defence = (gdp * share / 100).quantize(Decimal("0.01"))
            rows.append(
                {
                    "nation": nations[code],
                    "year": year,
                    "is_estimate": j >= len(years) - 2,
                    "def_usd_constant_m": defence,
                    "gdp_usd_constant_m": gdp.quantize(Decimal("0.01")),
                    "def_usd_current_m": defence,
                    "gdp_usd_current_m": gdp.quantize(Decimal("0.01")),
                    "equipment_pct": Decimal(15 + (i * 3 + j) % 20),
                    "currency": "",
                }
            )
    return rows


def synthetic_edition(actor, *, edition_year: int, codes: list[str], years: range, seed: int = 0):
    outcome = nato_edition_import(
        actor=actor,
        edition_year=edition_year,
        price_base_year=2021,
        rows=synthetic_rows(codes, years, seed=seed),
    )
    with transaction.atomic():
        dip_recompute(dataset_id=outcome.dataset.pk)
    return outcome.dataset
