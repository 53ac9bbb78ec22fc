"""URL matrix row for the secretariat's NATO edition upload (see tests/test_url_matrix.py)."""

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

MATRIX = {
    "pledges:dip-edition-import": (
        None,
        "get",
        {"anonymous": 302, **dict.fromkeys(ROLES, 403), "secretariat": 200, "superuser": 200},
    ),
}


def build_context(users_by_role) -> dict:
    return {}
