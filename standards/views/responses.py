"""Nations' responses: the bulk response form and a nation's page.

The form shows one row per edition that takes a response, for one nation and one page of the
catalogue (filtered by domain). Only the rows the user changed are saved, all together or none;
a row's errors stay beside it with the user's input, and a row someone else saved meanwhile is a
409 that names what changed and by whom.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.choices import NationKind
from portal.exceptions import Conflict
from portal.permissions import ADD, VIEW, allows
from portal.selectors import nation_list
from portal.web import (
    FORM_METHODS,
    acting_nation,
    get_for,
    post_data,
    query_without,
    require,
    scope_errors,
)
from standards import selectors, services
from standards.choices import RATIFIED, RESPONDABLE, Implementation
from standards.forms.responses import ResponseRowForm
from standards.models import NationalResponse
from standards.services.responses import RowsRejected
from standards.views import domain_filter

ROWS_PER_PAGE = 50
# Alerts shown on a nation's page; the alert list has the rest.
ALERT_ROWS = 100


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


@FORM_METHODS
def response_form(request):
    user = request.user
    require(user, NationalResponse, ADD)
    nation = acting_nation(request, NationalResponse, ADD)
    domains = list(selectors.domain_list(user=user))
    if nation is None:
        return render(
            request,
            "standards/response_form.html",
            {"nations": nation_list(user=user).filter(kind=NationKind.ALLY), "form_rows": None},
        )
    domain = domain_filter(request)
    editions = selectors.standard_list(user=user).filter(status__in=RESPONDABLE)
    if domain is not None:
        editions = editions.filter(domain=domain)
    page = Paginator(editions, ROWS_PER_PAGE).get_page(_page_number(request))
    page_editions = list(page.object_list)
    existing = {
        response.standard_id: response
        for response in selectors.response_list(user=user).filter(nation=nation, standard__in=page_editions)
    }
    data = post_data(request)
    # A row the post does not carry (the catalogue grew since the page was loaded) stays unbound:
    # left as it is, not read as an empty, invalid row.
    rows = [
        ResponseRowForm(
            data if data is not None and f"s{edition.pk}-version" in data else None,
            prefix=f"s{edition.pk}",
            standard=edition,
            response=existing.get(edition.pk),
        )
        for edition in page_editions
    ]
    status, conflict = 200, None
    if request.method == "POST":
        status = 400
        # Every posted row is validated (no short-circuit), so every row shows its own messages.
        posted = [row for row in rows if row.is_bound]
        valid = [row.is_valid() for row in posted]
        if all(valid):
            changed = [row for row in posted if row.changed()]
            try:
                with scope_errors():
                    saved = services.responses_save(
                        actor=user, nation=nation, rows=[row.to_input() for row in changed]
                    )
            except RowsRejected as exc:
                for index, fields in exc.errors.items():
                    for field, field_messages in fields.items():
                        changed[index].add_service_errors(field, field_messages)
            except Conflict as exc:
                status, conflict = 409, exc
                stale = {item["standard"]: item for item in exc.detail["rows"]}
                for row in changed:
                    if row.standard.pk in stale:
                        row.stale = stale[row.standard.pk]
            else:
                messages.success(
                    request,
                    _("Saved %(count)s changed responses for %(nation)s.")
                    % {"count": len(saved), "nation": nation.name},
                )
                return redirect(request.get_full_path())
    return render(
        request,
        "standards/response_form.html",
        {
            "nation": nation,
            "on_behalf": nation.pk != user.nation_id,
            "form_rows": rows,
            "page": page,
            "domains": domains,
            "domain": domain,
            "conflict": conflict,
            "has_errors": any(row.errors for row in rows),
            "query": query_without(request, "page"),
        },
        status=status,
    )


@require_GET
def nation_detail(request, pk: int):
    """What one nation has ratified and implemented, and what it has not, by domain; and its open
    interoperability alerts."""
    user = request.user
    require(user, NationalResponse, VIEW)
    nation = get_for(request, nation_list, pk)
    if nation.kind != NationKind.ALLY:
        raise Http404
    editions = list(selectors.standard_list(user=user).filter(status__in=RESPONDABLE))
    responses = {
        response.standard_id: response
        for response in selectors.response_list(user=user).filter(
            nation=nation, standard__status__in=RESPONDABLE
        )
    }
    by_domain: dict[int, dict] = {}
    for edition in editions:
        group = by_domain.setdefault(
            edition.domain_id,
            {"domain": edition.domain, "done": [], "open": [], "ratified": 0, "implemented": 0, "total": 0},
        )
        response = responses.get(edition.pk)
        ratified = response is not None and response.ratification in RATIFIED
        implemented = response is not None and response.implementation == Implementation.IMPLEMENTED
        group["total"] += 1
        group["ratified"] += ratified
        group["implemented"] += implemented
        (group["done"] if ratified and implemented else group["open"]).append((edition, response))
    groups = sorted(by_domain.values(), key=lambda g: (g["domain"].order, g["domain"].name, g["domain"].pk))
    alerts = list(selectors.alert_list(user=user, nation=nation)[: ALERT_ROWS + 1])
    return render(
        request,
        "standards/nation_detail.html",
        {
            "nation": nation,
            "groups": groups,
            "total": len(editions),
            "ratified": sum(g["ratified"] for g in groups),
            "implemented": sum(g["implemented"] for g in groups),
            "alerts": selectors.alerts(alerts[:ALERT_ROWS]),
            "more_alerts": len(alerts) > ALERT_ROWS,
            "may_record": allows(user, ADD, NationalResponse(nation=nation)),
            "form_url": f"{reverse('standards:response-form')}?nation={nation.code}",
        },
    )
