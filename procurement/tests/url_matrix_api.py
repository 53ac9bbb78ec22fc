"""The procurement API's rows in the URL matrix (see tests/test_url_matrix.py).

Reads: a role without a grant gets an empty list and a 404 on a row, the same as for a row that
does not exist. Writes: a role without the grant gets 403 before anything is parsed; NSPA (and a
superuser) get 400 for the empty body the matrix sends.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.models import Nation
from procurement import services
from procurement.models import FrameworkContract
from procurement.tests.factories import ItemFactory, make_calloff, make_delivery, make_framework
from tests.matrix import ROLES, Row

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
NATIONAL["director_other"] = 404  # France's director: the 404 of a row that does not exist
# NSPA's writes: an empty body is a 400 for those allowed, 403 for everybody else.
NSPA_WRITE = {"anonymous": 401, **dict.fromkeys(ROLES, 403), "nspa": 400, "superuser": 400}
# The same writes with a valid body.
NSPA_CREATED = {**NSPA_WRITE, "nspa": 201, "superuser": 201}
NSPA_CHANGED = {**NSPA_WRITE, "nspa": 200, "superuser": 200}
# Demand is national: directors file their own nation's, NSPA (and admins) any nation's; on
# Poland's signal France's director gets a 404.
DEMAND_WRITE = {**NSPA_WRITE, "director": 400, "director_other": 400}
SIGNAL_WRITE = {**DEMAND_WRITE, "director_other": 404}


def _line_of(name):
    return lambda ctx: ctx[name].lines.order_by("pk").first().pk


def _framework_version(ctx) -> int:
    return FrameworkContract.objects.get(pk=ctx["api_framework"].pk).version


def _call_off(ctx) -> dict:
    return {
        "framework": ctx["api_framework"].pk, "nation": "POL", "reference": "CO-MATRIX-2",
        "order_date": "2024-06-01",
        "lines": [{"framework_line": _line_of("api_framework")(ctx), "quantity": 10,
                   "schedule": [{"due_date": "2024-12-31", "quantity": 10}]}],
    }  # fmt: skip


def _delivery(ctx) -> dict:
    return {"call_off_line": _line_of("api_call_off")(ctx), "delivered_on": "2024-09-02",
            "quantity_delivered": 5, "quantity_accepted": 5, "lot_number": "MATRIX-2"}  # fmt: skip


FRAMEWORK = {
    "reference": "NSPA-MATRIX-NEW", "title": "Matrix framework", "currency": "EUR",
    "ceiling_value": "1000000.00", "firm_order_value": "0.00", "period_start": "2024-01-23",
    "period_end": "2027-01-23", "status": "active",
}  # fmt: skip


# Queries: session and user (2), then count and page (2) and the list's prefetches: programmes +2
# (memberships, their nations), frameworks +1 (suppliers). Details: framework 5 (row, suppliers,
# lines, participants, amendments), call-off 4 (row, lines, schedules, deliveries).


def _pk(name):
    return lambda ctx: {"pk": ctx[name].pk}


ROWS = [
    # Items carry the standard editions they must meet: one prefetch more, at any size.
    Row("procurement-api:item-list", "GET", LIST, queries={"director": 5, "nspa": 5}),
    Row("procurement-api:item-list", "POST", NSPA_WRITE),
    Row(
        "procurement-api:item-list",
        "POST",
        NSPA_CREATED,
        variant="valid",
        audit="create",
        data={
            "code": "matrix-api-new",
            "name": "Matrix API item",
            "capability_area": "lbdm",
            "unit": "round",
        },
    ),
    Row(
        "procurement-api:item-detail",
        "GET",
        EVERYONE,
        kwargs=_pk("api_item"),
        queries={"director": 4, "nspa": 4},
    ),
    # Every field is optional: an empty body changes nothing, so it is a 200 with no audit row.
    Row("procurement-api:item-detail", "PATCH", NSPA_CHANGED, kwargs=_pk("api_item"), audit=False),
    Row(
        "procurement-api:item-detail",
        "PATCH",
        NSPA_CHANGED,
        kwargs=_pk("api_item"),
        variant="valid",
        data={"name": "Matrix item, renamed"},
        audit="update",
    ),
    Row("procurement-api:programme-list", "GET", LIST, queries={"director": 6, "nspa": 6}),
    Row("procurement-api:programme-list", "POST", NSPA_WRITE),
    Row(
        "procurement-api:programme-list",
        "POST",
        NSPA_CREATED,
        variant="valid",
        audit="create",
        data={"code": "matrix-api-asp", "name": "Matrix ASP", "kind": "partnership"},
    ),
    Row(
        "procurement-api:programme-detail",
        "GET",
        NOT_PARTNERS,
        kwargs=_pk("api_programme"),
        queries={"director": 5, "nspa": 5},
    ),
    Row("procurement-api:programme-members", "POST", NSPA_WRITE, kwargs=_pk("api_programme")),
    Row(
        "procurement-api:programme-members",
        "POST",
        NSPA_CREATED,
        kwargs=_pk("api_programme"),
        variant="valid",
        data={"nation": "FRA", "joined_on": "2021-01-01"},
        audit=True,
    ),
    Row("procurement-api:supplier-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    Row("procurement-api:supplier-list", "POST", NSPA_WRITE),
    Row(
        "procurement-api:supplier-list",
        "POST",
        NSPA_CREATED,
        variant="valid",
        audit="create",
        data={"name": "Matrix New Munitions", "country": "FRA"},
    ),
    Row(
        "procurement-api:supplier-detail",
        "GET",
        NOT_PARTNERS,
        kwargs=_pk("api_supplier"),
        queries={"director": 3, "nspa": 3},
    ),
    Row("procurement-api:demand-signal-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    Row("procurement-api:demand-signal-list", "POST", DEMAND_WRITE),
    # A director's cell is their own nation's; NSPA must name the nation (400 without).
    Row(
        "procurement-api:demand-signal-list",
        "POST",
        {**DEMAND_WRITE, "director": 201, "director_other": 201},
        variant="valid",
        audit="create",
        data=lambda ctx: {"item": ctx["api_item"].pk, "year": 2027, "quantity": 5, "firmness": "firm"},
    ),
    Row(
        "procurement-api:demand-signal-detail",
        "GET",
        NATIONAL,
        kwargs=_pk("api_signal"),
        queries={"director": 3, "nspa": 3},
    ),
    Row("procurement-api:demand-signal-detail", "PATCH", SIGNAL_WRITE, kwargs=_pk("api_signal")),
    Row(
        "procurement-api:demand-signal-detail",
        "PATCH",
        {**SIGNAL_WRITE, "director": 200, "nspa": 200, "superuser": 200},
        kwargs=_pk("api_signal"),
        variant="valid",
        data={"quantity": 7, "version": 1},
        audit="update",
    ),
    Row(
        "procurement-api:demand-signal-detail",
        "DELETE",
        {**SIGNAL_WRITE, "director": 204, "nspa": 204, "superuser": 204},
        kwargs=_pk("api_signal"),
        audit="delete",
    ),
    Row("procurement-api:framework-list", "GET", LIST, queries={"director": 5, "nspa": 5}),
    Row("procurement-api:framework-list", "POST", NSPA_WRITE),
    Row(
        "procurement-api:framework-list",
        "POST",
        NSPA_CREATED,
        variant="valid",
        data=FRAMEWORK,
        audit="create",
    ),
    Row(
        "procurement-api:framework-detail",
        "GET",
        NATIONAL,
        kwargs=_pk("api_framework"),
        queries={"director": 7, "nspa": 7},
    ),
    Row("procurement-api:framework-detail", "PATCH", NSPA_WRITE, kwargs=_pk("api_framework")),
    Row(
        "procurement-api:framework-detail",
        "PATCH",
        NSPA_CHANGED,
        kwargs=_pk("api_framework"),
        variant="valid",
        data=lambda ctx: {"title": "Matrix framework, renamed", "version": _framework_version(ctx)},
        audit="update",
    ),
    Row("procurement-api:framework-participants", "POST", NSPA_WRITE, kwargs=_pk("api_framework")),
    Row(
        "procurement-api:framework-participants",
        "POST",
        NSPA_CREATED,
        kwargs=_pk("api_framework"),
        variant="valid",
        data={"nation": "FRA", "joined_on": "2025-03-01"},
        audit=True,
    ),
    Row("procurement-api:framework-lines", "POST", NSPA_WRITE, kwargs=_pk("api_framework")),
    Row(
        "procurement-api:framework-lines",
        "POST",
        NSPA_CREATED,
        kwargs=_pk("api_framework"),
        variant="valid",
        data=lambda ctx: {"item": ctx["api_item"].pk, "unit_price": "4500.00", "max_quantity": 1000},
        audit=True,
    ),
    Row("procurement-api:framework-amend", "POST", NSPA_WRITE, kwargs=_pk("api_framework")),
    Row(
        "procurement-api:framework-amend",
        "POST",
        NSPA_CREATED,
        kwargs=_pk("api_framework"),
        variant="valid",
        data=lambda ctx: {
            "date": "2025-01-10",
            "rationale": "ceiling_change",
            "description": "Matrix: ceiling raised.",
            "changes": {"ceiling_value": "900000000000.00"},
            "version": _framework_version(ctx),
        },
        audit="framework.amended",
    ),
    Row(
        "procurement-api:framework-ocds",
        "GET",
        NATIONAL,
        kwargs=_pk("api_framework"),
        queries={"director": 11, "nspa": 11},
    ),
    Row("procurement-api:call-off-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    Row("procurement-api:call-off-list", "POST", NSPA_WRITE),
    Row(
        "procurement-api:call-off-list",
        "POST",
        NSPA_CREATED,
        variant="valid",
        data=_call_off,
        audit="calloff.placed",
    ),
    Row(
        "procurement-api:call-off-detail",
        "GET",
        NATIONAL,
        kwargs=_pk("api_call_off"),
        queries={"director": 6, "nspa": 6},
    ),
    Row("procurement-api:delivery-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    Row("procurement-api:delivery-list", "POST", NSPA_WRITE),
    Row(
        "procurement-api:delivery-list",
        "POST",
        NSPA_CREATED,
        variant="valid",
        data=_delivery,
        audit="delivery.recorded",
    ),
    Row(
        "procurement-api:delivery-detail",
        "GET",
        NATIONAL,
        kwargs=_pk("api_delivery"),
        queries={"director": 3, "nspa": 3},
    ),
]


def build_context(users_by_role) -> dict:
    """Objects of Poland, the matrix director's nation."""
    nspa = users_by_role["nspa"]
    poland = Nation.objects.get(code="POL")
    item = ItemFactory()
    programme = services.programme_create(
        actor=nspa, code="matrix-programme", name="Matrix programme", kind="programme"
    )
    services.programme_member_add(
        actor=nspa, programme=programme, nation=poland, joined_on=dt.date(2020, 1, 1)
    )
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
        "api_programme": programme,
        "api_supplier": services.supplier_create(actor=nspa, name="Matrix Munitions", country="POL"),
        "api_signal": services.demand_signal_set(
            actor=nspa, nation=poland, item=item, year=2026, quantity=100, firmness="firm"
        ),
        "api_framework": framework,
        "api_call_off": call_off,
        "api_delivery": delivery,
    }


def grow(context) -> None:
    """More of every record the API lists, and more around each record it details."""
    nspa = context["users"]["nspa"]
    france, poland = Nation.objects.get(code="FRA"), Nation.objects.get(code="POL")
    item = ItemFactory()
    services.programme_member_add(
        actor=nspa, programme=context["api_programme"], nation=france, joined_on=dt.date(2021, 1, 1)
    )
    services.programme_create(
        actor=nspa, code="matrix-programme-2", name="Matrix programme 2", kind="programme"
    )
    services.supplier_create(actor=nspa, name="Matrix Munitions 2", country="FRA")
    services.demand_signal_set(actor=nspa, nation=poland, item=item, year=2027, quantity=5, firmness="firm")
    framework = context["api_framework"]
    services.framework_participant_add(
        actor=nspa, framework=framework, nation=france, joined_on=dt.date(2024, 6, 1)
    )
    services.framework_line_add(
        actor=nspa, framework=framework, item=item, unit_price=Decimal("1.00"), max_quantity=10
    )
    make_delivery(context["api_call_off"].lines.get(), delivered=5, actor=nspa)
    other = make_framework(actor=nspa, nations=("POL",))
    make_delivery(make_calloff(other, nation="POL", actor=nspa).lines.get(), delivered=5, actor=nspa)
