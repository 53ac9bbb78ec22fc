"""URL matrix rows for the delivery import API (a POST without a file: 400 for those allowed)."""

from tests.matrix import ROLES, Row

ROWS = [
    Row(
        "delivery-import",
        "POST",
        {"anonymous": 401, **dict.fromkeys(ROLES, 403), "nspa": 400, "superuser": 400},
    ),
]


def build_context(users_by_role) -> dict:
    return {}
