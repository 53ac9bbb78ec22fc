"""Aggregated demand: the figures, year and item filters, withheld cells, the drill-down and the
aggregate page, per role."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.exceptions import Forbidden, NotFound
from portal.models import Nation
from procurement import analytics, services
from procurement.choices import Firmness
from procurement.tests.analytics_data import AGGREGATE, PERFORMANCE
from procurement.tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


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
