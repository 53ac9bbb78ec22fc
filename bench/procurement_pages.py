"""Server time of the aggregated-demand and delivery-performance pages at 1,000,000 deliveries.

Prints figures, asserts nothing (DESIGN.md, Testing). Needs PostgreSQL:

    .venv/bin/python bench/procurement_pages.py [--deliveries N] [--rebuild] [--repeat 20]

Uses BENCH_PAGES_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_pages; the
database is created and migrated if missing. Data is generated in SQL (INSERT ... SELECT
generate_series), kept between runs, and rebuilt when its size differs or with --rebuild.
"""

# The SQL here is built from this file's own constants, never from input.

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import migrate, setup_django, time_page

setup_django(
    os.environ.get("BENCH_PAGES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_pages")
)

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from bench.procurement_data import CALL_OFFS, delivery_count, generate  # noqa: E402


def user(role: str, nation_code: str | None = None):
    from portal.models import Nation, User

    nation = Nation.objects.get(code=nation_code) if nation_code else None
    found, _ = User.objects.get_or_create(username=f"bench_{role}", defaults={"role": role, "nation": nation})
    return found


class ColdCache:
    """Every request sees a new data stamp, so the figures are aggregated from the raw rows: what
    the first reader pays after a write."""

    def __enter__(self):
        from procurement.analytics import common

        self.module, self.original, counter = common, common.data_stamp, iter(range(10**9))
        common.data_stamp = lambda: (*self.original(), "cold", next(counter))
        return self

    def __exit__(self, *exc):
        self.module.data_stamp = self.original


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    migrate()
    expected = max(1, args.deliveries // CALL_OFFS) * CALL_OFFS
    if args.rebuild or delivery_count() != expected:
        print(f"generating {expected:,} deliveries ...")
        started = time.perf_counter()
        generate(args.deliveries)
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    print(f"database: {settings.DATABASES['default']['NAME']}, deliveries: {delivery_count():,}")

    from procurement.models import Item

    item = Item.objects.order_by("pk").first()
    pages = [
        ("aggregated demand", reverse("procurement:demand-aggregate"), ""),
        (
            "aggregated demand, one year",
            reverse("procurement:demand-aggregate"),
            "?year_from=2024&year_to=2024",
        ),
        ("delivery performance", reverse("procurement:delivery-performance"), ""),
        ("delivery performance, one item", reverse("procurement:delivery-performance"), f"?item={item.pk}"),
        (
            "drill-down (one item, one year)",
            reverse("procurement:demand-drilldown", kwargs={"item_id": item.pk, "year": 2024}),
            "",
        ),
    ]
    for who in (user("nspa"), user("director", "POL")):
        client = Client()
        client.force_login(who)
        for name, url, query in pages:
            median, worst, queries = time_page(client, url + query, args.repeat)
            print(
                f"{name + ' (' + who.role + ')':<56} median {median:8.1f} ms   max {worst:8.1f} ms   "
                f"queries {queries:2}   n={args.repeat}"
            )
    print("cold cache (figures aggregated from the raw rows on every request):")
    client = Client()
    client.force_login(user("nspa"))
    with ColdCache():
        for name, url, query in pages:
            median, worst, queries = time_page(client, url + query, max(3, args.repeat // 4))
            print(
                f"  {name + ' (nspa, cold)':<54} median {median:8.1f} ms   max {worst:8.1f} ms   "
                f"queries {queries:2}   n={max(3, args.repeat // 4)}"
            )


if __name__ == "__main__":
    main()
