"""The standards API's rows in the URL matrix (see tests/test_url_matrix.py).

Reads: the catalogue (domains, editions, requirements) is everyone's with a role; national
responses, reviews, proposals and alerts are the Allies' (a partner gets an empty list and a 404 on
a row, as for a row that does not exist). Writes: a role without the grant gets 403 before anything
is parsed; those with it get 400 for the empty body the matrix sends. The matrix director is
Poland's; France's director reads Poland's response but may not write it (403 from the service).
"""

from __future__ import annotations

from decimal import Decimal

from portal.models import Nation
from procurement import services as procurement_services
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user
from standards import services
from standards.models import ChangeProposal, Domain, NationalResponse, ReviewCycle, Standard
from standards.services import ResponseInput
from standards.tests.factories import make_domain, make_standard, secretariat_user
from tests.matrix import ROLES, Row

LIST = {"anonymous": 401, **dict.fromkeys(ROLES, 200)}
# A catalogue row: every role but the role-less (who gets the 404 of a row that does not exist).
CATALOGUE = {**LIST, "no_role": 404}
# A national or review-process row: the Allies (and admins).
ALLIES = {**CATALOGUE, "partner": 404}


def refused_but(**allowed: int) -> dict:
    """403 for every role but those named (and the superuser, who gets the first one's status)."""
    first = next(iter(allowed.values()))
    return {"anonymous": 401, **dict.fromkeys(ROLES, 403), "superuser": first, **allowed}


# The secretariat's writes: an empty body is a 400 for it, 403 for everybody else.
SEC_WRITE = refused_but(secretariat=400)
SEC_CREATED = refused_but(secretariat=201)
SEC_CHANGED = refused_but(secretariat=200)
# National writes: a director (either nation's, for their own) and the secretariat.
RESPONDERS_WRITE = refused_but(secretariat=400, director=400)
# A valid body for Poland: France's director is refused by the service.
POLAND_CREATED = refused_but(secretariat=201, director=201, director_other=403)
POLAND_CHANGED = refused_but(secretariat=200, director=200, director_other=403)
# What items require: NSPA and the secretariat.
LINKERS_WRITE = refused_but(secretariat=400, nspa=400)


def _pk(name):
    return lambda ctx: {"pk": ctx[name].pk}


def _with_version(model, key, /, **body):
    """``body`` and the current version of ``context[key]``, read when the row is sent."""
    return lambda ctx: {**body, "version": model.objects.get(pk=ctx[key].pk).version}


# Queries: session and user (2), then count and page (2), and what the list prefetches
# (responses +1: their service lines). A detail: its row (1), responses +1 (service lines).
ROWS = [
    # Domains.
    Row("standards-api:domain-list", "GET", LIST, queries={"director": 4, "partner": 4}),
    Row("standards-api:domain-list", "POST", SEC_WRITE),
    Row(
        "standards-api:domain-list",
        "POST",
        SEC_CREATED,
        variant="valid",
        data={"code": "api-amd", "name": "Matrix air and missile defence"},
        audit="create",
    ),
    Row(
        "standards-api:domain-detail",
        "GET",
        CATALOGUE,
        kwargs=_pk("std_api_domain"),
        queries={"director": 3, "partner": 3},
    ),
    Row("standards-api:domain-detail", "PATCH", SEC_WRITE, kwargs=_pk("std_api_domain")),
    Row(
        "standards-api:domain-detail",
        "PATCH",
        SEC_CHANGED,
        kwargs=_pk("std_api_domain"),
        variant="valid",
        data=_with_version(Domain, "std_api_domain", name="Matrix munitions, renamed"),
        audit="update",
    ),
    # Editions.
    Row("standards-api:standard-list", "GET", LIST, queries={"director": 4, "partner": 4}),
    Row(
        "standards-api:standard-list",
        "GET",
        LIST,
        query="q=STANAG%2095&status=promulgated&review_overdue=true",
        variant="filtered",
        queries={"secretariat": 4},
    ),
    Row("standards-api:standard-list", "POST", SEC_WRITE),
    Row(
        "standards-api:standard-list",
        "POST",
        SEC_CREATED,
        variant="valid",
        data=lambda ctx: {
            "doc_type": "stanag",
            "number": "9599",
            "edition": "1",
            "title": "Matrix API edition",
            "status": "study",
            "domain": ctx["std_api_domain"].pk,
            "level": "compatibility",
        },
        audit="create",
    ),
    Row(
        "standards-api:standard-detail",
        "GET",
        CATALOGUE,
        kwargs=_pk("std_api_standard"),
        queries={"director": 3, "partner": 3},
    ),
    Row("standards-api:standard-detail", "PATCH", SEC_WRITE, kwargs=_pk("std_api_standard")),
    Row(
        "standards-api:standard-detail",
        "PATCH",
        SEC_CHANGED,
        kwargs=_pk("std_api_standard"),
        variant="valid",
        data=_with_version(Standard, "std_api_standard", title="Matrix API edition, renamed"),
        audit="update",
    ),
    # National responses.
    Row("standards-api:response-list", "GET", LIST, queries={"director": 5, "board_member": 5}),
    Row(
        "standards-api:response-list",
        "GET",
        LIST,
        query="nation=POL&ratification=reservations",
        variant="filtered",
        queries={"secretariat": 5},
    ),
    Row(
        "standards-api:response-detail",
        "GET",
        ALLIES,
        kwargs=_pk("std_api_response"),
        queries={"director": 4, "director_other": 4, "nspa": 4},
    ),
    Row("standards-api:response-list", "POST", RESPONDERS_WRITE),
    Row(
        "standards-api:response-list",
        "POST",
        POLAND_CREATED,
        variant="valid",
        data=lambda ctx: {"nation": "POL", "standard": ctx["std_api_open"].pk, "ratification": "ratified"},
        audit=True,
    ),
    Row("standards-api:response-detail", "PATCH", RESPONDERS_WRITE, kwargs=_pk("std_api_response")),
    Row(
        "standards-api:response-detail",
        "PATCH",
        POLAND_CHANGED,
        kwargs=_pk("std_api_response"),
        variant="valid",
        data=_with_version(NationalResponse, "std_api_response", ratification="ratified"),
        audit=True,
    ),
    Row("standards-api:response-bulk", "POST", RESPONDERS_WRITE),
    Row(
        "standards-api:response-bulk",
        "POST",
        refused_but(secretariat=200, director=200, director_other=403),
        variant="valid",
        data=lambda ctx: {
            "nation": "POL",
            "rows": [{"standard": ctx["std_api_bulk"].pk, "ratification": "will_not_ratify", "version": 0}],
        },
        audit=True,
    ),
    # Reviews.
    Row("standards-api:review-list", "GET", LIST, queries={"director": 4, "secretariat": 4}),
    Row(
        "standards-api:review-detail",
        "GET",
        ALLIES,
        kwargs=_pk("std_api_review"),
        queries={"director": 3, "board_member": 3},
    ),
    Row("standards-api:review-list", "POST", SEC_WRITE),
    Row(
        "standards-api:review-list",
        "POST",
        SEC_CREATED,
        variant="valid",
        data=lambda ctx: {"standard": ctx["std_api_standard"].pk, "due_on": "2027-01-31"},
        audit="create",
    ),
    Row("standards-api:review-start", "POST", SEC_WRITE, kwargs=_pk("std_api_review")),
    Row(
        "standards-api:review-start",
        "POST",
        SEC_CHANGED,
        kwargs=_pk("std_api_review"),
        variant="valid",
        data=_with_version(ReviewCycle, "std_api_review"),
        audit="review.started",
    ),
    Row("standards-api:review-complete", "POST", SEC_WRITE, kwargs=_pk("std_api_review")),
    Row(
        "standards-api:review-complete",
        "POST",
        SEC_CHANGED,
        kwargs=_pk("std_api_review"),
        variant="valid",
        data=_with_version(ReviewCycle, "std_api_review", outcome="no_change"),
        audit="review.completed",
    ),
    # Change proposals.
    Row("standards-api:proposal-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    Row(
        "standards-api:proposal-detail",
        "GET",
        ALLIES,
        kwargs=_pk("std_api_proposal"),
        queries={"director": 3, "secretariat": 3},
    ),
    Row("standards-api:proposal-list", "POST", RESPONDERS_WRITE),
    Row(
        "standards-api:proposal-list",
        "POST",
        POLAND_CREATED,
        variant="valid",
        data=lambda ctx: {"standard": ctx["std_api_open"].pk, "nation": "POL", "text": "Matrix proposal."},
        audit="proposal.submitted",
    ),
    Row("standards-api:proposal-decide", "POST", SEC_WRITE, kwargs=_pk("std_api_proposal")),
    Row(
        "standards-api:proposal-decide",
        "POST",
        SEC_CHANGED,
        kwargs=_pk("std_api_proposal"),
        variant="valid",
        data=_with_version(ChangeProposal, "std_api_proposal", status="accepted", decision="Agreed."),
        audit="proposal.decided",
    ),
    # What items require.
    Row("standards-api:requirement-list", "GET", LIST, queries={"director": 4, "nspa": 4}),
    Row("standards-api:requirement-list", "POST", LINKERS_WRITE),
    Row(
        "standards-api:requirement-list",
        "POST",
        refused_but(secretariat=201, nspa=201),
        variant="valid",
        data=lambda ctx: {"item": ctx["std_api_item"].pk, "standard": ctx["std_api_standard"].pk},
        audit="create",
    ),
    Row(
        "standards-api:requirement-detail",
        "DELETE",
        refused_but(secretariat=204, nspa=204),
        kwargs=_pk("std_api_requirement"),
        audit="delete",
    ),
    # Interoperability alerts: the orders and demand each reader may see (a partner's list is empty).
    Row("standards-api:alert-list", "GET", LIST, queries={"director": 4, "secretariat": 4}),
    # The role-less see no nation, so one named is a field error for them.
    Row(
        "standards-api:alert-list",
        "GET",
        {**LIST, "no_role": 400},
        query="nation=POL&kind=reservations&source=call_off",
        variant="filtered",
        queries={"secretariat": 5},
    ),
]


def _order(item, nation: str = "POL") -> None:
    """A call-off of ``item`` by ``nation``, still to be delivered."""
    actor = nspa_user()
    framework = make_framework(actor=actor, nations=("POL", "FRA"))
    line = procurement_services.framework_line_add(
        actor=actor, framework=framework, item=item, unit_price=Decimal("10.00"), max_quantity=100
    )
    make_calloff(framework, nation=nation, quantity=10, actor=actor, line=line)


def build_context(users_by_role) -> dict:
    """Poland's response (with reservations) to an edition an item Poland ordered requires; an
    edition with an open review, a proposal and no Polish response yet; one for the bulk save."""
    secretariat = secretariat_user()
    poland = Nation.objects.get(code="POL")
    domain = make_domain(code="api-lbdm", name="Matrix API munitions", actor=secretariat)
    standard = make_standard(number="9501", edition="2", domain=domain, actor=secretariat)
    open_edition = make_standard(number="9502", edition="1", domain=domain, actor=secretariat)
    bulk = make_standard(number="9503", edition="1", domain=domain, actor=secretariat)
    response = services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(standard=standard, ratification="reservations", reservations="Matrix reservation"),
    )
    ordered = ItemFactory()
    services.requirement_add(actor=secretariat, item=ordered, standard=standard)
    _order(ordered)
    removable = services.requirement_add(actor=secretariat, item=ItemFactory(), standard=bulk)
    review = services.review_open(
        actor=secretariat, standard=open_edition, due_on=open_edition.promulgated_on
    )
    proposal = services.proposal_submit(
        actor=secretariat, standard=open_edition, nation=poland, text="Matrix: a deeper fuze well."
    )
    return {
        "std_api_domain": domain,
        "std_api_standard": standard,
        "std_api_open": open_edition,
        "std_api_bulk": bulk,
        "std_api_response": response,
        "std_api_review": review,
        "std_api_proposal": proposal,
        "std_api_item": ItemFactory(),
        "std_api_requirement": removable,
    }


def grow(context) -> None:
    """More of every list: domains, editions, responses with service lines, reviews, proposals,
    requirements, and the orders that raise alerts."""
    secretariat = secretariat_user()
    france, poland = Nation.objects.get(code="FRA"), Nation.objects.get(code="POL")
    domain = make_domain(code="api-amd-2", name="Matrix API air defence", actor=secretariat)
    standard = context["std_api_standard"]
    services.response_save(
        actor=secretariat,
        nation=france,
        row=ResponseInput(
            standard=standard,
            ratification="reservations",
            reservations="Matrix reservation",
            services=[services.ServiceLine(service="army", implementation="implemented")],
        ),
    )
    for number in ("9511", "9512"):
        other = make_standard(number=number, domain=domain, actor=secretariat)
        services.response_save(
            actor=secretariat,
            nation=poland,
            row=ResponseInput(
                standard=other,
                ratification="reservations",
                reservations="Matrix reservation",
                services=[services.ServiceLine(service="navy", implementation="not_implemented")],
            ),
        )
        services.review_open(actor=secretariat, standard=other, due_on=other.promulgated_on)
        services.proposal_submit(actor=secretariat, standard=other, nation=poland, text="Matrix: more.")
        item = ItemFactory()
        services.requirement_add(actor=secretariat, item=item, standard=other)
        services.requirement_add(actor=secretariat, item=item, standard=standard)
        _order(item)
    services.response_save(
        actor=secretariat,
        nation=poland,
        row=ResponseInput(
            standard=context["std_api_open"],
            services=[services.ServiceLine(service="air_force", implementation="not_implemented")],
        ),
    )
