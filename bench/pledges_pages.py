"""Server time of the pledges pages for 32 nations x 5 cycles, and of a 200-entry version diff.

Prints figures, asserts nothing (DESIGN.md, Testing; targets in issue 4: list and editor <= 50 ms,
diff <= 100 ms). Needs PostgreSQL:

    .venv/bin/python bench/pledges_pages.py [--repeat 20] [--rebuild]

Uses BENCH_PLEDGES_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_pledges;
the database is created and migrated if missing, and the data kept between runs. Every plan has its
nine sections and about 50 entries; the director's plan in the latest cycle is a draft, every other
plan is submitted. Pages written by other modules (the secretariat's list, the editor) and the diff
are skipped with a message while they do not exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import migrate, setup_django, time_page

setup_django(
    os.environ.get("BENCH_PLEDGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_pledges")
)

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

NATIONS = 32
CYCLES = [2022, 2023, 2024, 2025, 2026]
CAPACITY, INVESTMENTS, MEASURES = 30, 10, 10  # ~50 entries a plan
DIFF_ENTRIES = 200
DIRECTOR_NATION = "POL"


def user(role: str, nation=None):
    from portal.models import User

    found, _ = User.objects.get_or_create(username=f"bench_{role}", defaults={"role": role, "nation": nation})
    return found


def plan_count() -> int:
    from pledges.models import NationalPlan

    return NationalPlan.objects.count()


def _entries(version, items, count_capacity, count_investments, count_measures, seed=0):
    from pledges.models import CapacityLine, Investment, Measure

    CapacityLine.objects.bulk_create(
        CapacityLine(plan_version=version, commitment=3, item=items[i % len(items)], site=f"Plant {i}",
                     baseline_output=10000 + i, baseline_year=2023, current_output=20000 + i + seed,
                     target_output=50000 + i, target_year=2028, surge_capacity=5000, lead_time_months=18)
        for i in range(count_capacity)
    )  # fmt: skip
    Investment.objects.bulk_create(
        Investment(plan_version=version, commitment=3, description=f"Line {i}", kind="new",
                   value=Decimal(1_000_000 + i + seed), currency="EUR", year=2026)
        for i in range(count_investments)
    )  # fmt: skip
    Measure.objects.bulk_create(
        Measure(plan_version=version, commitment=1 + i % 9, title=f"Measure {i}", status="planned")
        for i in range(count_measures)
    )


@transaction.atomic
def generate() -> None:
    from pledges import models as m
    from pledges.choices import Commitment, PlanStatus
    from pledges.models import NationalPlan, PlanCycle, PlanSection, PlanVersion
    from portal.models import Nation
    from procurement.models import Item

    NationalPlan.objects.update(current_version=None)  # the plan's pointer protects its version
    for model in (m.CapacityLine, m.Investment, m.Measure, m.ReviewComment, m.PlanSection, m.PlanVersion):
        model.objects.all().delete()
    NationalPlan.objects.all().delete()
    PlanCycle.objects.all().delete()

    items = list(Item.objects.order_by("pk")[:8])
    for i in range(8 - len(items)):
        items.append(
            Item.objects.create(
                code=f"bench-item-{i}", name=f"Bench item {i}", capability_area="lbdm", unit="round"
            )
        )
    allies = list(Nation.objects.filter(kind="ally").order_by("code"))[:NATIONS]
    now = timezone.now()
    long_text = "The nation expands production of battle-decisive munitions. " * 30
    for year in CYCLES:
        cycle = PlanCycle.objects.create(year=year, due_date=dt.date(year, 6, 30))
        for nation in allies:
            draft = nation.code == DIRECTOR_NATION and year == CYCLES[-1]
            plan = NationalPlan.objects.create(
                nation=nation,
                cycle=cycle,
                status=PlanStatus.DRAFT if draft else PlanStatus.ACCEPTED,
                submitted_at=None if draft else now,
                first_submitted_at=None if draft else now,
            )
            version = PlanVersion.objects.create(
                plan=plan, number=1, frozen=not draft, submitted_at=None if draft else now
            )
            PlanSection.objects.bulk_create(
                PlanSection(plan_version=version, commitment=c, narrative=long_text)
                for c in Commitment.values
            )
            _entries(version, items, CAPACITY, INVESTMENTS, MEASURES)
            plan.current_version = version
            plan.save(update_fields=["current_version"])
    print(f"  {plan_count()} plans")


def diff_versions():
    """Two versions of one plan with DIFF_ENTRIES entries each, 10% changed, keys shared (a return)."""
    from pledges.models import (
        CapacityLine,
        Investment,
        Measure,
        NationalPlan,
        PlanCycle,
        PlanSection,
        PlanVersion,
    )
    from portal.models import Nation
    from procurement.models import Item

    cycle, _ = PlanCycle.objects.get_or_create(year=2021, defaults={"due_date": dt.date(2021, 6, 30)})
    nation = Nation.objects.get(code=DIRECTOR_NATION)
    plan = NationalPlan.objects.filter(nation=nation, cycle=cycle).first()
    if plan is None:
        with transaction.atomic():
            plan = NationalPlan.objects.create(nation=nation, cycle=cycle, status="accepted",
                                               first_submitted_at=timezone.now())  # fmt: skip
            items = list(Item.objects.order_by("pk")[:8])
            old = PlanVersion.objects.create(plan=plan, number=1, frozen=True)
            new = PlanVersion.objects.create(plan=plan, number=2, frozen=True)
            text = "Paragraph about national production.\n" * 40
            for version, narrative in ((old, text), (new, text.replace("national", "Allied", 5))):
                PlanSection.objects.bulk_create(
                    PlanSection(plan_version=version, commitment=c, narrative=narrative) for c in range(1, 10)
                )
            _entries(old, items, 120, 40, 40)
            for model in (CapacityLine, Investment, Measure):
                names = [f.name for f in model._meta.concrete_fields if f.name not in {"id", "plan_version"}]
                model.objects.bulk_create(
                    model(plan_version=new, **{n: getattr(e, n) for n in names})
                    for e in model.objects.filter(plan_version=old)
                )
            for line in CapacityLine.objects.filter(plan_version=new).order_by("pk")[: DIFF_ENTRIES // 10]:
                CapacityLine.objects.filter(pk=line.pk).update(current_output=line.current_output + 1)
            plan.current_version = new
            plan.save(update_fields=["current_version"])
    return plan


def url_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    migrate()
    expected = NATIONS * len(CYCLES)
    from pledges.models import NationalPlan, PlanCycle
    from portal.models import Nation

    if args.rebuild or NationalPlan.objects.filter(cycle__year__in=CYCLES).count() != expected:
        print(f"generating {expected} plans ...")
        started = time.perf_counter()
        generate()
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    print(f"database: {settings.DATABASES['default']['NAME']}, plans: {plan_count()}")

    secretariat = user("secretariat")
    director = user("director", Nation.objects.get(code=DIRECTOR_NATION))
    draft = NationalPlan.objects.get(nation=director.nation, cycle=PlanCycle.objects.get(year=CYCLES[-1]))
    pages = [
        ("secretariat plan list", secretariat, "pledges:plan-list", {}),
        ("director plan editor", director, "pledges:plan-edit", {"pk": draft.pk}),
    ]
    for label, who, name, kwargs in pages:
        url = url_or_none(name, **kwargs)
        if url is None:
            print(f"{label:<40} skipped: {name} does not exist yet")
            continue
        client = Client()
        client.force_login(who)
        median, worst, queries = time_page(client, url, args.repeat)
        print(
            f"{label:<40} median {median:8.1f} ms   max {worst:8.1f} ms   "
            f"queries {queries:2}   n={args.repeat}"
        )

    try:
        from pledges.diff import version_diff
    except ImportError:
        print(f"{'diff of two versions':<40} skipped: pledges.diff does not exist yet")
        return
    from pledges import selectors

    plan = diff_versions()
    old_id, new_id = plan.versions.order_by("number").values_list("pk", flat=True)
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        old = selectors.plan_content_get(user=secretariat, version_id=old_id)
        new = selectors.plan_content_get(user=secretariat, version_id=new_id)
        entries = len(version_diff(old, new).entries)
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"{f'diff of two versions ({entries} entries)':<40} median {statistics.median(samples):8.1f} ms   "
        f"max {max(samples):8.1f} ms   (load + diff)   n={args.repeat}"
    )
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        version_diff(old, new)
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"{'diff only (versions already loaded)':<40} median {statistics.median(samples):8.1f} ms   "
        f"max {max(samples):8.1f} ms   n={args.repeat}"
    )


if __name__ == "__main__":
    main()
