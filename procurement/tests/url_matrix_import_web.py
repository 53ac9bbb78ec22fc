"""URL matrix row for the browser delivery upload (NSPA only)."""

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

MATRIX = {
    "procurement:delivery-import": (
        None,
        "get",
        {"anonymous": 302, **dict.fromkeys(ROLES, 403), "nspa": 200, "superuser": 200},
    ),
}


def build_context(users_by_role) -> dict:
    return {}
