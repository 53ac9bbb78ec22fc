"""URL matrix row for the secretariat's NATO edition upload (see tests/test_url_matrix.py)."""

from tests.matrix import ROLES, Exempt, Row

UPLOADERS = {"anonymous": 302, **dict.fromkeys(ROLES, 403), "secretariat": 200, "superuser": 200}

ROWS = [
    Row(
        "pledges:dip-edition-import", "GET", UPLOADERS, queries=Exempt("an upload form: it shows no records")
    ),
    # An upload without a file: refused (400), nothing written.
    Row("pledges:dip-edition-import", "POST", {**UPLOADERS, "secretariat": 400, "superuser": 400}),
]


def build_context(users_by_role) -> dict:
    return {}
