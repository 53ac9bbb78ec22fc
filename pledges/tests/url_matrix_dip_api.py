"""URL matrix rows for the DIP metrics and expenditure datasets API.

Uses ``dip_matrix_return`` from ``url_matrix_returns`` (Poland's submitted return; the contexts of
all modules share one database): Poland, the secretariat and admins read it, others get the 404 of
a dataset that does not exist. Writes: a role without the grant gets 403 before anything is read;
an empty body is a 400 for those with it.
"""

from __future__ import annotations

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
RETURN = {
    "anonymous": 401,
    **dict.fromkeys(ROLES, 404),
    "director": 200,
    "secretariat": 200,
    "superuser": 200,
}
WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403)}
EMPTY_BODY = {**WRITE, "director": 400, "secretariat": 400, "superuser": 400}
# Only a NATO edition can be the reference (400); a director may not pick it at all (403).
MAKE_REFERENCE = {**WRITE, "secretariat": 400, "superuser": 400}


def _return(ctx) -> dict:
    return {"pk": ctx["dip_matrix_return"].pk}


MATRIX = {
    "pledges-api:dip-metric-list": (None, "get", LIST),
    "pledges-api:expenditure-dataset-list": (None, "get", LIST),
    "pledges-api:expenditure-dataset-detail": (_return, "get", RETURN),
    "pledges-api:expenditure-dataset-records": (_return, "get", RETURN),
    "pledges-api:expenditure-dataset-record": (
        lambda ctx: {"pk": ctx["dip_matrix_return"].pk, "record_id": ctx["dip_matrix_record"].pk},
        "patch",
        EMPTY_BODY,
    ),
    "pledges-api:expenditure-dataset-submit": (_return, "post", EMPTY_BODY),
    "pledges-api:expenditure-dataset-make-reference": (_return, "post", MAKE_REFERENCE),
}


def build_context(users_by_role) -> dict:
    return {}  # the objects come from url_matrix_returns
