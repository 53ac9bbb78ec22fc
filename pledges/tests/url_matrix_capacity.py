"""URL matrix row for the capacity-against-demand page (secretariat and NSPA)."""

from tests.matrix import ROLES, Exempt, Row

READERS = {"anonymous": 302, **dict.fromkeys(ROLES, 403), "nspa": 200, "secretariat": 200, "superuser": 200}

ROWS = [
    Row(
        "pledges:capacity-vs-demand",
        "GET",
        READERS,
        queries=Exempt("pinned at two sizes in pledges/tests/test_capacity.py"),
    ),
    Row(
        "pledges:capacity-vs-demand",
        "POST",
        {**READERS, "nspa": 405, "secretariat": 405, "superuser": 405},
        bug="a read-only page without require_GET renders itself for a POST instead of a 405",
        observed=READERS,
    ),
]


def build_context(users_by_role) -> dict:
    return {}
