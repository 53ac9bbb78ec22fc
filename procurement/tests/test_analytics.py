"""Procurement analytics: every figure on hand-built data, scope per role, pinned query counts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from portal.exceptions import Forbidden, NotFound
from portal.models import Nation
from procurement import analytics, services
from procurement.analytics import performance
from procurement.choices import Firmness, FrameworkStatus
from procurement.models import FrameworkLine
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user
from tests.matrix import assert_no_inline_code

pytestmark = pytest.mark.django_db

AGGREGATE = reverse("procurement:demand-aggregate")
PERFORMANCE = reverse("procurement:delivery-performance")


def deliver(line, *, lot, delivered_on, quantity, accepted=None, accepted_on=None, actor):
    accepted = quantity if accepted is None else accepted
    return services.delivery_record(
        actor=actor,
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=delivered_on,
            quantity_delivered=quantity,
            quantity_accepted=accepted,
            quantity_rejected=quantity - accepted,
            rejection_reason="Damaged packaging" if accepted < quantity else "",
            lot_number=lot,
            accepted_on=accepted_on,
        ),
    )


def place(framework, *, nation, quantity, order_date, actor, schedule=(), line=None):
    line = line or framework.lines.order_by("pk").first()
    call_off = services.calloff_create(
        actor=actor,
        framework=framework,
        nation=Nation.objects.get(code=nation),
        reference=f"CO-{nation}-{order_date}-{quantity}-{line.pk}",
        order_date=order_date,
        lines=[services.CallOffLineInput(framework_line=line, quantity=quantity, schedule=schedule)],
    )
    return call_off.lines.get()


@pytest.fixture
def data():
    return build_data()


def build_data():
    """One item in three frameworks (active, active one-year, draft), demand from POL and FRA,
    three call-offs and three deliveries; the expected figures are worked out in the tests."""
    actor = nspa_user()
    supplier = services.supplier_create(actor=actor, name="Nammo", country="NOR")
    framework = make_framework(actor=actor)  # 2024-2027, line: 100 EUR, max 5000
    services.framework_update(actor=actor, framework=framework, expected_version=None, suppliers=[supplier])
    item = framework.lines.get().item
    one_year = make_framework(actor=actor, lines=(), period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
    services.framework_line_add(
        actor=actor, framework=one_year, item=item, unit_price=Decimal("90.00"), max_quantity=1000
    )
    draft = services.framework_create(
        actor=actor,
        reference="FW-DRAFT",
        title="Never signed",
        currency="EUR",
        ceiling_value=Decimal("1000"),
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2027, 12, 31),
    )
    services.framework_line_add(
        actor=actor, framework=draft, item=item, unit_price=Decimal("1"), max_quantity=777
    )
    assert draft.status == FrameworkStatus.DRAFT

    pol, fra = Nation.objects.get(code="POL"), Nation.objects.get(code="FRA")
    for nation, year, quantity, firmness in [
        (pol, 2025, 300, Firmness.FIRM),
        (fra, 2025, 200, Firmness.PLANNED),
        (pol, 2026, 100, Firmness.INDICATIVE),
    ]:
        services.demand_signal_set(
            actor=actor, nation=nation, item=item, year=year, quantity=quantity, firmness=firmness
        )

    pol_2025 = place(
        framework,
        nation="POL",
        quantity=100,
        order_date=dt.date(2025, 2, 1),
        actor=actor,
        schedule=[(dt.date(2025, 6, 30), 100)],
    )
    fra_2025 = place(framework, nation="FRA", quantity=50, order_date=dt.date(2025, 3, 1), actor=actor)
    place(framework, nation="POL", quantity=40, order_date=dt.date(2026, 1, 15), actor=actor)
    # Lead 98 days, before the due date.
    deliver(
        pol_2025,
        lot="P1",
        delivered_on=dt.date(2025, 5, 1),
        quantity=60,
        accepted_on=dt.date(2025, 5, 10),
        actor=actor,
    )
    # Lead 181 days, after the due date.
    deliver(pol_2025, lot="P2", delivered_on=dt.date(2025, 8, 1), quantity=30, actor=actor)
    # Lead 35 days, on a line without a schedule; 5 rejected.
    deliver(
        fra_2025,
        lot="F1",
        delivered_on=dt.date(2025, 4, 1),
        quantity=50,
        accepted=45,
        accepted_on=dt.date(2025, 4, 5),
        actor=actor,
    )
    framework.refresh_from_db()
    return {"actor": actor, "item": item, "framework": framework, "supplier": supplier}


def figures(row):
    return (row.demanded, row.firm, row.contracted_max, row.ordered, row.delivered, row.nations)


# --- Aggregated demand ------------------------------------------------------------------------


def test_aggregated_demand_figures(data, nspa):
    rows = analytics.aggregated_demand(user=nspa)
    assert [(row.item_id, row.year) for row in rows] == [(data["item"].pk, 2025), (data["item"].pk, 2026)]
    # 2025: demand 300 firm + 200 planned; only the 2024-2027 framework is contracted; 100 + 50
    # ordered; 60 + 30 + 50 delivered; POL and FRA.
    assert figures(rows[0]) == (500, 300, 5000, 150, 140, 2)
    # 2026: the one-year framework adds its 1000; the draft never counts.
    assert figures(rows[1]) == (100, 0, 6000, 40, 0, 1)


def test_aggregated_demand_year_range_opens_contracted_years(data, nspa):
    rows = analytics.aggregated_demand(user=nspa, year_from=2026, year_to=2028)
    assert [(row.year, figures(row)) for row in rows] == [
        (2026, (100, 0, 6000, 40, 0, 1)),
        (2027, (0, 0, 5000, 0, 0, 0)),
    ]


def test_aggregated_demand_item_filter(data, nspa):
    other = ItemFactory()
    services.demand_signal_set(
        actor=data["actor"],
        nation=Nation.objects.get(code="DEU"),
        item=other,
        year=2025,
        quantity=7,
        firmness=Firmness.FIRM,
    )
    assert {row.item_id for row in analytics.aggregated_demand(user=nspa)} == {data["item"].pk, other.pk}
    only = analytics.aggregated_demand(user=nspa, item=other)
    assert [(row.item_id, row.year, figures(row)) for row in only] == [(other.pk, 2025, (7, 7, 0, 0, 0, 1))]


@pytest.mark.parametrize("role", ["nspa", "secretariat", "superuser"])
def test_alliance_aggregates_are_the_same_for_every_reader_of_every_row(data, users_by_role, role):
    rows = analytics.aggregated_demand(user=users_by_role[role])
    assert [figures(row) for row in rows] == [(500, 300, 5000, 150, 140, 2), (100, 0, 6000, 40, 0, 1)]
    assert [row.withheld for row in rows] == [0, 0]


def test_aggregated_demand_withholds_cells_from_too_few_nations(data, users_by_role, owner):
    """Directors and board members may not read every nation's demand, orders and deliveries: a
    figure from fewer than 3 nations besides the reader's own is withheld (None)."""
    board = users_by_role["board_member"]
    # 2025 is built from POL and FRA; 2026 from POL alone, with nothing delivered (no nation).
    assert [figures(row) for row in analytics.aggregated_demand(user=board)] == [
        (None, None, 5000, None, None, 2),
        (None, None, 6000, None, 0, 1),
    ]
    # The Polish director knows Poland's figures: 2026 is theirs alone, 2025 less theirs is France's.
    rows = analytics.aggregated_demand(user=owner)
    assert [figures(row) for row in rows] == [(None, None, 5000, None, None, 2), (100, 0, 6000, 40, 0, 1)]
    assert [row.withheld for row in rows] == [4, 0]


def test_aggregated_demand_counts_nations_besides_the_reader_s_own(data, users_by_role, owner):
    board = users_by_role["board_member"]

    def demand(code, quantity, firmness=Firmness.PLANNED):
        services.demand_signal_set(
            actor=data["actor"],
            nation=Nation.objects.get(code=code),
            item=data["item"],
            year=2025,
            quantity=quantity,
            firmness=firmness,
        )

    def first_year(user):
        row = analytics.aggregated_demand(user=user)[0]
        return row.demanded, row.firm

    demand("DEU", 10)
    # POL, FRA and DEU: the board member sees the sum; the Polish director would see FRA + DEU.
    assert first_year(board) == (510, None)  # firm is POL's alone
    assert first_year(owner) == (None, None)
    demand("ITA", 20)
    assert first_year(owner) == (530, 300)  # firm is Poland's own; FRA, DEU, ITA planned the rest
    assert first_year(board) == (530, None)
    assert first_year(users_by_role["nspa"]) == (530, 300)


def test_aggregated_demand_minimum_is_the_setting(data, users_by_role, settings):
    settings.AGGREGATE_MIN_NATIONS = 2
    rows = analytics.aggregated_demand(user=users_by_role["board_member"])
    assert figures(rows[0]) == (500, None, 5000, 150, 140, 2)  # firm is POL's alone
    settings.AGGREGATE_MIN_NATIONS = 1
    rows = analytics.aggregated_demand(user=users_by_role["board_member"])
    assert [figures(row) for row in rows] == [(500, 300, 5000, 150, 140, 2), (100, 0, 6000, 40, 0, 1)]


@pytest.mark.parametrize("role", ["partner", "no_role"])
def test_partners_get_no_aggregates(data, users_by_role, role, client):
    with pytest.raises(Forbidden):
        analytics.aggregated_demand(user=users_by_role[role])
    with pytest.raises(Forbidden):
        analytics.delivery_performance(user=users_by_role[role])
    client.force_login(users_by_role[role])
    assert client.get(AGGREGATE).status_code == 403
    assert client.get(PERFORMANCE).status_code == 403


def drill(client, user, item, year=2025):
    client.force_login(user)
    return client.get(reverse("procurement:demand-drilldown", kwargs={"item_id": item.pk, "year": year}))


def test_drilldown_per_nation_for_nspa(data, nspa, client):
    rows = analytics.demand_drilldown(user=nspa, item=data["item"], year=2025)
    assert [(r.code, r.demanded, r.firm, r.ordered, r.delivered) for r in rows] == [
        ("FRA", 200, 0, 50, 50),
        ("POL", 300, 300, 100, 90),
    ]
    html = drill(client, nspa, data["item"]).content.decode()
    assert 'data-nation="FRA"' in html
    assert 'data-nation="POL"' in html


def test_drilldown_director_sees_only_own_nation(data, owner, other, client):
    assert [
        (r.code, r.demanded, r.ordered, r.delivered)
        for r in analytics.demand_drilldown(user=owner, item=data["item"], year=2025)
    ] == [("POL", 300, 100, 90)]
    assert [
        (r.code, r.demanded, r.ordered, r.delivered)
        for r in analytics.demand_drilldown(user=other, item=data["item"], year=2025)
    ] == [("FRA", 200, 50, 50)]
    response = drill(client, other, data["item"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-nation="FRA"' in html
    assert 'data-nation="POL"' not in html


@pytest.mark.parametrize("role", ["board_member", "partner", "no_role"])
def test_drilldown_is_not_found_for_roles_without_national_rows(data, users_by_role, role, client):
    with pytest.raises(NotFound):
        analytics.demand_drilldown(user=users_by_role[role], item=data["item"], year=2025)
    assert drill(client, users_by_role[role], data["item"]).status_code == 404


@pytest.mark.parametrize(
    "kwargs", [{"item_id": 0, "year": 2025}, {"item_id": 2**63, "year": 2025}, {"item_id": 1, "year": 99999}]
)
def test_drilldown_of_nothing_is_not_found(data, nspa, client, kwargs):
    client.force_login(nspa)
    assert client.get(reverse("procurement:demand-drilldown", kwargs=kwargs)).status_code == 404


def test_aggregate_page_shows_figures_and_links_for_nspa(data, nspa, client):
    client.force_login(nspa)
    html = client.get(AGGREGATE, {"year_from": 2025, "year_to": 2025}).content.decode()
    row = re.search(r"<tr>\s*<td>" + re.escape(data["item"].name) + r".*?</tr>", html, re.S).group(0)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["500", "300", "5000", "150", "140", "2"]
    assert reverse("procurement:demand-drilldown", kwargs={"item_id": data["item"].pk, "year": 2025}) in row
    assert "overlaps the year" in html  # the contracted rule is explained


def test_aggregate_page_for_board_member_has_no_drilldown_links(data, users_by_role, client):
    client.force_login(users_by_role["board_member"])
    html = client.get(AGGREGATE).content.decode()
    row = re.search(r"<tr>\s*<td>" + re.escape(data["item"].name) + r".*?</tr>", html, re.S).group(0)
    # 2025 comes from two nations only: withheld, and the page says so.
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["—", "—", "5000", "—", "—", "2"]
    assert ">500<" not in html
    assert "7 figures built from fewer than 3 nations are not shown" in html
    assert f"/procurement/demand/aggregate/{data['item'].pk}/" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"year_from": "abc"},
        {"year_from": "2027", "year_to": "2020"},
        {"year_from": str(2**40)},
        {"item": "99999999999999999999"},
        {"item": "x"},
    ],
)
def test_aggregate_page_bad_filters_show_errors_not_500(data, nspa, client, query):
    client.force_login(nspa)
    response = client.get(AGGREGATE, query)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()


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


# --- Framework burn-down ------------------------------------------------------------------------


def test_framework_burndown(data, django_assert_num_queries):
    framework = data["framework"]
    with django_assert_num_queries(1):
        burndown = analytics.framework_burndown(framework=framework)
    # POL: (100 + 40) x 100 EUR; FRA: 50 x 100 EUR; ceiling 1,000,000.
    assert burndown["currency"] == "EUR"
    assert burndown["ceiling"] == Decimal("1000000.00")
    assert burndown["committed"] == Decimal("19000.00")
    assert burndown["remaining"] == Decimal("981000.00")
    assert burndown["nations"] == [
        {"code": "POL", "name": "Poland", "committed": Decimal("14000.00"), "share_pct": 1.4},
        {"code": "FRA", "name": "France", "committed": Decimal("5000.00"), "share_pct": 0.5},
    ]


def test_framework_burndown_for_a_director_withholds_a_single_other_nation(data, owner):
    """France alone is the other nations: its slice, and the totals it could be read back from, go."""
    burndown = analytics.framework_burndown(framework=data["framework"], user=owner)
    assert [(n["code"], n["committed"]) for n in burndown["nations"]] == [("POL", Decimal("14000.00"))]
    assert burndown["committed"] is None
    assert burndown["remaining"] is None
    assert burndown["others_withheld"]
    assert burndown["ordered_withheld"]
    assert burndown["ceiling"] == Decimal("1000000.00")


def test_framework_burndown_for_a_director_lumps_three_other_nations(data, owner):
    framework = data["framework"]
    for code in ("DEU", "ITA"):
        services.framework_participant_add(
            actor=data["actor"],
            framework=framework,
            nation=Nation.objects.get(code=code),
            joined_on=dt.date(2024, 1, 1),
        )
        make_calloff(framework, nation=code, quantity=10, actor=data["actor"])
    framework.refresh_from_db()
    burndown = analytics.framework_burndown(framework=framework, user=owner)
    # FRA 5000 + DEU 1000 + ITA 1000 in one slice; the totals may then be shown.
    assert [(n["code"], n["name"], n["committed"]) for n in burndown["nations"]] == [
        ("POL", "Poland", Decimal("14000.00")),
        ("", "Other nations", Decimal("7000.00")),
    ]
    assert burndown["committed"] == Decimal("21000.00")
    assert burndown["remaining"] == Decimal("979000.00")
    assert not burndown["others_withheld"]
    assert not burndown["ordered_withheld"]


def test_burndown_partial_renders_chart_data_and_table(data):
    from django.template.loader import render_to_string

    burndown = analytics.framework_burndown(framework=data["framework"])
    html = render_to_string("procurement/analytics/_burndown.html", {"burndown": burndown})
    chart_id = f"burndown-{data['framework'].pk}"
    assert f'data-source="{chart_id}"' in html
    payload = re.search(rf'<script id="{chart_id}" type="application/json">(.*?)</script>', html, re.S).group(
        1
    )
    # Decimals travel as strings, never as localised numbers.
    assert '"ceiling": "1000000.00"' in payload
    assert '"committed": "14000.00"' in payload
    assert "Poland" in html
    assert "981000.00" in html


# --- Aggregates do not reveal rows: a framework only one nation ordered under -------------------


@pytest.fixture
def solo():
    """Germany and Romania take part; only Romania ordered: 4321 rounds at 100 EUR, 432100.00 of
    the 1,000,000.00 ceiling (43.21 %), leaving 567900.00; 4000 delivered and accepted in 2025-Q1."""
    actor = nspa_user()
    framework = make_framework(actor=actor, nations=("DEU", "ROU"))
    line = place(
        framework,
        nation="ROU",
        quantity=4321,
        order_date=dt.date(2025, 1, 10),
        actor=actor,
        schedule=[(dt.date(2025, 6, 30), 4321)],
    )
    deliver(line, lot="R1", delivered_on=dt.date(2025, 3, 1), quantity=4000, actor=actor)
    framework.refresh_from_db()
    return framework


# Romania's value, the remaining value and share of the ceiling that give it back, its quantity.
ROMANIA = ("432100", "567900", "43.2", "4321")


def framework_page(client, user, framework) -> str:
    client.force_login(user)
    response = client.get(reverse("procurement:framework-detail", kwargs={"pk": framework.pk}))
    assert response.status_code == 200
    return response.content.decode()


def burndown_section(html: str) -> str:
    return html.split('data-testid="burndown"')[1].split("</section>")[0]


def test_single_nation_framework_shows_a_director_nothing_to_read_romania_from(solo, make_user, client):
    german = make_user("director", "DEU", username="director_deu")
    html = framework_page(client, german, solo)
    for figure in ROMANIA:
        assert figure not in html
    assert "Romania" not in burndown_section(html)
    chart = re.search(rf'<script id="burndown-{solo.pk}" type="application/json">(.*?)</script>', html, re.S)
    assert '"committed": null' in chart.group(1)
    assert '"remaining": null' in chart.group(1)
    assert '"nations": []' in chart.group(1)
    assert "fewer than 3 nations" in burndown_section(html)
    assert "Ordered quantities are not shown" in html
    # What the director keeps: the contract's own terms.
    assert "1000000.00" in html


@pytest.mark.parametrize("role", ["nspa", "secretariat"])
def test_single_nation_framework_shows_readers_of_every_call_off_romania_s_slice(
    solo, users_by_role, client, role
):
    html = framework_page(client, users_by_role[role], solo)
    section = burndown_section(html)
    assert "Romania" in section
    assert "432100.00" in section
    assert "567900.00" in section
    assert ">4321<" in html  # the line's ordered quantity
    assert "fewer than 3 nations" not in html


def test_single_nation_delivery_figures_are_withheld_from_a_board_member(solo, users_by_role, client):
    board = users_by_role["board_member"]
    performance = analytics.delivery_performance(user=board)
    assert performance.rows == []
    assert performance.backlog == []  # 321 still owed, to Romania alone
    assert performance.trend == {}
    assert performance.withheld == 2
    assert performance.frameworks_merged
    client.force_login(board)
    html = client.get(PERFORMANCE).content.decode()
    assert "2 rows built from fewer than 3 nations are not shown" in html
    assert solo.reference not in html
    assert "FW-" not in html  # no framework reference at all
    assert ">4000<" not in html
    assert ">321<" not in html


def test_single_nation_delivery_figures_never_reach_another_nation_s_director(solo, make_user, client):
    german = make_user("director", "DEU", username="director_deu")
    performance = analytics.delivery_performance(user=german)
    assert (performance.rows, performance.backlog, performance.trend) == ([], [], {})
    client.force_login(german)
    html = client.get(PERFORMANCE).content.decode()
    assert ">4000<" not in html
    assert ">321<" not in html
    assert "fewer than 3 nations besides your own is not shown" in html


def test_single_nation_delivery_figures_are_shown_to_nspa(solo, nspa, client):
    performance = analytics.delivery_performance(user=nspa)
    assert [(row.period, row.accepted) for row in performance.rows] == [("2025-Q1", 4000)]
    client.force_login(nspa)
    html = client.get(PERFORMANCE).content.decode()
    assert solo.reference in html
    assert 'data-testid="withheld"' not in html


def test_board_members_see_cells_from_three_nations_summed_over_frameworks(data, users_by_role, client):
    grow(data)  # a second framework: POL, FRA and DEU, 9 deliveries of 10 accepted in 2024-Q4
    grown_item = (
        FrameworkLine.objects.exclude(item=data["item"])
        .filter(framework__reference__startswith="FW-")
        .get()
        .item
    )
    performance = analytics.delivery_performance(user=users_by_role["board_member"])
    assert [
        (row.item_id, row.framework_id, row.period, row.deliveries, row.accepted) for row in performance.rows
    ] == [(grown_item.pk, None, "2024-Q4", 9, 90)]
    assert [(b.item_id, b.framework_id, b.open_lines, b.backlog) for b in performance.backlog] == [
        (grown_item.pk, None, 9, 90)
    ]
    assert list(performance.trend) == [grown_item.pk]
    # The first item's quarters (POL and FRA, POL alone) and its backlog (POL and FRA) are withheld.
    assert performance.withheld == 3
    # A supplier picks frameworks: for a reader who may not read them, it filters nothing.
    stranger = services.supplier_create(actor=data["actor"], name="Other Co", country="DEU")
    filtered = analytics.delivery_performance(user=users_by_role["board_member"], supplier=stranger)
    assert filtered.rows == performance.rows
    client.force_login(users_by_role["board_member"])
    html = client.get(PERFORMANCE).content.decode()
    assert 'name="supplier"' not in html
    assert "FW-" not in html
    assert "<td>2024-Q4</td>" in html
    assert "Frameworks are not named to your role" in html
    assert "3 rows built from fewer than 3 nations are not shown" in html


# --- Pages: inline scripts and pinned query counts -------------------------------------------


def grow(data):
    """More of everything: another framework with its own item, call-offs, deliveries and demand."""
    actor = data["actor"]
    framework = make_framework(actor=actor, nations=("POL", "FRA", "DEU"), lines=((Decimal("10.00"), 9000),))
    services.framework_update(
        actor=actor, framework=framework, expected_version=None, suppliers=[data["supplier"]]
    )
    item = framework.lines.get().item
    for index, code in enumerate(["POL", "FRA", "DEU"] * 3):
        line = place(
            framework,
            nation=code,
            quantity=20,
            order_date=dt.date(2024, 3 + index, 1),
            actor=actor,
            schedule=[(dt.date(2025, 1, 1), 20)],
        )
        deliver(line, lot=f"G{index}", delivered_on=dt.date(2024, 12, 1 + index), quantity=10, actor=actor)
        services.demand_signal_set(
            actor=actor,
            nation=Nation.objects.get(code=code),
            item=item,
            year=2024 + index,
            quantity=5,
            firmness=Firmness.FIRM,
        )
    make_calloff(data["framework"], nation="FRA", quantity=3, actor=actor, order_date=dt.date(2026, 5, 1))


# session + user (2), the user's nation in the menu (1 for directors), then each page's own:
# - aggregate: item choices, data stamp, then on a cache miss demand, orders, deliveries, nations
#   (union) and contracted spans (2 + 5);
# - drill-down: the item, data stamp, then on a cache miss demand, orders, deliveries (2 + 3);
# - performance: item and supplier choices, data stamp, frameworks with their suppliers, then on a
#   cache miss figures, lead-time trend and backlog (5 + 3).
PAGE_QUERIES = {"aggregate": 7, "drilldown": 5, "performance": 8}
CACHE_HIT_QUERIES = {"aggregate": 2, "performance": 5}


@pytest.mark.parametrize("role", ["director", "nspa"])
@pytest.mark.parametrize("page", sorted(PAGE_QUERIES))
def test_page_query_count_does_not_grow_with_data(
    data, users_by_role, client, django_assert_num_queries, role, page
):
    if connection.vendor != "postgresql":
        pytest.skip("query counts are pinned on PostgreSQL (SQLite fetches a histogram instead)")
    user = users_by_role[role]
    client.force_login(user)
    url = {
        "aggregate": AGGREGATE,
        "drilldown": reverse(
            "procurement:demand-drilldown", kwargs={"item_id": data["item"].pk, "year": 2025}
        ),
        "performance": PERFORMANCE,
    }[page]
    expected = 2 + (1 if user.nation_id else 0) + PAGE_QUERIES[page]
    with django_assert_num_queries(expected):
        small = client.get(url)
    grow(data)
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert len(large.content) > len(small.content) or page == "drilldown"


@pytest.mark.parametrize("page", sorted(CACHE_HIT_QUERIES))
def test_figures_are_cached_until_the_data_changes(data, nspa, client, django_assert_num_queries, page):
    if connection.vendor != "postgresql":
        pytest.skip("query counts are pinned on PostgreSQL")
    client.force_login(nspa)
    url = {"aggregate": AGGREGATE, "performance": PERFORMANCE}[page]
    first = client.get(url).content.decode()
    with django_assert_num_queries(2 + CACHE_HIT_QUERIES[page]):
        again = client.get(url).content.decode()
    main = re.compile(r"<main.*</main>", re.S)  # the page around it carries a fresh CSRF token
    assert main.search(again).group(0) == main.search(first).group(0)
    # Any write through the services moves the data stamp: the next page shows the new figures.
    line = place(
        data["framework"], nation="FRA", quantity=7, order_date=dt.date(2025, 6, 1), actor=data["actor"]
    )
    deliver(line, lot="NEW", delivered_on=dt.date(2025, 6, 2), quantity=7, actor=data["actor"])
    with django_assert_num_queries(2 + PAGE_QUERIES[page]):
        updated = client.get(url).content.decode()
    if page == "aggregate":
        assert '<td class="num">157</td>' in updated  # ordered in 2025: 150 + 7
        assert '<td class="num">157</td>' not in first
    else:
        assert '<td class="num">3</td>' in updated  # deliveries accepted in 2025-Q2: 2 + 1


def test_a_director_never_gets_the_alliance_performance_cache(data, nspa, owner):
    """Cached figures are keyed by scope: NSPA's Alliance-wide figures are not served to a director."""
    assert [row.deliveries for row in analytics.delivery_performance(user=nspa).rows] == [2, 1]
    assert [row.deliveries for row in analytics.delivery_performance(user=owner).rows] == [1, 1]


@pytest.mark.parametrize("name", ["demand-aggregate", "delivery-performance"])
def test_pages_have_no_inline_scripts_or_handlers(data, nspa, client, name):
    client.force_login(nspa)
    # With charts drawn from real figures, which the URL matrix's data does not have.
    assert_no_inline_code(client.get(reverse(f"procurement:{name}")).content.decode())


# --- In a browser: the charts draw under the CSP -----------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_draw_in_chromium_under_the_csp(live_server, make_user):
    from portal.tests.factories import PASSWORD
    from tests.browser import browser_page, csp_violations

    built = build_data()
    make_user("nspa", None, username="chart_nspa")
    with browser_page("procurement-charts") as page:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "chart_nspa")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

        page.goto(f"{live_server.url}{PERFORMANCE}")
        page.wait_for_selector('canvas[data-chart="lead-time"][data-drawn="1"]')
        # One item: its average and p90 lines, over the two quarters.
        datasets = page.evaluate(
            "Chart.getChart(document.querySelector('canvas[data-chart=\"lead-time\"]')).data.datasets"
            ".map(d => [d.label, d.data])"
        )
        name = built["item"].name
        assert datasets == [[f"{name} · average", [66.5, 181]], [f"{name} · p90", [91.7, 181]]]
        page.shot("01-delivery-performance")

        framework_url = reverse("procurement:framework-detail", kwargs={"pk": built["framework"].pk})
        page.goto(f"{live_server.url}{framework_url}")
        page.wait_for_selector('canvas[data-chart="burndown"][data-drawn="1"]')
        bars = page.evaluate(
            "Chart.getChart(document.querySelector('canvas[data-chart=\"burndown\"]')).data.datasets"
            ".map(d => [d.label, d.data[0]])"
        )
        assert bars == [["POL", 14000], ["FRA", 5000], ["Remaining", 981000]]
        page.shot("02-framework-burndown")

        assert csp_violations(page) == []
        assert page.console_errors == []
