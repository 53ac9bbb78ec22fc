"""Aggregates do not reveal rows: a framework only one nation ordered under, and cells summed over
frameworks for board members."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from procurement import analytics, services
from procurement.models import FrameworkLine
from procurement.tests.analytics_data import PERFORMANCE, deliver, grow, place
from procurement.tests.factories import make_framework, nspa_user

pytestmark = pytest.mark.django_db


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
