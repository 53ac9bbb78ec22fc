"""URL matrix rows for the expenditure datasets and national returns pages.

``dip_matrix_return`` is Poland's submitted return (the matrix director is Poland's): Poland and the
secretariat read it; the DIPB reads NATO editions only (404); NSPA, partners and users without a
role read no expenditure data (403). Writes: a role without the grant gets 403 before anything is
read; the nation's director reaches the service, which answers the submitted return's state (409),
or the empty form's 400. Edition year 2089 is this module's own.
"""

from __future__ import annotations

from pledges import services
from tests.matrix import ROLES, Row

NO_EXPENDITURE = dict.fromkeys(["nspa", "partner", "no_role"], 403)
READERS = {"anonymous": 302, **dict.fromkeys(ROLES, 200), **NO_EXPENDITURE}
# Poland's return is a 404 to France's director, like a return that does not exist.
POLAND = {"director_other": 404}
RETURN_PAGE = {**READERS, "board_member": 404, **POLAND}
WRITE = {"anonymous": 302, **dict.fromkeys(ROLES, 403)}
# An empty form is invalid before any service runs.
EMPTY_FORM = {**WRITE, "director": 400, "secretariat": 400, "superuser": 400}
# The return is submitted: its nation's director is told so (409); nobody else edits a return (403).
STATE = {**WRITE, "director": 409}
# Only a NATO edition can be the reference: the secretariat is told so (a message, back to the list).
MAKE_REFERENCE = {**WRITE, "secretariat": 302, "superuser": 302}


def _return(ctx) -> dict:
    return {"pk": ctx["dip_matrix_return"].pk}


def _record(ctx) -> dict:
    return {"pk": ctx["dip_matrix_return"].pk, "record_pk": ctx["dip_matrix_record"].pk}


ROWS = [
    Row("pledges:dip-datasets", "GET", READERS, queries={"director": 4}),
    Row("pledges:dip-return-start", "POST", {**EMPTY_FORM, "secretariat": 400}),
    Row("pledges:dip-dataset", "GET", RETURN_PAGE, kwargs=_return, queries={"director": 6}),
    Row("pledges:dip-dataset-make-reference", "POST", {**MAKE_REFERENCE, **POLAND}, kwargs=_return),
    Row("pledges:dip-record-add", "POST", {**EMPTY_FORM, **POLAND}, kwargs=_return),
    Row("pledges:dip-record-edit", "POST", {**EMPTY_FORM, **POLAND}, kwargs=_record),
    Row("pledges:dip-record-delete", "POST", {**STATE, **POLAND}, kwargs=_record),
    Row("pledges:dip-return-submit", "POST", {**STATE, **POLAND}, kwargs=_return),
]


def build_context(users_by_role) -> dict:
    director = users_by_role["director"]
    dataset = services.return_create(actor=director, edition_year=2089, price_base_year=2021)
    record = services.record_save(
        actor=director, dataset=dataset, year=2088, values={"gdp_usd_constant_m": 1000}
    )
    services.return_submit(actor=director, dataset=dataset)
    return {"dip_matrix_return": dataset, "dip_matrix_record": record}


def grow(context) -> None:
    """Another of Poland's returns, submitted with records: one more dataset to list."""
    director = context["users"]["director"]
    dataset = services.return_create(actor=director, edition_year=2096, price_base_year=2021)
    for year in (2093, 2094, 2095):
        services.record_save(actor=director, dataset=dataset, year=year, values={"gdp_usd_constant_m": 1000})
    services.return_submit(actor=director, dataset=dataset)
