"""Rows of the URL matrix for the standards pages: the catalogue, an edition's page, the matrix,
a nation's page, the response form and the alert list (see tests/test_url_matrix.py).

The matrix director is Poland's. The edition is required by an item Poland ordered and has
ratified with reservations, so every reader of responses sees one alert. Everyone reads the
catalogue; Allies read responses (partners do not); the secretariat keeps the catalogue; a
director records their own nation's responses and the secretariat any nation's.
"""

from __future__ import annotations

from decimal import Decimal

from portal.models import Nation
from procurement import services as procurement_services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user
from standards import services
from standards.services import ResponseInput
from standards.tests.factories import make_domain, make_standard, secretariat_user
from tests.matrix import ROLES, Row
from tests.matrix import allowed as statuses

ALLIES = {"director", "nspa", "secretariat", "board_member"}
CATALOGUE_READERS = {*ROLES} - {"no_role"}


def pk(key):
    return lambda ctx: {"pk": ctx[key].pk}


def _edition_row(ctx) -> dict:
    """A valid response form for Poland: the matrix edition, ratified, not implemented."""
    standard = ctx["std_web_standard"]
    prefix = f"s{standard.pk}"
    return {
        f"{prefix}-ratification": "ratified",
        f"{prefix}-ratification_reference": "Matrix ratification",
        f"{prefix}-implementation": "not_implemented",
        f"{prefix}-version": str(standard.responses.get(nation__code="POL").version),
        f"{prefix}-original": "",
    }


def _new_edition(ctx) -> dict:
    return {
        "doc_type": "stanag",
        "number": "9911",
        "edition": "1",
        "title": "Matrix web edition",
        "status": "study",
        "domain": str(ctx["std_web_domain"].pk),
        "level": "compatibility",
        "review_cycle_months": "60",
    }


# Queries: session and user (2), the nation in a director's menu (1), then the page's own, the
# same at any size. Catalogue: count, page, domain choices (3). Edition: the edition, its
# editions, responses and their services, reviews, proposals, requirements, alerts, history (9).
# Matrix: Allies, count, page, responses, nation totals, domains (6). Nation: the nation, the
# editions, the responses and their services, the alerts (5). Alerts: nation and domain choices,
# count, page (4). Response form: domains, nation, count, page, responses, their services (5+).
ROWS = [
    Row(
        "standards:standard-list",
        "GET",
        statuses(CATALOGUE_READERS),
        queries={"director": 6, "secretariat": 5},
    ),
    Row(
        "standards:standard-detail",
        "GET",
        statuses(CATALOGUE_READERS, no_role=404),
        kwargs=pk("std_web_standard"),
        queries={"director": 12, "partner": 7, "secretariat": 11},
    ),
    Row("standards:standard-create", "GET", statuses({"secretariat"}), queries={"secretariat": 4}),
    Row(
        "standards:standard-edit",
        "GET",
        statuses({"secretariat"}, no_role=404),
        kwargs=pk("std_web_standard"),
        queries={"secretariat": 5},
    ),
    Row("standards:matrix", "GET", statuses(ALLIES), queries={"director": 9, "board_member": 8}),
    Row(
        "standards:matrix",
        "GET",
        statuses(ALLIES),
        query="export=csv",
        variant="export",
        queries={"secretariat": 6},
    ),
    Row(
        "standards:nation-detail",
        "GET",
        statuses(ALLIES),
        kwargs=pk("std_web_poland"),
        queries={"director": 8, "nspa": 7},
    ),
    Row("standards:alert-list", "GET", statuses(ALLIES), queries={"director": 6, "secretariat": 5}),
    Row(
        "standards:alert-list",
        "GET",
        statuses(ALLIES),
        query="nation=POL&kind=reservations&export=xlsx",
        variant="export",
        queries={"secretariat": 5},
    ),
    # A director's form is their own nation's; the secretariat first picks a nation.
    Row(
        "standards:response-form",
        "GET",
        statuses({"director", "secretariat"}),
        queries={"director": 8, "secretariat": 4},
    ),
    Row(
        "standards:response-form",
        "GET",
        statuses({"director", "secretariat"}, director_other=403),
        query="nation=POL",
        variant="nation",
        queries={"secretariat": 8},
    ),
    # Writes. An empty body is invalid (400) where the form shows; nothing is written.
    Row("standards:standard-create", "POST", statuses(set(), secretariat=400, superuser=400)),
    Row(
        "standards:standard-create",
        "POST",
        statuses(set(), secretariat=302, superuser=302),
        data=_new_edition,
        variant="valid",
        audit="create",
    ),
    Row(
        "standards:standard-edit",
        "POST",
        statuses(set(), secretariat=400, superuser=400, no_role=404),
        kwargs=pk("std_web_standard"),
    ),
    # An empty form saves nothing: a director is sent back to it (the secretariat first picks a
    # nation).
    Row(
        "standards:response-form",
        "POST",
        statuses(set(), director=302, secretariat=200, superuser=200, director_other=302),
        audit=False,
    ),
    Row(
        "standards:response-form",
        "POST",
        statuses(set(), director=302, secretariat=302, superuser=302, director_other=403),
        query="nation=POL",
        data=_edition_row,
        variant="valid",
        audit=True,
    ),
]


def _order(item) -> None:
    """A Polish call-off for ``item``, still to be delivered."""
    actor = nspa_user()
    framework = make_framework(actor=actor, nations=("POL", "FRA"))
    line = procurement_services.framework_line_add(
        actor=actor, framework=framework, item=item, unit_price=Decimal("10.00"), max_quantity=100
    )
    make_calloff(framework, nation="POL", quantity=10, actor=actor, line=line)


def build_context(users_by_role) -> dict:
    secretariat = secretariat_user()
    domain = make_domain(code="web-lbdm", name="Web land battle munitions", actor=secretariat)
    standard = make_standard(number="9425", edition="2", domain=domain, actor=secretariat)
    poland = Nation.objects.get(code="POL")
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=standard, ratification="reservations", reservations="Matrix reservation"),
    )
    item = ItemFactory()
    services.requirement_add(actor=secretariat, item=item, standard=standard)
    _order(item)
    return {"std_web_domain": domain, "std_web_standard": standard, "std_web_poland": poland}


def grow(context) -> None:
    """More editions, responses, requirements and alerts around the matrix edition."""
    secretariat = secretariat_user()
    domain = context["std_web_domain"]
    france, poland = Nation.objects.get(code="FRA"), Nation.objects.get(code="POL")
    standard = context["std_web_standard"]
    services.response_save(
        actor=secretariat,
        nation=france,
        row=ResponseInput(
            standard=standard,
            ratification="ratified",
            implementation="planned",
            implementation_date=standard.promulgated_on,
        ),
    )
    for number in ("9426", "9427"):
        other = make_standard(number=number, domain=domain, actor=secretariat)
        services.response_save(
            actor=secretariat,
            nation=poland,
            row=ResponseInput(standard=other, ratification="will_not_ratify"),
        )
        item = ItemFactory()
        services.requirement_add(actor=secretariat, item=item, standard=other)
        services.requirement_add(actor=secretariat, item=item, standard=standard)
        _order(item)
