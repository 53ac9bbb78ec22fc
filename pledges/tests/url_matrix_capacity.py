"""URL matrix row for the capacity-against-demand page (secretariat and NSPA)."""

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

MATRIX = {
    "pledges:capacity-vs-demand": (
        None,
        "get",
        {"anonymous": 302, **dict.fromkeys(ROLES, 403), "nspa": 200, "secretariat": 200, "superuser": 200},
    ),
}


def build_context(users_by_role) -> dict:
    return {}
