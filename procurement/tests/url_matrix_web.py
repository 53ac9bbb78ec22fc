"""Rows of the URL matrix for the procurement browser pages (see tests/test_url_matrix.py).

The director is Poland's; the framework has Poland and France as participants and the call-off
and delivery are Poland's, so the director reads them but may not change anything.
"""

import datetime as dt
from decimal import Decimal

from portal.models import Nation
from procurement import services
from procurement.tests.factories import ItemFactory, make_calloff, make_delivery, make_framework, nspa_user
from standards import services as standards_services
from standards.tests.factories import make_standard
from tests.matrix import ROLES, Row
from tests.matrix import allowed as statuses

NSPA_ONLY = statuses({"nspa"})
PROCUREMENT_READERS = {"nspa", "secretariat", "director"}
EVERYONE_BUT_PARTNERS = {"director", "nspa", "secretariat", "board_member"}
POLAND_ONLY = {"director_other": 404}


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


# Queries: session and user (2), the nation in a director's menu (1), then the page's own, the same
# at any size. Lists: count and page (2), prefetches, filter choices: programmes +3 (memberships,
# their nations, member choices), demand +2 (nation and item choices), frameworks +3 (suppliers;
# programme and participant choices), call-offs +2 (framework and nation choices), deliveries +3
# (framework, nation and item choices). Details: item 5 (item, its required editions, its
# frameworks, demand by year, its interoperability alerts); programme 4 (programme, memberships,
# nations, frameworks); framework 9 (framework, suppliers, lines, participants, amendments;
# call-offs, deliveries, history; burn-down); call-off 5 (call-off, lines, schedules, deliveries;
# its interoperability alerts); delivery 1.
ROWS = [
    # Lists: a role with no grant on the records gets a 403 rather than an empty page.
    # The catalogue is open to every role; a user without a role is granted nothing.
    Row("procurement:item-list", "GET", statuses({*ROLES} - {"no_role"}), queries={"director": 5, "nspa": 4}),
    Row(
        "procurement:programme-list",
        "GET",
        statuses(EVERYONE_BUT_PARTNERS),
        queries={"director": 8, "nspa": 7},
    ),
    Row(
        "procurement:supplier-list",
        "GET",
        statuses(EVERYONE_BUT_PARTNERS),
        queries={"director": 5, "nspa": 4},
    ),
    Row("procurement:demand-list", "GET", statuses(PROCUREMENT_READERS), queries={"director": 7, "nspa": 6}),
    Row(
        "procurement:framework-list", "GET", statuses(PROCUREMENT_READERS), queries={"director": 8, "nspa": 7}
    ),
    Row(
        "procurement:call-off-list", "GET", statuses(PROCUREMENT_READERS), queries={"director": 7, "nspa": 6}
    ),
    Row(
        "procurement:delivery-list", "GET", statuses(PROCUREMENT_READERS), queries={"director": 8, "nspa": 7}
    ),
    # Details: a record the user may not see is a 404, like a missing one.
    Row(
        "procurement:item-detail",
        "GET",
        statuses({*ROLES} - {"no_role"}, 404),
        kwargs=pk("web_item"),
        queries={"director": 8, "nspa": 7},
    ),
    Row(
        "procurement:programme-detail",
        "GET",
        statuses(EVERYONE_BUT_PARTNERS, 404),
        kwargs=pk("web_programme"),
        queries={"director": 7, "nspa": 6},
    ),
    Row(
        "procurement:framework-detail",
        "GET",
        statuses(PROCUREMENT_READERS, 404),
        kwargs=pk("web_framework"),
        queries={"director": 12, "nspa": 11},
    ),
    # The call-off and the delivery are Poland's: France's director gets a 404.
    Row(
        "procurement:call-off-detail",
        "GET",
        statuses(PROCUREMENT_READERS, 404, **POLAND_ONLY),
        kwargs=pk("web_calloff"),
        queries={"director": 8, "nspa": 7},
    ),
    Row(
        "procurement:delivery-detail",
        "GET",
        statuses(PROCUREMENT_READERS, 404, **POLAND_ONLY),
        kwargs=pk("web_delivery"),
        queries={"director": 4, "nspa": 3},
    ),
    # Create forms: NSPA's.
    Row("procurement:item-create", "GET", NSPA_ONLY, queries={"nspa": 2}),
    Row("procurement:programme-create", "GET", NSPA_ONLY, queries={"nspa": 2}),
    Row("procurement:supplier-create", "GET", NSPA_ONLY, queries={"nspa": 2}),
    Row("procurement:framework-create", "GET", NSPA_ONLY, queries={"nspa": 4}),
    # Recording a delivery from the deliveries list: the call-off by reference, then its form.
    Row("procurement:delivery-start", "GET", NSPA_ONLY, queries={"nspa": 2}),
    Row(
        "procurement:delivery-start",
        "GET",
        statuses({"nspa"}) | {"nspa": 400, "superuser": 400},
        query="call_off=NO-SUCH-CALL-OFF&line=1",
        variant="unknown-reference",
    ),
    # Forms on a record: 404 for who may not see it, 403 for who may see but not change it.
    Row(
        "procurement:item-edit",
        "GET",
        statuses({"nspa"}, no_role=404),
        kwargs=pk("web_item"),
        queries={"nspa": 3},
    ),
    Row(
        "procurement:supplier-detail",
        "GET",
        statuses(EVERYONE_BUT_PARTNERS, 404),
        kwargs=pk("web_supplier"),
        queries={"director": 6, "nspa": 5},
    ),
    Row(
        "procurement:supplier-edit",
        "GET",
        statuses({"nspa"}, partner=404, no_role=404),
        kwargs=pk("web_supplier"),
        queries={"nspa": 3},
    ),
    Row(
        "procurement:programme-edit",
        "GET",
        statuses({"nspa"}, partner=404, no_role=404),
        kwargs=pk("web_programme"),
        queries={"nspa": 5},
    ),
    Row(
        "procurement:delivery-correct",
        "GET",
        statuses({"nspa"}, board_member=404, partner=404, no_role=404, **POLAND_ONLY),
        kwargs=pk("web_delivery"),
        queries={"nspa": 3},
    ),
    Row(
        "procurement:programme-member-add",
        "GET",
        statuses({"nspa"}, partner=404, no_role=404),
        kwargs=pk("web_programme"),
        queries={"nspa": 6},
    ),
    *[
        Row(
            f"procurement:{name}",
            "GET",
            statuses({"nspa"}, board_member=404, partner=404, no_role=404),
            kwargs=pk("web_framework"),
            queries={"nspa": count},
        )
        for name, count in (
            ("framework-edit", 9),
            ("framework-amend", 7),
            ("framework-participant-add", 8),
            ("framework-line-add", 8),
            ("call-off-create", 8),
        )
    ],
    Row(
        "procurement:delivery-create",
        "GET",
        statuses({"nspa"}, board_member=404, partner=404, no_role=404, **POLAND_ONLY),
        kwargs=pk("web_calloff"),
        queries={"nspa": 6},
    ),
    # Directors file their own nation's demand; NSPA picks a nation and files on its behalf.
    Row(
        "procurement:demand-entry", "GET", statuses({"director", "nspa"}), queries={"director": 5, "nspa": 3}
    ),
    # The grid for Poland, as NSPA picks it: France's director may not file Poland's demand.
    Row(
        "procurement:demand-entry",
        "GET",
        statuses({"director", "nspa"}, director_other=403),
        query="nation=POL",
        variant="nation",
        queries={"nspa": 5},
    ),
    # The OCDS feed's extension (procurement/ocds_extension/): public, as tools fetch it. No query
    # of its own: the session and the user (2) for whoever is signed in.
    Row(
        "procurement:ocds-extension",
        "GET",
        {"anonymous": 200, **dict.fromkeys(ROLES, 200)},
        kwargs=lambda ctx: {"name": "extension.json"},
        queries={"anonymous": 0, "director": 2, "nspa": 2},
    ),
    Row(
        "procurement:ocds-extension",
        "GET",
        {"anonymous": 404, **dict.fromkeys(ROLES, 404)},
        kwargs=lambda ctx: {"name": "../ocds.py"},
        variant="not-an-extension-file",
    ),
    Row(
        "procurement:ocds-extension",
        "POST",
        {"anonymous": 405, **dict.fromkeys(ROLES, 405)},
        kwargs=lambda ctx: {"name": "extension.json"},
    ),
]

# An empty form is invalid: 400 where the form shows (200), nothing written; the same refusals.
EMPTY_FORMS = (
    "item-create", "programme-create", "supplier-create", "framework-create", "item-edit", "supplier-edit",
    "programme-edit", "programme-member-add", "framework-edit", "framework-amend",
    "framework-participant-add", "framework-line-add", "call-off-create", "delivery-create",
)  # fmt: skip
ROWS += [
    Row(
        row.route,
        "POST",
        {who: 400 if code == 200 else code for who, code in row.expect.items()},
        kwargs=row.kwargs,
    )
    for row in ROWS
    if row.route.removeprefix("procurement:") in EMPTY_FORMS
]
ROWS += [
    # A correction changes only the fields it is given: an empty one is still a correction.
    Row(
        "procurement:delivery-correct",
        "POST",
        statuses({"nspa"}, board_member=404, partner=404, no_role=404, **POLAND_ONLY)
        | {"nspa": 302, "superuser": 302},
        kwargs=pk("web_delivery"),
        audit="delivery.corrected",
    ),
    # An empty demand grid saves nothing: a director is sent back to it; NSPA and admins are first
    # asked to pick a nation (200).
    Row(
        "procurement:demand-entry",
        "POST",
        statuses({"director", "nspa"}) | {"director": 302, "director_other": 302},
        audit=False,
    ),
    *[
        Row(
            f"procurement:{form}",
            "POST",
            statuses(set(), nspa=302, superuser=302),
            data=data,
            variant="valid",
            audit="create",
        )
        for form, data in (
            (
                "item-create",
                {
                    "code": "matrix-web-new",
                    "name": "Matrix web item",
                    "capability_area": "lbdm",
                    "unit": "round",
                },
            ),
            ("supplier-create", {"name": "Matrix Web Munitions", "country": "DEU"}),
            ("programme-create", {"code": "matrix-web-asp", "name": "Matrix web ASP", "kind": "partnership"}),
        )
    ],
]


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


def grow(context) -> None:
    """More of every record the pages list, and more around each record they detail."""
    actor = nspa_user()
    france, poland = Nation.objects.get(code="FRA"), Nation.objects.get(code="POL")
    item = ItemFactory()
    services.programme_member_add(
        actor=actor, programme=context["web_programme"], nation=france, joined_on=dt.date(2021, 1, 1)
    )
    services.programme_create(actor=actor, code="web-asp-2", name="Web ASP 2", kind="partnership")
    services.supplier_create(actor=actor, name="Web Matrix Munitions 2", country="FRA")
    services.demand_signal_set(actor=actor, nation=poland, item=item, year=2027, quantity=5, firmness="firm")
    framework = context["web_framework"]
    services.framework_line_add(
        actor=actor, framework=framework, item=item, unit_price=Decimal("1.00"), max_quantity=10
    )
    services.framework_amend(
        actor=actor, framework=framework, expected_version=None, date=dt.date(2024, 2, 1), rationale="other",
        description="Notes on the title", changes={"title": "Web matrix framework, renamed"},
    )  # fmt: skip
    make_delivery(context["web_calloff"].lines.get(), delivered=3, actor=actor)
    make_delivery(
        make_calloff(framework, nation="POL", quantity=10, actor=actor).lines.get(), delivered=5, actor=actor
    )
    # The item page lists the editions its item must meet.
    for _ in range(2):
        standards_services.requirement_add(actor=actor, item=context["web_item"], standard=make_standard())
    other = make_framework(actor=actor, nations=("POL", "FRA"))
    make_delivery(
        make_calloff(other, nation="POL", quantity=10, actor=actor).lines.get(), delivered=5, actor=actor
    )
