"""Rows of the URL matrix for the procurement browser pages (see tests/test_url_matrix.py).

The director is Poland's; the framework has Poland and France as participants and the call-off
and delivery are Poland's, so the director reads them but may not change anything.
"""

import datetime as dt

from portal.models import Nation
from procurement import services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]


def statuses(ok: set[str], denied: int = 403, **others: int) -> dict:
    """200 for ``ok`` roles (and the superuser), ``denied`` for the rest; a login redirect for anonymous."""
    return {
        "anonymous": 302,
        **{role: 200 if role in ok or role == "superuser" else denied for role in ROLES},
        **others,
    }


NSPA_ONLY = statuses({"nspa"})
PROCUREMENT_READERS = {"nspa", "secretariat", "director"}
EVERYONE_BUT_PARTNERS = {"director", "nspa", "secretariat", "board_member"}


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


MATRIX = {
    # Lists: a role with no grant on the records gets a 403 rather than an empty page.
    # The catalogue is open to every role; a user without a role is granted nothing.
    "procurement:item-list": (None, "get", statuses({*ROLES} - {"no_role"})),
    "procurement:programme-list": (None, "get", statuses(EVERYONE_BUT_PARTNERS)),
    "procurement:supplier-list": (None, "get", statuses(EVERYONE_BUT_PARTNERS)),
    "procurement:demand-list": (None, "get", statuses(PROCUREMENT_READERS)),
    "procurement:framework-list": (None, "get", statuses(PROCUREMENT_READERS)),
    "procurement:call-off-list": (None, "get", statuses(PROCUREMENT_READERS)),
    "procurement:delivery-list": (None, "get", statuses(PROCUREMENT_READERS)),
    # Details: a record the user may not see is a 404, like a missing one.
    "procurement:item-detail": (pk("web_item"), "get", statuses({*ROLES} - {"no_role"}, 404)),
    "procurement:programme-detail": (pk("web_programme"), "get", statuses(EVERYONE_BUT_PARTNERS, 404)),
    "procurement:framework-detail": (pk("web_framework"), "get", statuses(PROCUREMENT_READERS, 404)),
    "procurement:call-off-detail": (pk("web_calloff"), "get", statuses(PROCUREMENT_READERS, 404)),
    "procurement:delivery-detail": (pk("web_delivery"), "get", statuses(PROCUREMENT_READERS, 404)),
    # Create forms: NSPA's.
    "procurement:item-create": (None, "get", NSPA_ONLY),
    "procurement:programme-create": (None, "get", NSPA_ONLY),
    "procurement:supplier-create": (None, "get", NSPA_ONLY),
    "procurement:framework-create": (None, "get", NSPA_ONLY),
    # Forms on a record: 404 for who may not see it, 403 for who may see but not change it.
    "procurement:item-edit": (pk("web_item"), "get", statuses({"nspa"}, no_role=404)),
    "procurement:supplier-edit": (pk("web_supplier"), "get", statuses({"nspa"}, partner=404, no_role=404)),
    "procurement:programme-edit": (pk("web_programme"), "get", statuses({"nspa"}, partner=404, no_role=404)),
    "procurement:delivery-correct": (
        pk("web_delivery"),
        "get",
        statuses({"nspa"}, board_member=404, partner=404, no_role=404),
    ),
    "procurement:programme-member-add": (
        pk("web_programme"),
        "get",
        statuses({"nspa"}, partner=404, no_role=404),
    ),
    **{
        f"procurement:{name}": (
            pk("web_framework"),
            "get",
            statuses({"nspa"}, board_member=404, partner=404, no_role=404),
        )
        for name in (
            "framework-edit",
            "framework-amend",
            "framework-participant-add",
            "framework-line-add",
            "call-off-create",
        )
    },
    "procurement:delivery-create": (
        pk("web_calloff"),
        "get",
        statuses({"nspa"}, board_member=404, partner=404, no_role=404),
    ),
    # Directors file their own nation's demand; NSPA picks a nation and files on its behalf.
    "procurement:demand-entry": (None, "get", statuses({"director", "nspa"})),
}


def build_context(users_by_role) -> dict:
    actor = nspa_user()
    framework = make_framework(actor=actor, nations=("POL", "FRA"))
    call_off = make_calloff(framework, nation="POL", quantity=10, actor=actor)
    line = call_off.lines.get()
    delivery = services.delivery_record(
        actor=actor,
        data=services.DeliveryInput(
            call_off_line_id=line.pk,
            delivered_on=dt.date(2024, 9, 1),
            quantity_delivered=4,
            quantity_accepted=4,
            lot_number="MATRIX-1",
        ),
    )
    programme = services.programme_create(actor=actor, code="web-asp", name="Web ASP", kind="partnership")
    services.programme_member_add(
        actor=actor, programme=programme, nation=Nation.objects.get(code="POL"), joined_on=dt.date(2020, 1, 1)
    )
    return {
        "web_item": ItemFactory(),
        "web_supplier": services.supplier_create(actor=actor, name="Web Matrix Munitions", country="DEU"),
        "web_programme": programme,
        "web_framework": framework,
        "web_calloff": call_off,
        "web_delivery": delivery,
    }
