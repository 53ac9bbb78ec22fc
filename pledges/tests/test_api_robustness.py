"""The pledges API under load and junk: query counts that do not grow with the data, and fuzzing
with a real plan."""

from __future__ import annotations

import pytest
import schemathesis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from pledges import services
from pledges.models import CapacityLine, Investment, Measure
from pledges.services import CommentInput
from pledges.tests.api_helpers import PLAN, PLANS, client_for, returned, submit
from pledges.tests.test_services import capacity_fields
from portal.tests.factories import api_token
from portal.tests.openapi import openapi
from tests.test_api_fuzz import wsgi_app  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


ENTRY_MODELS_BY_KIND = {"capacityline": CapacityLine, "investment": Investment, "measure": Measure}


# --- Query counts -----------------------------------------------------------------------------


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


def _grow(plan, owner, secretariat, n: int):
    """A returned plan with n entries of each kind, and more nations' submitted plans."""
    for i in range(n):
        services.entry_save(
            actor=owner, plan=plan, kind="capacityline",
            fields=capacity_fields(site=f"Site {i}"),
        )  # fmt: skip
        services.entry_save(
            actor=owner, plan=plan, kind="investment",
            fields={"commitment": 3, "description": f"Line {i}", "kind": "new", "value": 1, "currency": "EUR",
                    "year": 2025},
        )  # fmt: skip
        services.entry_save(
            actor=owner, plan=plan, kind="measure", fields={"commitment": 1, "title": f"M {i}"}
        )


def test_query_counts_do_not_grow_with_the_data(owner, secretariat, make_user, cycle, nation):
    plan = services.plan_start(actor=owner, nation=owner.nation, cycle=cycle)
    _grow(plan, owner, secretariat, 1)
    returned(plan, owner, secretariat)
    url = PLAN.format(id=plan.pk)
    counts = []
    for size, codes in ((1, ["DEU"]), (6, ["FRA", "ITA", "ESP", "NLD", "BEL"])):
        if size > 1:
            plan.refresh_from_db()
            _grow(plan, owner, secretariat, size)
            services.plan_submit(actor=owner, plan=plan)
            services.plan_start_review(actor=secretariat, plan=plan)
            services.plan_return(actor=secretariat, plan=plan, comments=[CommentInput("Again.", 2)] * 3)
        for code in codes:
            director = make_user("director", code)
            other_plan = services.plan_start(actor=director, nation=nation(code), cycle=cycle)
            submit(other_plan, director)
            services.plan_start_review(actor=secretariat, plan=other_plan)
        counts.append(
            (
                _count(client_for(secretariat), PLANS),
                _count(client_for(secretariat), url),
                _count(client_for(owner), url),
                _count(client_for(secretariat), f"{url}versions/"),
            )
        )
    assert len(client_for(secretariat).get(PLANS).json()["results"]) == 7
    assert counts[0] == counts[1], counts


# --- Fuzzing with a real plan -----------------------------------------------------------------

PLAN_OPERATIONS = [
    (path, method.upper())
    for path, item in openapi()["paths"].items()
    if path.startswith("/api/pledges/plans/{id}/")
    for method in item
    if method in {"get", "post", "patch", "delete"}
]


@pytest.mark.parametrize(("path", "method"), PLAN_OPERATIONS)
def test_no_input_breaks_a_real_plan(path, method, plan, owner, request):
    """``tests/test_api_fuzz.py`` mostly meets 404s (random ids); here every generated request
    targets the director's real draft plan and its real entries, so the bodies reach the services."""
    app = request.getfixturevalue("wsgi_app")
    services.entry_save(
        actor=owner, plan=plan, kind="measure", fields={"commitment": 1, "title": "Fuzzed measure"}
    )
    services.entry_save(actor=owner, plan=plan, kind="capacityline", fields=capacity_fields())
    services.entry_save(
        actor=owner, plan=plan, kind="investment",
        fields={"commitment": 3, "description": "Fuzzed line", "kind": "new", "value": 1, "currency": "EUR",
                "year": 2025},
    )  # fmt: skip
    entry_ids = {
        kind: model.objects.values_list("pk", flat=True).first()
        for kind, model in ENTRY_MODELS_BY_KIND.items()
    }
    token = api_token(owner)
    operation = schemathesis.openapi.from_dict(openapi())[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.path_parameters["id"] = str(plan.pk)
        kind = path.split("/entries/")[-1].split("/")[0] if "{entry_id}" in path else None
        if kind and entry_ids.get(kind):
            case.path_parameters["entry_id"] = str(entry_ids[kind])
        case.call_and_validate(
            app=app,
            headers={"Authorization": f"Token {token}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    check()
