"""Server time of working group 1's industrial capacity view, beside the plain SQL that computes the
same numbers, in the same process, as a ratio.

Prints figures, asserts nothing (DESIGN.md, Testing). Target (issue 13): the capacity view at
1,000,000 deliveries, 32 submitted plans and 200 items <= 100 ms server time, measured cold (the
procurement figures' cache emptied before every call: the first reader after a write pays that),
with the warm figure beside it. Needs PostgreSQL:

    .venv/bin/python bench/boards.py [--repeat 20] [--rebuild]

Uses BENCH_BOARDS_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_boards;
the database is created and migrated if missing. Data is generated in SQL (INSERT ... SELECT
generate_series), kept between runs, and rebuilt when its size differs or with --rebuild.
"""

# The SQL here is built from this file's own constants, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("REDIS_URL", None)  # a local cache: measure the code, not a network hop

from bench._common import calibrate, fetch, migrate, setup_django, timed
from bench._common import line as _line

setup_django(
    os.environ.get("BENCH_BOARDS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_boards")
)

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402

ITEMS = 200
LINES_PER_FRAMEWORK = 10
FRAMEWORKS = ITEMS // LINES_PER_FRAMEWORK  # each item on one line of one of them
CALL_OFFS = 10_000
LINES_PER_CALL_OFF = 2  # 20,000 call-off lines
DELIVERIES_PER_LINE = 50  # 1,000,000 deliveries
CYCLE = 2026  # the cycle the view reads; last year's plans are there too and must not count
DEMAND_YEARS = (2022, 2032)
# Every plan of the cycle is submitted with lines for half the items. Every fourth nation was
# returned and resubmitted (its first, superseded version has lines that must not count); every
# eighth was returned again and is revising a draft (a third version whose lines must not count).
PLANS = 32

TABLES = [
    "pledges_reviewcomment",
    "pledges_capacityline",
    "pledges_investment",
    "pledges_measure",
    "pledges_plansection",
    "pledges_nationalplan",
    "pledges_planversion",
    "pledges_plancycle",
    "procurement_delivery",
    "procurement_scheduleddelivery",
    "procurement_calloffline",
    "procurement_calloff",
    "procurement_frameworkline",
    "procurement_frameworkparticipant",
    "procurement_frameworkcontract_suppliers",
    "procurement_amendment",
    "procurement_frameworkcontract",
    "procurement_demandsignal",
    "procurement_item",
]

ALLIES = "(SELECT array_agg(id ORDER BY id) ids FROM portal_nation WHERE kind = 'ally') nations"


def _capacity_lines(version_filter: str, shift: int) -> str:
    """Lines for half the items in each version chosen by ``version_filter``; ``shift`` changes
    their figures, so a version that must not count would show if it did."""
    return f"""INSERT INTO pledges_capacityline (key, commitment, illustrative, site, baseline_output,
            baseline_year, current_output, target_output, target_year, surge_capacity, lead_time_months,
            item_id, plan_version_id)
        SELECT gen_random_uuid(), 3, true, 'Bench site ' || p.nation_id || '-' || i.id, 500, 2024,
            1000 + (p.nation_id * 7 + i.id * 13 + {shift}) % 5000,
            3000 + (p.nation_id * 11 + i.id * 3 + {shift}) % 9000,
            {CYCLE} + (p.nation_id + i.id) % 6, 100 + i.id % 50, 12, i.id, v.id
        FROM pledges_planversion v JOIN pledges_nationalplan p ON p.id = v.plan_id
        JOIN procurement_item i ON (i.id + p.nation_id) % 2 = 0
        WHERE {version_filter}"""


def generate() -> None:
    """200 items on 20 frameworks; 10,000 call-offs of two lines with 50 deliveries each, ordered
    2022-2028 and delivered over the following 30 months; demand from every Ally for every item
    and year 2022-2032; the 2025 and 2026 cycles' plans (see ``PLANS``)."""
    cycle_plans = f"""SELECT n.id, c.id FROM portal_nation n, pledges_plancycle c
        WHERE n.kind = 'ally' AND c.year IN ({CYCLE - 1}, {CYCLE})"""
    statements = [
        f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE",
        f"""INSERT INTO procurement_item (code, name, capability_area, unit, nato_stock_number)
            SELECT 'bench-item-' || i, 'Bench item ' || lpad(i::text, 3, '0'), 'lbdm', 'round', ''
            FROM generate_series(1, {ITEMS}) i""",
        f"""INSERT INTO procurement_frameworkcontract (reference, title, currency, ceiling_value,
                firm_order_value, committed_value, period_start, period_end, status, notes, version,
                created_at, updated_at)
            SELECT 'BENCH-FW-' || f, 'Bench framework ' || f, 'EUR', 1e15, 0, 0, DATE '2022-01-01',
                DATE '2029-12-31', 'active', '', 1, now(), now()
            FROM generate_series(1, {FRAMEWORKS}) f""",
        """INSERT INTO procurement_frameworkparticipant (framework_id, nation_id, joined_on)
            SELECT f.id, n.id, DATE '2022-01-01'
            FROM procurement_frameworkcontract f CROSS JOIN portal_nation n WHERE n.kind = 'ally'""",
        f"""INSERT INTO procurement_frameworkline (framework_id, item_id, unit_price, max_quantity,
                ordered_quantity)
            SELECT 1 + (i.id - 1) / {LINES_PER_FRAMEWORK}, i.id, 100, 1000000000000, 0
            FROM procurement_item i""",
        f"""INSERT INTO procurement_calloff (framework_id, nation_id, reference, order_date, total_value,
                illustrative, created_at)
            SELECT 1 + c % {FRAMEWORKS}, nations.ids[1 + c % array_length(nations.ids, 1)],
                'BENCH-CO-' || lpad(c::text, 5, '0'), DATE '2022-01-01' + ((c * 37) % 2555), 0, true, now()
            FROM generate_series(0, {CALL_OFFS - 1}) c, {ALLIES}""",
        f"""INSERT INTO procurement_calloffline (call_off_id, framework_line_id, quantity, unit_price, value,
                delivered_quantity, accepted_quantity)
            SELECT c.id, fl.id, 100000, 100, 10000000, 0, 0
            FROM procurement_calloff c
            JOIN procurement_frameworkline fl ON fl.framework_id = c.framework_id
                AND (fl.id + c.id / {FRAMEWORKS}) % {LINES_PER_FRAMEWORK} < {LINES_PER_CALL_OFF}""",
        f"""INSERT INTO procurement_delivery (call_off_line_id, delivered_on, accepted_on, quantity_delivered,
                quantity_accepted, quantity_rejected, rejection_reason, lot_number, location, created_at)
            SELECT l.id, c.order_date + (30 + (g * 7919 + l.id * 31) % 900)::int, NULL, 100 + g % 50,
                100 + g % 50, 0, '', 'LOT-' || g, 'Depot', now()
            FROM procurement_calloffline l JOIN procurement_calloff c ON c.id = l.call_off_id,
            generate_series(1, {DELIVERIES_PER_LINE}) g""",
        """UPDATE procurement_calloffline l
            SET delivered_quantity = t.delivered, accepted_quantity = t.delivered
            FROM (SELECT call_off_line_id, SUM(quantity_delivered) delivered
                  FROM procurement_delivery GROUP BY call_off_line_id) t
            WHERE t.call_off_line_id = l.id""",
        """UPDATE procurement_frameworkline fl SET ordered_quantity = t.ordered
            FROM (SELECT framework_line_id, SUM(quantity) ordered FROM procurement_calloffline
                  GROUP BY framework_line_id) t WHERE t.framework_line_id = fl.id""",
        f"""INSERT INTO procurement_demandsignal (nation_id, item_id, year, quantity, firmness, notes,
                updated_at, version)
            SELECT n.id, i.id, y, 1000 + (n.id * 13 + i.id * 7 + y) % 5000,
                (ARRAY['firm', 'planned', 'indicative'])[1 + (n.id + i.id + y) % 3], '', now(), 1
            FROM portal_nation n, procurement_item i, generate_series({DEMAND_YEARS[0]}, {DEMAND_YEARS[1]}) y
            WHERE n.kind = 'ally'""",
        f"""INSERT INTO pledges_plancycle (year, due_date)
            VALUES ({CYCLE - 1}, DATE '{CYCLE - 1}-06-30'), ({CYCLE}, DATE '{CYCLE}-06-30')""",
        f"""INSERT INTO pledges_nationalplan (status, first_submitted_at, submitted_at, overdue,
                classification, version, created_at, updated_at, nation_id, cycle_id)
            SELECT CASE WHEN n % 8 = 0 THEN 'returned' ELSE 'submitted' END, now(), now(), false,
                'NATO UNCLASSIFIED', 1, now(), now(), n, c
            FROM ({cycle_plans}) AS plans (n, c)""",
        # Version 1 of every plan; version 2 of every fourth nation's; version 3 (a draft) of every
        # eighth nation's, in the cycle read only.
        """INSERT INTO pledges_planversion (number, frozen, submitted_at, created_at, plan_id)
            SELECT 1, true, now(), now(), p.id FROM pledges_nationalplan p""",
        f"""INSERT INTO pledges_planversion (number, frozen, submitted_at, created_at, plan_id)
            SELECT 2, true, now(), now(), p.id FROM pledges_nationalplan p
            JOIN pledges_plancycle c ON c.id = p.cycle_id
            WHERE c.year = {CYCLE} AND p.nation_id % 4 = 0""",
        f"""INSERT INTO pledges_planversion (number, frozen, submitted_at, created_at, plan_id)
            SELECT 3, false, NULL, now(), p.id FROM pledges_nationalplan p
            JOIN pledges_plancycle c ON c.id = p.cycle_id
            WHERE c.year = {CYCLE} AND p.nation_id % 8 = 0""",
        """UPDATE pledges_nationalplan p SET current_version_id = v.id
            FROM (SELECT DISTINCT ON (plan_id) plan_id, id FROM pledges_planversion
                  ORDER BY plan_id, number DESC) v WHERE v.plan_id = p.id""",
        _capacity_lines("v.number = 1", 0),
        _capacity_lines("v.number = 2", 17),
        _capacity_lines("v.number = 3", 29),
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            started = time.perf_counter()
            cursor.execute(sql)
            label = " ".join(sql.split()[:3])
            print(f"  {label:<48} {cursor.rowcount:>9} rows  {time.perf_counter() - started:6.2f} s")
        started = time.perf_counter()
        # The running totals the delivery and call-off services keep; rows inserted in SQL need
        # them rebuilt.
        from procurement.services import delivered_per_year_rebuild, ordered_per_year_rebuild

        totals = delivered_per_year_rebuild() + ordered_per_year_rebuild()
        took = time.perf_counter() - started
        print(f"  {'delivered and ordered per year (rebuilt)':<48} {totals:>9} rows  {took:6.2f} s")
        # Autovacuum would do this soon after a bulk load; index-only scans need the visibility map.
        cursor.execute("VACUUM ANALYZE")


def counts() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM procurement_delivery),"
            " (SELECT count(*) FROM pledges_nationalplan p JOIN pledges_plancycle c ON c.id = p.cycle_id"
            f"   WHERE c.year = {CYCLE}),"
            " (SELECT count(*) FROM procurement_item)"
        )
        return cursor.fetchone()


def user(role: str):
    from portal.models import User

    found, _ = User.objects.get_or_create(username=f"bench_{role}", defaults={"role": role})
    return found


# --- The plain SQL of the same numbers -----------------------------------------------------------

NATIONS = "STRING_AGG(DISTINCT {}::text, ',')"
# Between its two ends a capacity line's output is WHOLE / SPAN, rounded half to even (pledges).
WHOLE, SPAN = "(cur * (ty - y) + tgt * (y - start))", "(ty - start)"
HALF_EVEN = (
    f"div({WHOLE}, {SPAN}) + CASE WHEN 2 * mod({WHOLE}, {SPAN}) > {SPAN}"
    f" OR (2 * mod({WHOLE}, {SPAN}) = {SPAN} AND mod(div({WHOLE}, {SPAN}), 2) = 1) THEN 1 ELSE 0 END"
)


def line(*args, **kwargs) -> None:
    _line(*args, width=44, **kwargs)


def plain_view(cycle_year: int, first: int, last: int) -> dict[tuple[int, int], tuple]:
    """Every figure of the view by hand, per (item, year): demand (and firm), contracted maxima,
    ordered, delivered, planned capacity and surge, with the nations behind each figure (what the
    disclosure rule reads). Returns ``{(item, year): (demanded, firm, contracted, ordered,
    delivered, capacity, surge)}``."""
    bounds = [f"{first}-01-01", f"{last}-12-31"]
    demand = fetch(
        f"""SELECT item_id, year, SUM(quantity), SUM(quantity) FILTER (WHERE firmness = 'firm'),
                {NATIONS.format("nation_id")},
                {NATIONS.format("nation_id")} FILTER (WHERE firmness = 'firm'),
                {NATIONS.format("nation_id")} FILTER (WHERE firmness <> 'firm')
            FROM procurement_demandsignal WHERE year BETWEEN %s AND %s GROUP BY item_id, year""",
        [first, last],
    )
    orders = fetch(
        f"""SELECT fl.item_id, date_part('year', c.order_date)::int, SUM(l.quantity),
                {NATIONS.format("c.nation_id")}
            FROM procurement_calloffline l JOIN procurement_calloff c ON c.id = l.call_off_id
            JOIN procurement_frameworkline fl ON fl.id = l.framework_line_id
            WHERE c.order_date BETWEEN %s AND %s GROUP BY 1, 2""",
        bounds,
    )
    delivered = fetch(
        f"""SELECT fl.item_id, d.year, SUM(d.quantity), {NATIONS.format("c.nation_id")}
            FROM (SELECT call_off_line_id, date_part('year', delivered_on)::int AS year,
                         SUM(quantity_delivered) AS quantity
                  FROM procurement_delivery WHERE delivered_on BETWEEN %s AND %s GROUP BY 1, 2) d
            JOIN procurement_calloffline l ON l.id = d.call_off_line_id
            JOIN procurement_calloff c ON c.id = l.call_off_id
            JOIN procurement_frameworkline fl ON fl.id = l.framework_line_id GROUP BY 1, 2""",
        bounds,
    )
    participating = fetch(
        """SELECT item_id, year, COUNT(DISTINCT nation_id) FROM (
                SELECT item_id, year, nation_id FROM procurement_demandsignal WHERE year BETWEEN %s AND %s
                UNION ALL
                SELECT fl.item_id, date_part('year', c.order_date)::int, c.nation_id
                FROM procurement_calloffline l JOIN procurement_calloff c ON c.id = l.call_off_id
                JOIN procurement_frameworkline fl ON fl.id = l.framework_line_id
                WHERE c.order_date BETWEEN %s AND %s) u GROUP BY 1, 2""",
        [first, last, *bounds],
    )
    contracted = fetch(
        """SELECT fl.item_id, y, SUM(fl.max_quantity)
            FROM procurement_frameworkline fl JOIN procurement_frameworkcontract f ON f.id = fl.framework_id,
            generate_series(%s::int, %s::int) y
            WHERE f.status IN ('active', 'expired')
              AND y BETWEEN date_part('year', f.period_start) AND date_part('year', f.period_end)
            GROUP BY 1, 2""",
        [first, last],
    )
    # Each plan's latest frozen version; a line's output in a year under the pledges rule, exact.
    capacity = fetch(
        f"""WITH versions AS (
                SELECT DISTINCT ON (v.plan_id) v.id FROM pledges_planversion v
                JOIN pledges_nationalplan p ON p.id = v.plan_id JOIN pledges_plancycle c ON c.id = p.cycle_id
                WHERE c.year = %(cycle)s AND v.frozen ORDER BY v.plan_id, v.number DESC),
            lines AS (
                SELECT l.item_id, p.nation_id, l.surge_capacity, l.current_output::numeric AS cur,
                    l.target_output::numeric AS tgt, l.target_year AS ty,
                    GREATEST(%(cycle)s, l.baseline_year) AS start
                FROM pledges_capacityline l JOIN versions v ON v.id = l.plan_version_id
                JOIN pledges_planversion pv ON pv.id = l.plan_version_id
                JOIN pledges_nationalplan p ON p.id = pv.plan_id)
            SELECT item_id, y, SUM(CASE WHEN y >= ty THEN tgt WHEN y <= start THEN cur ELSE {HALF_EVEN} END),
                SUM(surge_capacity), {NATIONS.format("nation_id")}
            FROM lines, generate_series(%(first)s::int, %(last)s::int) y GROUP BY 1, 2""",
        {"cycle": cycle_year, "first": first, "last": last},
    )
    fetch("SELECT id, code, name, unit FROM procurement_item WHERE id = ANY(%s)", [[r[0] for r in capacity]])

    figures: dict[tuple[int, int], list] = {}

    def cell(item_id, year):
        return figures.setdefault((item_id, int(year)), [0, 0, 0, 0, 0, 0, 0])

    for item_id, year, total, firm, *_ in demand:
        cell(item_id, year)[0:2] = [int(total), int(firm or 0)]
    for item_id, year, total in contracted:
        cell(item_id, year)[2] = int(total)
    for item_id, year, total, _ in orders:
        cell(item_id, year)[3] = int(total)
    for item_id, year, total, _ in delivered:
        cell(item_id, year)[4] = int(total)
    for item_id, year, total, surge, _ in capacity:
        cell(item_id, year)[5:7] = [int(total), int(surge)]
    del participating  # read, as the view reads it, but not compared
    return {key: tuple(values) for key, values in figures.items()}


def selector_figures(view) -> dict[tuple[int, int], tuple]:
    """The view's rows in ``plain_view``'s shape, leaving out all-zero rows (the view shows every
    year of an item; the plain SQL only the years with something in them)."""
    figures = {}
    for row in view.rows:
        values = (
            row.demanded, row.firm, row.contracted_max, row.ordered, row.delivered, row.capacity, row.surge,
        )  # fmt: skip
        if any(values):
            figures[(row.item.pk, row.year)] = values
    return figures


# --- Measuring ---------------------------------------------------------------------------------


def queries_of(func) -> list[float]:
    """Each query's time in ms during ``func()``."""
    timings = []

    def timing(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started) * 1000)

    with connection.execute_wrapper(timing):
        func()
    return timings


# The page the lead writes; measured once its route answers.
PAGE_ROUTE = "boards:capacity"


def page_hook(repeat: int) -> None:
    """HOOK for the capacity page: its server time through the test client, cold (the figures'
    cache emptied before every request) and warm, once ``PAGE_ROUTE`` exists and answers 200."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from bench._common import time_page

    try:
        url = reverse(PAGE_ROUTE)
    except NoReverseMatch:
        print(f"  page: not measured, no route {PAGE_ROUTE} yet (view not written)")
        return
    client = Client()
    client.force_login(user("board_member"))
    status = client.get(url).status_code
    if status != 200:
        print(f"  page: not measured, {url} answers {status}")
        return
    samples = []
    for _ in range(repeat):
        cache.clear()
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    line(f"page GET {PAGE_ROUTE}, cold (board member)", statistics.median(samples), max(samples))
    median, worst, queries = time_page(client, url, repeat)
    line(f"page GET {PAGE_ROUTE}, warm (board member)", median, worst, extra=f"   queries {queries}")


def bench_view(repeat: int) -> None:
    from boards.selectors.capacity import capacity_view

    first, last = CYCLE, CYCLE + 4
    print(f"capacity view, cycle {CYCLE}, {first}-{last}, {ITEMS} items (chart data included):")
    plain_median, plain_worst, plain = timed(repeat, lambda: plain_view(CYCLE, first, last))
    line("plain SQL (the same numbers)", plain_median, plain_worst)
    for role in ("secretariat", "board_member"):
        reader = user(role)

        def selector(reader=reader):
            view = capacity_view(user=reader)
            return view, view.chart()

        cold_median, cold_worst, (view, _) = timed(repeat, selector, before=cache.clear)
        same = selector_figures(view) == plain if role == "secretariat" else view.withheld == 0
        cache.clear()
        cold_queries = queries_of(selector)
        line(
            f"selector, cold ({role})",
            cold_median,
            cold_worst,
            plain_median,
            f"   queries {len(cold_queries)}   "
            + (
                f"same numbers: {'yes' if same else 'NO'}"
                if role == "secretariat"
                else f"withheld {view.withheld}"
            ),
        )
        print("    per query (ms): " + " ".join(f"{ms:.0f}" for ms in cold_queries))
        warm_median, warm_worst, _ = timed(repeat, selector)
        line(
            f"selector, warm ({role})",
            warm_median,
            warm_worst,
            plain_median,
            f"   queries {len(queries_of(selector))}",
        )
    page_hook(repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    migrate()
    expected = (CALL_OFFS * LINES_PER_CALL_OFF * DELIVERIES_PER_LINE, PLANS, ITEMS)
    if args.rebuild or counts() != expected:
        print("generating ...")
        started = time.perf_counter()
        generate()
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    deliveries, plans, items = counts()
    print(
        f"database: {settings.DATABASES['default']['NAME']}, {deliveries:,} deliveries, "
        f"{plans} plans in the {CYCLE} cycle, {items} items"
    )
    calibrate(max(3, args.repeat // 4))
    bench_view(args.repeat)


if __name__ == "__main__":
    main()
