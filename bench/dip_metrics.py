"""DIP metrics: recompute time (full dataset and one nation-year) and the compliance dashboard's
server time and query count, for the real 2026 edition plus extra editions.

Prints figures, asserts nothing (DESIGN.md, Testing). Targets (issue 5): full recompute for 31
Allies + 2 aggregates x 13 years <= 200 ms; one nation-year <= 20 ms; dashboard <= 50 ms with <= 10
queries whatever the number of years and datasets. Needs PostgreSQL:

    .venv/bin/python bench/dip_metrics.py [--repeat 20] [--editions 6]

Uses BENCH_DIP_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_dip (created
and migrated if missing; data kept between runs). Jobs run in-process (no broker) so the figures
are the code's, not the queue's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("REDIS_URL", None)  # eager jobs, local cache: measure the code, not a queue

from bench._common import migrate, setup_django, time_page

setup_django(os.environ.get("BENCH_DIP_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_dip"))

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402


def user(username: str, role: str, nation_code: str | None = None):
    from portal.models import Nation, User

    nation = Nation.objects.get(code=nation_code) if nation_code else None
    found, _ = User.objects.get_or_create(username=username, defaults={"role": role, "nation": nation})
    return found


def ensure_data(secretariat, editions: int):
    """The real 2026 edition, plus ``editions - 1`` synthetic editions of 31 Allies x 30 years."""
    from pledges.models import ExpenditureDataset
    from pledges.tests.dip_data import import_nato_2026, synthetic_edition
    from portal.models import Nation

    real = ExpenditureDataset.objects.filter(edition_year=2026, source="nato_edition").first()
    if real is None:
        real = import_nato_2026(secretariat)
    allies = list(
        Nation.objects.filter(kind="ally").exclude(code="ISL").order_by("code").values_list("code", flat=True)
    )
    for i in range(editions - 1):
        year = 2060 + i
        if not ExpenditureDataset.objects.filter(edition_year=year, source="nato_edition").exists():
            synthetic_edition(secretariat, edition_year=year, codes=allies, years=range(1996, 2026), seed=i)
    return real


def timed(repeat: int, func) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--editions", type=int, default=6, help="datasets in the database (>= 1)")
    args = parser.parse_args()
    migrate()

    from pledges.models import DipMetric, ExpenditureDataset
    from pledges.services import dip_recompute
    from portal.models import Nation

    secretariat = user("bench_secretariat", "secretariat")
    director = user("bench_director_pol", "director", "POL")
    dataset = ensure_data(secretariat, args.editions)
    poland = Nation.objects.get(code="POL")

    def full():
        with transaction.atomic():
            dip_recompute(dataset_id=dataset.pk)

    def one_nation_year():
        with transaction.atomic():
            dip_recompute(dataset_id=dataset.pk, nation_id=poland.pk, year=2024)

    rows = DipMetric.objects.filter(dataset=dataset).count()
    print(f"DIP recompute, {dataset.title}: {dataset.records.count()} records -> {rows} metric rows")
    median, worst = timed(args.repeat, full)
    print(
        f"  full recompute (31 Allies + 2 aggregates x 13 years): {median:.1f} ms median, {worst:.1f} worst"
    )
    median, worst = timed(args.repeat, one_nation_year)
    print(f"  one nation-year (Poland 2024 + aggregates): {median:.1f} ms median, {worst:.1f} worst")

    datasets = ExpenditureDataset.objects.count()
    print(f"Dashboard, {datasets} datasets in the database, {DipMetric.objects.count()} metric rows in all")
    try:
        pages = [
            ("dashboard, reference edition", reverse("pledges:dip-dashboard")),
            (
                "dashboard, 30-year synthetic edition",
                reverse("pledges:dip-dashboard") + "?dataset={synthetic}",
            ),
            ("nation page (Poland)", reverse("pledges:dip-nation", kwargs={"code": "POL"})),
        ]
    except NoReverseMatch as exc:
        print(f"  skipped: {exc}")
        return
    synthetic = ExpenditureDataset.objects.exclude(pk=dataset.pk).order_by("pk").first()
    for who in (secretariat, director):
        client = Client()
        client.force_login(who)
        for label, url in pages:
            if "{synthetic}" in url:
                if synthetic is None:
                    continue
                url = url.format(synthetic=synthetic.pk)
            median, worst, queries = time_page(client, url, args.repeat)
            print(
                f"  {who.role:11} {label:38} {median:6.1f} ms median, {worst:6.1f} worst, {queries} queries"
            )


if __name__ == "__main__":
    main()
