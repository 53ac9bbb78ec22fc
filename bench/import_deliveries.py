"""Delivery import speed and memory, against django-import-export 4.x on the same file and tables.

    .venv/bin/python bench/import_deliveries.py [--rows 100000] [--keep]

Prints figures and asserts nothing (DESIGN.md, Testing). Runs on PostgreSQL in a database of its
own, ``portal_bench_import`` (created, migrated, and dropped at the end unless ``--keep``), on the
server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432). Each import runs in a child
process, so its peak RSS is its own and not the data setup's. Targets (issue 3): >= 10,000 rows/s,
peak RSS <= 400 MB, >= 10x django-import-export.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "portal_bench_import"
LINES, ITEMS = 1000, 20
# The file's columns, which are also the baseline resource's fields.
CSV_COLUMNS = (
    "call_off_line",
    "delivered_on",
    "quantity_delivered",
    "quantity_accepted",
    "quantity_rejected",
    "rejection_reason",
    "lot_number",
    "location",
)


def bench_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if server.scheme not in ("postgres", "postgresql"):
        sys.exit("This bench measures PostgreSQL: set DATABASE_URL to a postgres:// URL (any database).")
    return urlunsplit(server._replace(path=f"/{BENCH_DB}"))


def admin_connection(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# --- Child processes: one import each -------------------------------------------------------------


def child_portal(path: Path, username: str) -> dict:
    from django.contrib.auth import get_user_model

    from procurement.importers import import_deliveries

    actor = get_user_model().objects.get(username=username)
    before = peak_rss_mb()
    start = time.perf_counter()
    result = import_deliveries(actor=actor, data=path.read_bytes(), file_name=path.name)
    seconds = time.perf_counter() - start
    return {
        "rows": result.rows,
        "created": result.created,
        "seconds": seconds,
        "rss_mb": peak_rss_mb(),
        "rss_at_start_mb": before,
    }


def child_import_export(path: Path, username: str) -> dict:
    import tablib
    from import_export import fields, resources, widgets

    from procurement.models import CallOffLine, Delivery

    class DeliveryResource(resources.ModelResource):
        call_off_line = fields.Field(
            attribute="call_off_line",
            column_name="call_off_line",
            widget=widgets.ForeignKeyWidget(CallOffLine),
        )

        class Meta:
            model = Delivery
            fields = CSV_COLUMNS
            import_id_fields = ("call_off_line", "lot_number")
            skip_unchanged = True

    before = peak_rss_mb()
    start = time.perf_counter()
    dataset = tablib.Dataset().load(path.read_text(encoding="utf-8"), format="csv")
    result = DeliveryResource().import_data(dataset, dry_run=False, use_transactions=True)
    seconds = time.perf_counter() - start
    return {
        "rows": len(dataset),
        "created": result.totals.get("new", 0),
        "errors": len(result.row_errors()) + len(result.invalid_rows),
        "seconds": seconds,
        "rss_mb": peak_rss_mb(),
        "rss_at_start_mb": before,
    }


def run_child(kind: str, url: str, path: Path, username: str) -> dict:
    completed = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, "--child", kind, "--url", url, "--file", str(path), "--user", username],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{kind} import failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- Data -----------------------------------------------------------------------------------------


def create_database(url: str) -> None:
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def build_orders() -> tuple[str, list[tuple[int, int]]]:
    """An NSPA user and ``LINES`` call-off lines of 10,000 units; returns (username, [(line id, qty)])."""
    from portal.models import Nation, User
    from procurement import services
    from procurement.choices import CapabilityArea, FrameworkStatus

    actor = User.objects.create(username="bench_nspa", role="nspa")
    framework = services.framework_create(
        actor=actor,
        reference="BENCH-FW",
        title="Bench framework",
        currency="EUR",
        ceiling_value=10**12,
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2027, 12, 31),
        status=FrameworkStatus.ACTIVE,
    )
    services.framework_participant_add(
        actor=actor, framework=framework, nation=Nation.objects.get(code="POL"), joined_on=dt.date(2024, 1, 1)
    )
    framework_lines = [
        services.framework_line_add(
            actor=actor,
            framework=framework,
            item=services.item_create(
                actor=actor,
                code=f"bench-{n}",
                name=f"Bench item {n}",
                capability_area=CapabilityArea.LAND_BATTLE_DECISIVE_MUNITIONS,
                unit="round",
            ),
            unit_price=1,
            max_quantity=10**9,
        )
        for n in range(ITEMS)
    ]
    for n in range(LINES // ITEMS):
        services.calloff_create(
            actor=actor,
            framework=framework,
            nation=Nation.objects.get(code="POL"),
            reference=f"BENCH-CO-{n}",
            order_date=dt.date(2024, 2, 1),
            lines=[services.CallOffLineInput(framework_line=fl, quantity=10_000) for fl in framework_lines],
        )
    from procurement.models import CallOffLine

    return actor.username, list(CallOffLine.objects.order_by("pk").values_list("pk", "quantity"))


def write_csv(path: Path, rows: int, lines: list[tuple[int, int]]) -> None:
    rng = random.Random(31)  # noqa: S311 - reproducible test data, not security
    start = dt.date(2024, 3, 1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for n in range(rows):
            line_id, _ = lines[n % len(lines)]
            delivered = rng.randint(1, 60)
            rejected = rng.randint(1, delivered) if rng.random() < 0.1 else 0
            writer.writerow(
                [
                    line_id,
                    (start + dt.timedelta(days=rng.randint(0, 600))).isoformat(),
                    delivered,
                    delivered - rejected,
                    rejected,
                    "Failed lot acceptance test" if rejected else "",
                    f"LOT-{n:07d}",
                    rng.choice(["Depot Bydgoszcz", "Depot Mourmelon", "Ramstein", ""]),
                ]
            )


def reset_deliveries() -> None:
    from procurement.models import CallOffLine, Delivery, DeliveryImport

    Delivery.objects.all().delete()
    DeliveryImport.objects.all().delete()
    CallOffLine.objects.update(delivered_quantity=0, accepted_quantity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--skip-baseline", action="store_true", help="measure the portal's import only")
    parser.add_argument("--child", choices=["portal", "import_export"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        setup_django(args.url)
        child = child_portal if args.child == "portal" else child_import_export
        print(json.dumps(child(args.file, args.user)))
        return

    url = bench_url()
    create_database(url)
    setup_django(url)
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        username, lines = build_orders()
        with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
            path = Path(tmp) / "deliveries.csv"
            write_csv(path, args.rows, lines)
            size_mb = path.stat().st_size / 1024 / 1024
            print(f"file: {args.rows:,} rows, {size_mb:.1f} MB CSV, {len(lines)} call-off lines")

            ours = run_child("portal", url, path, username)
            rate = ours["rows"] / ours["seconds"]
            print(
                f"portal import:             {ours['rows']:>8,} rows  {ours['seconds']:7.2f} s  "
                f"{rate:>9,.0f} rows/s  peak RSS {ours['rss_mb']:6.1f} MB "
                f"(at start {ours['rss_at_start_mb']:.1f} MB)  created {ours['created']:,}"
            )
            again = run_child("portal", url, path, username)
            print(
                f"same file again:           {again['rows']:>8,} rows  {again['seconds']:7.2f} s  "
                f"{again['rows'] / again['seconds']:>9,.0f} rows/s  created {again['created']:,}"
            )
            if args.skip_baseline:
                return
            reset_deliveries()
            base = run_child("import_export", url, path, username)
            base_rate = base["rows"] / base["seconds"]
            print(
                f"django-import-export 4.x:  {base['rows']:>8,} rows  {base['seconds']:7.2f} s  "
                f"{base_rate:>9,.0f} rows/s  peak RSS {base['rss_mb']:6.1f} MB  "
                f"created {base['created']:,}, errors {base['errors']}"
            )
            print(f"ratio (portal / import-export): {rate / base_rate:.1f}x")
    finally:
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
