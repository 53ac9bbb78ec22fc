"""The analytics pages: query counts pinned at two sizes, figures cached until the data changes, no
inline scripts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from procurement import analytics
from procurement.tests.analytics_data import AGGREGATE, PERFORMANCE, deliver, grow, place
from tests.matrix import assert_no_inline_code

pytestmark = pytest.mark.django_db


# --- Pages: inline scripts and pinned query counts -------------------------------------------


# session + user (2), the user's nation in the menu (1 for directors), then each page's own:
# - aggregate: item choices, data stamp, then on a cache miss demand, orders, deliveries (their
#   running totals) and contracted spans (2 + 4; nations participating come from the figures' own);
# - drill-down: the item, data stamp, then on a cache miss demand, orders, deliveries (2 + 3);
# - performance: item and supplier choices, data stamp, frameworks with their suppliers, then on a
#   cache miss figures, lead-time trend and backlog (5 + 3).
PAGE_QUERIES = {"aggregate": 6, "drilldown": 5, "performance": 8}
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
