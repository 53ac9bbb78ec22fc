"""Rows of the URL matrix for the procurement analytics pages (see tests/test_url_matrix.py)."""

from procurement.tests.factories import ItemFactory
from tests.matrix import ROLES, Exempt, Row

# Alliance aggregates: everyone but partners and users without a role (403).
ALLIANCE = {"anonymous": 302, **dict.fromkeys(ROLES, 200), "partner": 403, "no_role": 403}

ROWS = [
    Row(
        "procurement:demand-aggregate",
        "GET",
        ALLIANCE,
        queries=Exempt("pinned at two sizes, cache miss and hit, in tests/test_analytics_pages.py"),
    ),
    # National rows: the same 404 as a missing page for roles that may not see them.
    Row(
        "procurement:demand-drilldown",
        "GET",
        {
            "anonymous": 302,
            **dict.fromkeys(ROLES, 404),
            "director": 200,
            "nspa": 200,
            "secretariat": 200,
            "superuser": 200,
        },
        kwargs=lambda ctx: {"item_id": ctx["analytics_item"].pk, "year": 2025},
        queries=Exempt("pinned at two sizes in tests/test_analytics_pages.py"),
    ),
    Row(
        "procurement:delivery-performance",
        "GET",
        ALLIANCE,
        queries=Exempt("pinned at two sizes, cache miss and hit, in tests/test_analytics_pages.py"),
    ),
]


def build_context(users_by_role) -> dict:
    return {"analytics_item": ItemFactory()}
