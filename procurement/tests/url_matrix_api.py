"""The procurement API's rows in the URL matrix (see tests/test_url_matrix.py).

Reads: a role without a grant gets an empty list and a 404 on a row, the same as for a row that
does not exist. Writes: a role without the grant gets 403 before anything is parsed; NSPA (and a
superuser) get 400 for the empty body the matrix sends.
"""

from __future__ import annotations

import datetime as dt

from portal.models import Nation
from procurement import services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
# Rows every role but the role-less may see (the catalogue).
EVERYONE = {**LIST, "no_role": 404}
# Reference data for everybody but partners.
NOT_PARTNERS = {**EVERYONE, "partner": 404}
# National data: the owning nation's director (POL), NSPA, the secretariat and admins.
NATIONAL = {
    "anonymous": 401,
    **dict.fromkeys(ROLES, 404),
    **dict.fromkeys(["director", "nspa", "secretariat"], 200),
}
NATIONAL["superuser"] = 200
# NSPA's writes: an empty body is a 400 for those allowed, 403 for everybody else.
NSPA_WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403), "nspa": 400, "superuser": 400}


def _pk(name):
    return lambda ctx: {"pk": ctx[name].pk}


MATRIX = {
    "procurement-api:item-list": (None, "get", LIST),
    "procurement-api:item-detail": (_pk("api_item"), "get", EVERYONE),
    "procurement-api:programme-list": (None, "get", LIST),
    "procurement-api:programme-detail": (_pk("api_programme"), "get", NOT_PARTNERS),
    "procurement-api:programme-members": (_pk("api_programme"), "post", NSPA_WRITE),
    "procurement-api:supplier-list": (None, "get", LIST),
    "procurement-api:supplier-detail": (_pk("api_supplier"), "get", NOT_PARTNERS),
    "procurement-api:demand-signal-list": (None, "get", LIST),
    "procurement-api:demand-signal-detail": (_pk("api_signal"), "get", NATIONAL),
    "procurement-api:framework-list": (None, "get", LIST),
    "procurement-api:framework-detail": (_pk("api_framework"), "get", NATIONAL),
    "procurement-api:framework-participants": (_pk("api_framework"), "post", NSPA_WRITE),
    "procurement-api:framework-lines": (_pk("api_framework"), "post", NSPA_WRITE),
    "procurement-api:framework-amend": (_pk("api_framework"), "post", NSPA_WRITE),
    "procurement-api:framework-ocds": (_pk("api_framework"), "get", NATIONAL),
    "procurement-api:call-off-list": (None, "get", LIST),
    "procurement-api:call-off-detail": (_pk("api_call_off"), "get", NATIONAL),
    "procurement-api:delivery-list": (None, "get", LIST),
    "procurement-api:delivery-detail": (_pk("api_delivery"), "get", NATIONAL),
}


def build_context(users_by_role) -> dict:
    """Objects of Poland, the matrix director's nation."""
    nspa = users_by_role["nspa"]
    poland = Nation.objects.get(code="POL")
    item = ItemFactory()
    framework = make_framework(actor=nspa, nations=("POL",))
    call_off = make_calloff(framework, nation="POL", actor=nspa)
    delivery = services.delivery_record(
        actor=nspa,
        data=services.DeliveryInput(
            call_off_line_id=call_off.lines.get().pk,
            delivered_on=dt.date(2024, 9, 1),
            quantity_delivered=10,
            quantity_accepted=10,
            lot_number="MATRIX-1",
        ),
    )
    return {
        "api_item": item,
        "api_programme": services.programme_create(
            actor=nspa, code="matrix-programme", name="Matrix programme", kind="programme"
        ),
        "api_supplier": services.supplier_create(actor=nspa, name="Matrix Munitions", country="POL"),
        "api_signal": services.demand_signal_set(
            actor=nspa, nation=poland, item=item, year=2026, quantity=100, firmness="firm"
        ),
        "api_framework": framework,
        "api_call_off": call_off,
        "api_delivery": delivery,
    }
