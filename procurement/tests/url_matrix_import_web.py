"""URL matrix row for the browser delivery upload (NSPA only)."""

from tests.matrix import ROLES, Exempt, Row

UPLOADERS = {"anonymous": 302, **dict.fromkeys(ROLES, 403), "nspa": 200, "superuser": 200}

ROWS = [
    Row(
        "procurement:delivery-import", "GET", UPLOADERS, queries=Exempt("an upload form: it shows no records")
    ),
    # An upload without a file: refused (400), nothing written.
    Row("procurement:delivery-import", "POST", {**UPLOADERS, "nspa": 400, "superuser": 400}),
]


def build_context(users_by_role) -> dict:
    return {}
