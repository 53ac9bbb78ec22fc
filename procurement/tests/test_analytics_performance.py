"""Delivery performance: figures, scope per role, filters and the page; the p90 lead time on SQLite
(the Python percentile) against PostgreSQL's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection

from procurement import analytics, services
from procurement.analytics import performance
from procurement.tests.analytics_data import PERFORMANCE, deliver, place
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


# --- Delivery performance ---------------------------------------------------------------------


def performance_figures(perf):
    return [
        (
            row.period,
            row.deliveries,
            row.accepted,
            row.on_time_share,
            row.average_lead_days,
            None if row.p90_lead_days is None else round(row.p90_lead_days, 4),
        )
        for row in perf.rows
    ]


def test_delivery_performance_figures(data, nspa):
    perf = analytics.delivery_performance(user=nspa)
    assert {row.framework_id for row in perf.rows} == {data["framework"].pk}
    assert performance_figures(perf) == [
        # Leads 98 (POL) and 35 (FRA): p90 = 35 + 0.9 x (98 - 35). Only POL's line has a schedule.
        ("2025-Q2", 2, 105, 1.0, 66.5, 91.7),
        ("2025-Q3", 1, 30, 0.0, 181.0, 181.0),
    ]
    # Backlog: 10 left on POL's 2025 line, 40 on its 2026 line; FRA's line is fully delivered.
    assert [(b.item_id, b.framework_id, b.open_lines, b.backlog) for b in perf.backlog] == [
        (data["item"].pk, data["framework"].pk, 2, 50)
    ]
    trend = perf.trend[data["item"].pk]
    assert [(p.period, p.average_lead_days, round(p.p90_lead_days, 4)) for p in trend] == [
        ("2025-Q2", 66.5, 91.7),
        ("2025-Q3", 181.0, 181.0),
    ]


def test_delivery_performance_director_sees_own_nation_only(data, owner, other):
    assert performance_figures(analytics.delivery_performance(user=owner)) == [
        ("2025-Q2", 1, 60, 1.0, 98.0, 98.0),
        ("2025-Q3", 1, 30, 0.0, 181.0, 181.0),
    ]
    french = analytics.delivery_performance(user=other)
    assert performance_figures(french) == [("2025-Q2", 1, 45, None, 35.0, 35.0)]
    assert french.backlog == []


@pytest.mark.parametrize("role", ["secretariat", "superuser"])
def test_delivery_performance_alliance_readers_see_everything(data, users_by_role, role):
    perf = analytics.delivery_performance(user=users_by_role[role])
    assert [row.deliveries for row in perf.rows] == [2, 1]
    assert [b.backlog for b in perf.backlog] == [50]
    assert perf.withheld == 0


def test_delivery_performance_filters(data, nspa):
    assert len(analytics.delivery_performance(user=nspa, item=data["item"]).rows) == 2
    assert analytics.delivery_performance(user=nspa, item=ItemFactory()).rows == []
    assert len(analytics.delivery_performance(user=nspa, supplier=data["supplier"]).rows) == 2
    stranger = services.supplier_create(actor=data["actor"], name="Other Co", country="DEU")
    filtered = analytics.delivery_performance(user=nspa, supplier=stranger)
    assert filtered.rows == []
    assert filtered.backlog == []


def test_unaccepted_deliveries_do_not_count(data, nspa):
    line = place(
        data["framework"], nation="POL", quantity=5, order_date=dt.date(2025, 9, 1), actor=data["actor"]
    )
    deliver(line, lot="R1", delivered_on=dt.date(2025, 9, 10), quantity=5, accepted=0, actor=data["actor"])
    assert [row.deliveries for row in analytics.delivery_performance(user=nspa).rows] == [2, 1]


def test_performance_page_table_chart_and_rules(data, nspa, client):
    client.force_login(nspa)
    html = client.get(PERFORMANCE).content.decode()
    assert 'data-chart="lead-time"' in html
    assert '<script id="lead-time-data" type="application/json">' in html
    chart = re.search(
        r'<script id="lead-time-data" type="application/json">(.*?)</script>', html, re.S
    ).group(1)
    assert '"p90": 91.7' in chart
    assert '"period": "2025-Q3"' in chart
    assert "Nammo" in html
    assert data["framework"].reference in html
    assert "last scheduled due date" in html  # the on-time rule is stated
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/procurement-charts.js" in html


def test_performance_table_is_paginated(data, nspa, client, monkeypatch):
    from procurement.views import analytics as views_analytics

    monkeypatch.setattr(views_analytics, "PERFORMANCE_PAGE_SIZE", 1)
    client.force_login(nspa)
    first = client.get(PERFORMANCE).content.decode()
    second = client.get(PERFORMANCE, {"page": 2}).content.decode()
    assert "<td>2025-Q2</td>" in first
    assert "<td>2025-Q3</td>" not in first
    assert "<td>2025-Q3</td>" in second
    assert "Page 2 of 2" in second
    # Both quarters stay in the chart whatever the page.
    assert '"period": "2025-Q3"' in first


# --- p90 on SQLite ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, None),
        ({7: 1}, 7.0),
        ({35: 1, 98: 1}, 91.7),
        # 1..10: position 8.1 → 9 + 0.1 x (10 - 9)
        (dict.fromkeys(range(1, 11), 1), 9.1),
        # Repeated values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 50] → position 8.1 between 1 and 50.
        ({1: 9, 50: 1}, 1 + 0.1 * 49),
        ({10: 3, 20: 0}, 10.0),
    ],
)
def test_python_percentile_matches_postgres_interpolation(counts, expected):
    result = analytics.percentile_cont(counts, 0.9)
    assert result == (None if expected is None else pytest.approx(expected))


def test_python_percentile_agrees_with_postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("compares with PostgreSQL's percentile_cont")
    samples = [3, 3, 7, 12, 12, 12, 40, 41, 90, 365, 2]
    counts = {}
    for value in samples:
        counts[value] = counts.get(value, 0) + 1
    with connection.cursor() as cursor:
        for fraction in (0.5, 0.9, 0.99):
            cursor.execute(
                "SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::int[]) v",
                [fraction, samples],
            )
            assert analytics.percentile_cont(counts, fraction) == pytest.approx(cursor.fetchone()[0])


def test_sqlite_fallback_path_gives_the_same_figures(data, nspa, monkeypatch):
    """The histogram path (used on SQLite) reproduces PostgreSQL's figures on the same rows."""
    if connection.vendor != "postgresql":
        pytest.skip("the fallback is already the path under test")
    monkeypatch.setattr(performance, "sql_has_percentile", lambda: False)
    perf = analytics.delivery_performance(user=nspa)
    monkeypatch.undo()
    assert performance_figures(perf) == [
        ("2025-Q2", 2, 105, 1.0, 66.5, 91.7),
        ("2025-Q3", 1, 30, 0.0, 181.0, 181.0),
    ]
    assert [
        (p.period, p.average_lead_days, round(p.p90_lead_days, 4)) for p in perf.trend[data["item"].pk]
    ] == [
        ("2025-Q2", 66.5, 91.7),
        ("2025-Q3", 181.0, 181.0),
    ]
