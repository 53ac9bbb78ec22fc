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
        # A read-only page: the method is refused before the reader is checked.
        {"anonymous": 302, **dict.fromkeys(ROLES, 405), "director_other": 405},
    ),
]


def build_context(users_by_role) -> dict:
    return {}
