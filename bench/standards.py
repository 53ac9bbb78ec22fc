"""Server time of the ratification matrix and of the interoperability alert list, each beside the
plain SQL that computes the same numbers, in the same process, as a ratio.

Prints figures, asserts nothing (DESIGN.md, Testing). Targets (issue 12): the matrix of 2,000
editions x 32 Allies filtered to one domain of about 200 editions <= 150 ms; the alert list (its
first page, uncounted) at 50,000 call-off lines and 2,000 editions <= 50 ms. Needs PostgreSQL:

    .venv/bin/python bench/standards.py [--repeat 20] [--rebuild]

Uses BENCH_STANDARDS_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/portal_bench_standards;
the database is created and migrated if missing. Data is generated in SQL (INSERT ... SELECT
generate_series), kept between runs, and rebuilt when its size differs or with --rebuild.
"""

# The SQL here is built from this file's own constants, never from input.
# ruff: noqa: S608

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.pop("REDIS_URL", None)  # a local cache: measure the code, not a network hop

from bench._common import calibrate, fetch, line, migrate, setup_django, time_page, timed

setup_django(
    os.environ.get(
        "BENCH_STANDARDS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_standards"
    )
)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

DOMAINS = 10
STANDARDS = 2_000  # 200 per domain
ITEMS = 500
LINES_PER_FRAMEWORK = 10  # 50 frameworks, each item on one of them
CALL_OFFS = 10_000
LINES_PER_CALL_OFF = 5  # 50,000 call-off lines; every second one fully delivered
REQUIREMENTS_PER_ITEM = 2
ALERT_PAGE = 25  # django-tables2's default page
MATRIX_PAGE = 200  # one domain on one page

TABLES = [
    "standards_itemrequirement",
    "standards_unmatcheddesignation",
    "standards_serviceimplementation",
    "standards_nationalresponse",
    "standards_changeproposal",
    "standards_reviewcycle",
    "standards_standard",
    "standards_domain",
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


def generate() -> None:
    """10 domains of 200 editions; every Ally's response to every edition (64,000), spread over
    the ratifications and implementations; 500 items of two requirements each; 10,000 call-offs
    of five lines; firm, planned and indicative demand over three years."""
    year = timezone.localdate().year
    statements = [
        f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE",
        f"""INSERT INTO standards_domain (code, name, name_fr, description, "order", version)
            SELECT 'domain-' || d, 'Domain ' || lpad(d::text, 2, '0'), '', '', d, 1
            FROM generate_series(1, {DOMAINS}) d""",
        f"""INSERT INTO standards_standard (doc_type, number, edition, title, title_fr,
                covering_publication, covering_edition, status, promulgated_on, effective_on, custodian,
                level, review_cycle_months, next_review_due, notes, version, updated_at, domain_id)
            SELECT CASE WHEN s % 10 = 0 THEN 'stanrec' ELSE 'stanag' END, (1000 + s)::text,
                (1 + s % 3)::text, 'Bench standard ' || s, '', '', '',
                (ARRAY['promulgated', 'promulgated', 'promulgated', 'ratification_draft',
                       'superseded'])[1 + s % 5],
                DATE '2015-01-01' + (s % 3000), NULL, 'Bench custodian', 'interoperability', 60,
                NULL, '', 1, now(), 1 + (s - 1) % {DOMAINS}
            FROM generate_series(1, {STANDARDS}) s""",
        """INSERT INTO standards_nationalresponse (nation_id, standard_id, ratification,
                ratification_reference, ratified_on, reservations, implementation, implementation_date,
                implemented_without_ratification, without_ratification_reason, version, updated_at)
            SELECT n.id, s.id, r.ratification, '', NULL,
                CASE WHEN r.ratification = 'reservations' THEN 'Right to deviate' ELSE '' END,
                CASE WHEN r.ratification IN ('ratified', 'reservations') THEN
                    (ARRAY['implemented', 'implemented', 'planned', 'not_implemented'])[1 + (n.id + s.id) % 4]
                ELSE 'not_implemented' END,
                NULL, false, '', 1, now()
            FROM portal_nation n CROSS JOIN standards_standard s,
            LATERAL (SELECT (ARRAY['ratified', 'ratified', 'ratified', 'ratified', 'ratified', 'ratified',
                    'reservations', 'will_not_ratify', 'no_response', 'no_response'])
                    [1 + (n.id * 7 + s.id * 13) % 10] AS ratification) r
            WHERE n.kind = 'ally'""",
        f"""INSERT INTO procurement_item (code, name, capability_area, unit, nato_stock_number)
            SELECT 'bench-item-' || i, 'Bench item ' || lpad(i::text, 3, '0'), 'lbdm', 'round', ''
            FROM generate_series(1, {ITEMS}) i""",
        f"""INSERT INTO standards_itemrequirement (item_id, standard_id)
            SELECT i.id, 1 + (i.id * 7 + k * 997) % {STANDARDS}
            FROM procurement_item i, generate_series(0, {REQUIREMENTS_PER_ITEM - 1}) k""",
        f"""INSERT INTO procurement_frameworkcontract (reference, title, currency, ceiling_value,
                firm_order_value, committed_value, period_start, period_end, status, notes, version,
                created_at, updated_at)
            SELECT 'BENCH-FW-' || f, 'Bench framework ' || f, 'EUR', 1e15, 0, 0, DATE '2020-01-01',
                DATE '2035-12-31', 'active', '', 1, now(), now()
            FROM generate_series(1, {ITEMS // LINES_PER_FRAMEWORK}) f""",
        """INSERT INTO procurement_frameworkparticipant (framework_id, nation_id, joined_on)
            SELECT f.id, n.id, DATE '2020-01-01'
            FROM procurement_frameworkcontract f CROSS JOIN portal_nation n WHERE n.kind = 'ally'""",
        f"""INSERT INTO procurement_frameworkline (framework_id, item_id, unit_price, max_quantity,
                ordered_quantity)
            SELECT 1 + (i.id - 1) / {LINES_PER_FRAMEWORK}, i.id, 100, 1000000000000, 0
            FROM procurement_item i""",
        f"""INSERT INTO procurement_calloff (framework_id, nation_id, reference, order_date, total_value,
                illustrative, created_at)
            SELECT 1 + c % {ITEMS // LINES_PER_FRAMEWORK}, nations.ids[1 + c % array_length(nations.ids, 1)],
                'BENCH-CO-' || lpad(c::text, 5, '0'), DATE '2024-01-01' + (c % 700), 0, true, now()
            FROM generate_series(0, {CALL_OFFS - 1}) c,
                (SELECT array_agg(id ORDER BY id) ids FROM portal_nation WHERE kind = 'ally') nations""",
        f"""INSERT INTO procurement_calloffline (call_off_id, framework_line_id, quantity, unit_price, value,
                delivered_quantity, accepted_quantity)
            SELECT c.id, fl.id, 1000, 100, 100000, 0, 0
            FROM procurement_calloff c
            JOIN procurement_frameworkline fl ON fl.framework_id = c.framework_id
                AND (fl.id + c.id) % {LINES_PER_FRAMEWORK} < {LINES_PER_CALL_OFF}""",
        """UPDATE procurement_calloffline SET delivered_quantity = quantity, accepted_quantity = quantity
            WHERE id % 2 = 0""",
        f"""INSERT INTO procurement_demandsignal (nation_id, item_id, year, quantity, firmness, notes,
                updated_at, version)
            SELECT n.id, i.id, y, 1000, (ARRAY['firm', 'planned', 'indicative'])[1 + (n.id + i.id + y) % 3],
                '', now(), 1
            FROM portal_nation n, procurement_item i, generate_series({year - 1}, {year + 1}) y
            WHERE n.kind = 'ally'""",
    ]
    with connection.cursor() as cursor:
        for sql in statements:
            started = time.perf_counter()
            cursor.execute(sql)
            label = " ".join(sql.split()[:3])
            print(f"  {label:<48} {cursor.rowcount:>9} rows  {time.perf_counter() - started:6.2f} s")
        cursor.execute("ANALYZE")


def counts() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM standards_standard),"
            " (SELECT count(*) FROM standards_nationalresponse),"
            " (SELECT count(*) FROM procurement_calloffline)"
        )
        return cursor.fetchone()


def user(role: str, nation_code: str | None = None):
    from portal.models import Nation, User

    nation = Nation.objects.get(code=nation_code) if nation_code else None
    found, _ = User.objects.get_or_create(
        username=f"bench_{role}_{nation_code or 'all'}", defaults={"role": role, "nation": nation}
    )
    return found


# --- The plain SQL of the same numbers -----------------------------------------------------------

RESPONDABLE_SQL = "('promulgated', 'ratification_draft', 'superseded')"


def plain_matrix(domain_id: int, per_page: int) -> tuple[int, list, list, list]:
    """The matrix page by hand: the count, the page's editions, their Allies' responses, and the
    nations' totals over the domain."""
    where = f"s.status IN {RESPONDABLE_SQL} AND s.domain_id = %s"
    [(count,)] = fetch(f"SELECT count(*) FROM standards_standard s WHERE {where}", [domain_id])
    page = fetch(
        f"""SELECT s.id, s.doc_type, s.number, s.edition, s.title, d.name FROM standards_standard s
            JOIN standards_domain d ON d.id = s.domain_id WHERE {where}
            ORDER BY s.doc_type, s.number, s.edition, s.id LIMIT %s""",
        [domain_id, per_page],
    )
    cells = fetch(
        """SELECT r.standard_id, r.nation_id, r.ratification, r.implementation, r.reservations
            FROM standards_nationalresponse r JOIN portal_nation n ON n.id = r.nation_id
            WHERE n.kind = 'ally' AND r.standard_id = ANY(%s)""",
        [[row[0] for row in page]],
    )
    totals = fetch(
        f"""SELECT r.nation_id,
                count(*) FILTER (WHERE r.ratification IN ('ratified', 'reservations')),
                count(*) FILTER (WHERE r.implementation = 'implemented'),
                count(*) FILTER (WHERE r.ratification <> 'no_response')
            FROM standards_nationalresponse r JOIN portal_nation n ON n.id = r.nation_id
            JOIN standards_standard s ON s.id = r.standard_id
            WHERE n.kind = 'ally' AND {where} GROUP BY r.nation_id""",
        [domain_id],
    )
    return count, page, cells, totals


ALERTS_SQL = f"""
    WITH alerts AS (
        SELECT CASE WHEN r.id IS NULL OR r.ratification IN ('no_response', 'will_not_ratify')
                    THEN 'not_ratified'
                    WHEN r.ratification = 'reservations' THEN 'reservations'
                    WHEN r.implementation <> 'implemented' THEN 'not_implemented' END AS kind,
            'call_off' AS source, c.id AS source_id, l.id AS line_id, c.reference AS source_label,
            n.id AS nation_id, n.code, n.name AS nation_name, i.id AS item_id, i.name AS item_name,
            s.id AS standard_id, s.doc_type, s.number, s.edition, d.id AS domain_id, d.name AS domain_name,
            r.ratification, r.implementation, coalesce(r.reservations, '') AS reservations
        FROM procurement_calloffline l
        JOIN procurement_calloff c ON c.id = l.call_off_id
        JOIN portal_nation n ON n.id = c.nation_id
        JOIN procurement_frameworkline fl ON fl.id = l.framework_line_id
        JOIN procurement_item i ON i.id = fl.item_id
        JOIN standards_itemrequirement q ON q.item_id = i.id
        JOIN standards_standard s ON s.id = q.standard_id AND s.status IN {RESPONDABLE_SQL}
        JOIN standards_domain d ON d.id = s.domain_id
        LEFT JOIN standards_nationalresponse r ON r.standard_id = s.id AND r.nation_id = c.nation_id
        WHERE l.quantity > l.delivered_quantity
        UNION ALL
        SELECT CASE WHEN r.id IS NULL OR r.ratification IN ('no_response', 'will_not_ratify')
                    THEN 'not_ratified'
                    WHEN r.ratification = 'reservations' THEN 'reservations'
                    WHEN r.implementation <> 'implemented' THEN 'not_implemented' END,
            'demand', g.id, NULL, g.year::text || ' demand',
            n.id, n.code, n.name, i.id, i.name, s.id, s.doc_type, s.number, s.edition, d.id, d.name,
            r.ratification, r.implementation, coalesce(r.reservations, '')
        FROM procurement_demandsignal g
        JOIN portal_nation n ON n.id = g.nation_id
        JOIN procurement_item i ON i.id = g.item_id
        JOIN standards_itemrequirement q ON q.item_id = i.id
        JOIN standards_standard s ON s.id = q.standard_id AND s.status IN {RESPONDABLE_SQL}
        JOIN standards_domain d ON d.id = s.domain_id
        LEFT JOIN standards_nationalresponse r ON r.standard_id = s.id AND r.nation_id = g.nation_id
        WHERE g.firmness = 'firm' AND g.year >= %(year)s
    )
    SELECT {{select}} FROM alerts WHERE kind IS NOT NULL {{narrow}} {{tail}}
"""


def plain_alerts(year: int, nation_id: int | None = None, limit: int = ALERT_PAGE) -> tuple[int, list]:
    """The alert list's count and first page by hand."""
    narrow = "AND nation_id = %(nation)s" if nation_id else ""
    params = {"year": year, "nation": nation_id}
    [(count,)] = fetch(ALERTS_SQL.format(select="count(*)", narrow=narrow, tail=""), params)
    page = fetch(
        ALERTS_SQL.format(
            select="*",
            narrow=narrow,
            tail="ORDER BY nation_name, item_name, number, edition, standard_id, source, source_id, line_id "
            f"LIMIT {limit}",
        ),
        params,
    )
    return count, page


# --- Measuring ---------------------------------------------------------------------------------


def queries_of(func) -> int:
    executed = []
    with connection.execute_wrapper(lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)):
        func()
    return len(executed)


def view_hook(client: Client, route: str, query: str, repeat: int, label: str) -> None:
    """HOOK for the pages the lead writes (``standards:matrix``, ``standards:alert-list``): timed
    through the test client once the route answers 200; until then, says so."""
    url = reverse(route) + query
    status = client.get(url).status_code
    if status != 200:
        print(f"  {label:<50} not measured: {url} answers {status} (view not written yet)")
        return
    median, worst, queries = time_page(client, url, repeat)
    line(label, median, worst, extra=f"   queries {queries}")


def bench_matrix(repeat: int) -> None:
    from standards.models import Domain
    from standards.selectors import ratification_matrix

    domain = Domain.objects.order_by("order", "pk").first()
    print(f"ratification matrix, one domain ({domain.name}), {MATRIX_PAGE} editions a page:")
    for who in (user("secretariat"), user("director", "POL")):

        def selector(who=who):
            matrix = ratification_matrix(user=who, domain=domain, per_page=MATRIX_PAGE)
            # What the template reads, so lazy values are paid for here too.
            return matrix, [cell.text for row in matrix.rows for cell in row.cells]

        median, worst, (matrix, _) = timed(repeat, selector)
        plain_median, _, (count, page, cells, totals) = timed(
            repeat, lambda: plain_matrix(domain.pk, MATRIX_PAGE)
        )
        same = (
            matrix.standard_count == count
            and [row.standard.pk for row in matrix.rows] == [row[0] for row in page]
            and sum(row.ratified for row in matrix.rows)
            == sum(1 for cell in cells if cell[2] in ("ratified", "reservations"))
            and sorted((t.nation.pk, t.ratified, t.implemented, t.responded) for t in matrix.nation_totals)
            == sorted(totals)
        )
        line(
            f"selector ({who.role})",
            median,
            worst,
            plain_median,
            f"   queries {queries_of(selector)}   same numbers: {'yes' if same else 'NO'}",
        )
        print(
            f"    {matrix.standard_count} editions x {len(matrix.nations)} Allies = "
            f"{matrix.standard_count * len(matrix.nations):,} cells"
        )
    client = Client()
    client.force_login(user("secretariat"))
    view_hook(
        client, "standards:matrix", f"?domain={domain.pk}", repeat, "page GET standards:matrix (secretariat)"
    )


def bench_alerts(repeat: int) -> None:
    from standards.selectors import alert_list, alert_pages

    year = timezone.localdate().year
    print(f"interoperability alerts, the first page of {ALERT_PAGE} and one row more (what the list reads):")
    for who in (user("secretariat"), user("director", "POL")):
        nation_id = who.nation_id  # a director's list is their nation's

        def selector(who=who):
            return alert_pages(user=who)[: ALERT_PAGE + 1]

        def plain(nation_id=nation_id):
            return plain_alerts(year, nation_id, limit=ALERT_PAGE + 1)

        median, worst, page = timed(repeat, selector)
        plain_median, _, (_, plain_page) = timed(repeat, plain)
        keys = [(r["source_id"], r["line_id"], r["standard_id"]) for r in page]
        same = keys == [(r[2], r[3], r[10]) for r in plain_page]
        line(
            f"selector ({who.role})",
            median,
            worst,
            plain_median,
            f"   queries {queries_of(selector)}   same rows: {'yes' if same else 'NO'}",
        )
        deep_median, _, _ = timed(max(3, repeat // 4), lambda who=who: alert_pages(user=who)[10_000:10_026])
        line(f"  page 401 ({who.role})", deep_median, deep_median)
    secretariat = user("secretariat")
    print("  what the list page no longer reads, for the secretariat (the count joins every alert):")
    median, worst, count = timed(repeat, lambda: alert_list(user=secretariat).count())
    plain_median, _, ((plain_count,),) = timed(
        repeat, lambda: fetch(ALERTS_SQL.format(select="count(*)", narrow="", tail=""), {"year": year})
    )
    line(
        "  the count",
        median,
        worst,
        plain_median,
        f"   {count:,} alerts   same: {'yes' if count == plain_count else 'NO'}",
    )
    median, worst, _ = timed(repeat, lambda: list(alert_list(user=secretariat)[:ALERT_PAGE]))
    line("  the first page as one ORDER BY ... LIMIT", median, worst)
    client = Client()
    client.force_login(secretariat)
    view_hook(client, "standards:alert-list", "", repeat, "page GET standards:alert-list (secretariat)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    migrate()
    lines_expected = CALL_OFFS * LINES_PER_CALL_OFF
    if args.rebuild or counts() != (STANDARDS, STANDARDS * 32, lines_expected):
        print("generating ...")
        started = time.perf_counter()
        generate()
        print(f"  generated in {time.perf_counter() - started:.1f} s")
    standards, responses, lines = counts()
    print(
        f"database: {settings.DATABASES['default']['NAME']}, {standards:,} editions, "
        f"{responses:,} responses, {lines:,} call-off lines"
    )
    calibrate(max(3, args.repeat // 4))
    bench_matrix(args.repeat)
    bench_alerts(args.repeat)


if __name__ == "__main__":
    main()
