"""Rows of the URL matrix for the procurement analytics pages (see tests/test_url_matrix.py)."""

from procurement.tests.factories import ItemFactory

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

# Alliance aggregates: everyone but partners and users without a role (403).
ALLIANCE = {"anonymous": 302, **dict.fromkeys(ROLES, 200), "partner": 403, "no_role": 403}

MATRIX = {
    "procurement:demand-aggregate": (None, "get", ALLIANCE),
    # National rows: the same 404 as a missing page for roles that may not see them.
    "procurement:demand-drilldown": (
        lambda ctx: {"item_id": ctx["analytics_item"].pk, "year": 2025},
        "get",
        {
            "anonymous": 302,
            **dict.fromkeys(ROLES, 404),
            "director": 200,
            "nspa": 200,
            "secretariat": 200,
            "superuser": 200,
        },
    ),
    "procurement:delivery-performance": (None, "get", ALLIANCE),
}


def build_context(users_by_role) -> dict:
    return {"analytics_item": ItemFactory()}
