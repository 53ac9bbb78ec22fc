"""URL matrix rows for the DIP metrics and expenditure datasets API.

Uses ``dip_matrix_return`` from ``url_matrix_returns`` (Poland's submitted return; the contexts of
all modules share one database): Poland, the secretariat and admins read it, others get the 404 of
a dataset that does not exist. Writes: a role without the grant gets 403 before anything is read;
an empty body is a 400 for those with it.
"""

from __future__ import annotations

from tests.matrix import ROLES, Exempt, Row

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
RETURN = {
    "anonymous": 401,
    **dict.fromkeys(ROLES, 404),
    "director": 200,
    "secretariat": 200,
    "superuser": 200,
    "director_other": 404,
}
WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403)}
EMPTY_BODY = {**WRITE, "director": 400, "secretariat": 400, "superuser": 400}
# On Poland's return, France's director gets the 404 of a return that does not exist.
EMPTY_BODY_POLAND = {**EMPTY_BODY, "director_other": 404}
# Only a NATO edition can be the reference (400); a director may not pick it at all (403).
MAKE_REFERENCE = {**WRITE, "secretariat": 400, "superuser": 400, "director_other": 404}


def _return(ctx) -> dict:
    return {"pk": ctx["dip_matrix_return"].pk}


def _record(ctx) -> dict:
    return {"pk": ctx["dip_matrix_return"].pk, "record_id": ctx["dip_matrix_record"].pk}


ROWS = [
    Row(
        "pledges-api:dip-metric-list",
        "GET",
        LIST,
        queries=Exempt("pinned at two sizes in pledges/tests/test_dip_api.py"),
    ),
    Row(
        "pledges-api:expenditure-dataset-list",
        "GET",
        LIST,
        queries={"director": 4, "secretariat": 4},
    ),
    # A director opens their own nation's return (the body is parsed first: 400 for every writer).
    Row("pledges-api:expenditure-dataset-list", "POST", {**EMPTY_BODY, "director_other": 400}),
    Row(
        "pledges-api:expenditure-dataset-list",
        "POST",
        {**WRITE, "director": 201, "director_other": 201},
        data={"edition_year": 2095, "price_base_year": 2021},
        variant="valid",
        audit=True,
    ),
    Row("pledges-api:expenditure-dataset-detail", "GET", RETURN, kwargs=_return, queries={"director": 3}),
    Row("pledges-api:expenditure-dataset-records", "GET", RETURN, kwargs=_return, queries={"director": 6}),
    Row("pledges-api:expenditure-dataset-records", "POST", EMPTY_BODY_POLAND, kwargs=_return),
    Row(
        "pledges-api:expenditure-dataset-record",
        "PATCH",
        EMPTY_BODY_POLAND,
        kwargs=_record,
    ),
    # The return is submitted: its nation's director is told so (409).
    Row(
        "pledges-api:expenditure-dataset-record",
        "DELETE",
        {**WRITE, "director": 409, "director_other": 404},
        kwargs=_record,
    ),
    Row("pledges-api:expenditure-dataset-submit", "POST", EMPTY_BODY, kwargs=_return),
    Row("pledges-api:expenditure-dataset-make-reference", "POST", MAKE_REFERENCE, kwargs=_return),
]


def build_context(users_by_role) -> dict:
    return {}  # the objects come from url_matrix_returns


def grow(context) -> None:
    from pledges.tests.url_matrix_returns import grow as more_returns

    more_returns(context)
