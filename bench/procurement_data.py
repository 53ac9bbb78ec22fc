"""The procurement benchmarks' bulk data: items x frameworks x 30 Allies x 7 order years, with
deliveries spread over every call-off line, generated in SQL (INSERT ... SELECT generate_series).
Shared by bench/procurement_pages.py and bench/home.py; import it after ``setup_django``."""

# The SQL here is built from this file's own constants, never from input.
# ruff: noqa: S608

from __future__ import annotations

import time

from django.db import connection

ITEMS = 8
FRAMEWORKS = 12
LINES_PER_FRAMEWORK = 4
CALL_OFFS = 20_000
FIRST_YEAR, LAST_YEAR = 2019, 2030

TABLES = [
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
    "procurement_supplier",
    "procurement_item",
]


def generate(deliveries: int) -> None:
    """Items x frameworks x 30 Allies x 7 order years; deliveries spread over every call-off line,
    with lead times that lengthen with the order year (what the chart should show)."""
    per_line = max(1, deliveries // CALL_OFFS)
    statements = [
        f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE",
        f"""INSERT INTO procurement_item (code, name, capability_area, unit, nato_stock_number)
            SELECT 'bench-item-' || i, 'Bench item ' || i, 'lbdm', 'round', ''
            FROM generate_series(1, {ITEMS}) i""",
        """INSERT INTO procurement_supplier (name, country)
            SELECT 'Bench supplier ' || s, 'DEU' FROM generate_series(1, 6) s""",
        f"""INSERT INTO procurement_frameworkcontract (reference, title, currency, ceiling_value,
                firm_order_value, committed_value, period_start, period_end, status, notes, version,
                created_at, updated_at)
            SELECT 'BENCH-FW-' || f, 'Bench framework ' || f, 'EUR', 1e15, 0, 0, DATE '2019-01-01',
                DATE '2028-12-31', CASE WHEN f % 6 = 0 THEN 'expired' ELSE 'active' END, '', 1, now(), now()
            FROM generate_series(1, {FRAMEWORKS}) f""",
        """INSERT INTO procurement_frameworkcontract_suppliers (frameworkcontract_id, supplier_id)
            SELECT f.id, 1 + f.id % 6 FROM procurement_frameworkcontract f""",
        """INSERT INTO procurement_frameworkparticipant (framework_id, nation_id, joined_on)
            SELECT f.id, n.id, DATE '2019-01-01'
            FROM procurement_frameworkcontract f CROSS JOIN portal_nation n WHERE n.kind = 'ally'""",
        f"""INSERT INTO procurement_frameworkline (framework_id, item_id, unit_price, max_quantity,
                ordered_quantity)
            SELECT f.id, 1 + (f.id + k) % {ITEMS}, 100 + k, 1000000000000, 0
            FROM procurement_frameworkcontract f, generate_series(0, {LINES_PER_FRAMEWORK - 1}) k""",
        f"""INSERT INTO procurement_calloff (framework_id, nation_id, reference, order_date, total_value,
                illustrative, created_at)
            SELECT 1 + i % {FRAMEWORKS}, nations.ids[1 + i % array_length(nations.ids, 1)],
                'BENCH-CO-' || i, DATE '2019-01-01' + ((i * 37) % 2550)::int, 0, true, now()
            FROM generate_series(0, {CALL_OFFS - 1}) i,
                (SELECT array_agg(id ORDER BY id) ids FROM portal_nation WHERE kind = 'ally') nations""",
        f"""INSERT INTO procurement_calloffline (call_off_id, framework_line_id, quantity, unit_price, value,
                delivered_quantity, accepted_quantity)
            SELECT c.id, fl.id, 1000000, fl.unit_price, fl.unit_price * 1000000, 0, 0
            FROM procurement_calloff c
            JOIN procurement_frameworkline fl ON fl.framework_id = c.framework_id
                AND fl.item_id = 1 + (c.framework_id + c.id % {LINES_PER_FRAMEWORK}) % {ITEMS}""",
        """INSERT INTO procurement_scheduleddelivery (call_off_line_id, due_date, quantity, quantity_through)
            SELECT l.id, c.order_date + (365 * k)::int, 500000, 500000 * k
            FROM procurement_calloffline l JOIN procurement_calloff c ON c.id = l.call_off_id,
                generate_series(1, 2) k""",
        f"""INSERT INTO procurement_delivery (call_off_line_id, delivered_on, accepted_on, quantity_delivered,
                quantity_accepted, quantity_rejected, rejection_reason, lot_number, location, created_at)
            SELECT l.id, d.delivered_on, d.delivered_on + (g % 21)::int, 100 + g % 50,
                100 + g % 50 - CASE WHEN g % 10 = 0 THEN 5 ELSE 0 END,
                CASE WHEN g % 10 = 0 THEN 5 ELSE 0 END,
                CASE WHEN g % 10 = 0 THEN 'Damaged' ELSE '' END, 'LOT-' || g, 'Depot', now()
            FROM procurement_calloffline l
            JOIN procurement_calloff c ON c.id = l.call_off_id,
            LATERAL generate_series(1, {per_line}) g,
            LATERAL (SELECT c.order_date + (20 + (g * 7919 + l.id * 31) % 700
                + 25 * (EXTRACT(YEAR FROM c.order_date)::int - 2019))::int AS delivered_on) d""",
        """UPDATE procurement_calloffline l
            SET delivered_quantity = t.delivered, accepted_quantity = t.accepted
            FROM (SELECT call_off_line_id, SUM(quantity_delivered) delivered, SUM(quantity_accepted) accepted
                  FROM procurement_delivery GROUP BY call_off_line_id) t
            WHERE t.call_off_line_id = l.id""",
        # Half the lines are complete; the rest keep a backlog.
        """UPDATE procurement_calloffline SET quantity = delivered_quantity,
                value = unit_price * delivered_quantity
            WHERE id % 2 = 0 AND delivered_quantity > 0""",
        """UPDATE procurement_calloff c SET total_value = t.total
            FROM (SELECT call_off_id, SUM(value) total FROM procurement_calloffline GROUP BY call_off_id) t
            WHERE t.call_off_id = c.id""",
        """UPDATE procurement_frameworkline fl SET ordered_quantity = t.ordered
            FROM (SELECT framework_line_id, SUM(quantity) ordered FROM procurement_calloffline
                  GROUP BY framework_line_id) t WHERE t.framework_line_id = fl.id""",
        """UPDATE procurement_frameworkcontract f SET committed_value = t.total
            FROM (SELECT framework_id, SUM(total_value) total
                  FROM procurement_calloff GROUP BY framework_id) t
            WHERE t.framework_id = f.id""",
        f"""INSERT INTO procurement_demandsignal (nation_id, item_id, year, quantity, firmness, notes,
                updated_at, version)
            SELECT n.id, i.id, y, 1000 + (n.id * 13 + i.id * 7 + y) % 5000,
                (ARRAY['firm', 'planned', 'indicative'])[1 + (n.id + y) % 3], '', now(), 1
            FROM portal_nation n, procurement_item i, generate_series({FIRST_YEAR}, {LAST_YEAR}) y
            WHERE n.kind = 'ally'""",
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
        cursor.execute("ANALYZE")


def delivery_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procurement_delivery")
        return cursor.fetchone()[0]
