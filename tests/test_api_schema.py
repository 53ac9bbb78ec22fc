"""The schema's errors (``portal.api.schema``): every operation documents the errors it can return,
in the shapes the API really answers with; bodies are JSON but for the file upload."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from portal.tests.openapi import assert_matches_schema, openapi
from procurement.tests.factories import make_framework

METHODS = {"get", "post", "put", "patch", "delete"}
VALIDATION = {"$ref": "#/components/schemas/ValidationError"}
ERROR = {"$ref": "#/components/schemas/Error"}


def operations():
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", path, method, operation


def schema_of(operation: dict, status: str) -> dict | None:
    response = operation["responses"].get(status, {})
    return response.get("content", {}).get("application/json", {}).get("schema")


def test_every_operation_documents_401_403_and_429():
    missing = [
        f"{name} {status}"
        for name, _path, _method, operation in operations()
        for status in ("401", "403", "429")
        if schema_of(operation, status) is None
    ]
    assert missing == []
    assert {str(schema_of(op, "401")) for *_, op in operations()} == {str(ERROR)}


def test_400_on_every_write_and_every_read_with_query_parameters():
    for name, _path, method, operation in operations():
        takes_query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"} - {
            "page",
            "page_size",
        }
        schema = schema_of(operation, "400")
        if method != "get" or takes_query:
            assert schema is not None, name
            assert schema == VALIDATION or VALIDATION in schema.get("anyOf", []), name
        else:
            assert schema is None, name


def test_404_exactly_on_paths_with_parameters_and_on_paginated_lists():
    spec = openapi()["components"]["schemas"]
    for name, path, _method, operation in operations():
        ok = next(code for code in operation["responses"] if code.startswith("2"))
        body = schema_of(operation, ok) or {}
        paginated = "$ref" in body and "count" in spec[body["$ref"].rsplit("/", 1)[-1]].get("properties", {})
        assert ("404" in operation["responses"]) == ("{" in path or paginated), name


def test_415_exactly_on_operations_with_a_body_and_every_body_is_json_but_the_upload():
    bodies = {}
    for name, _path, _method, operation in operations():
        assert ("415" in operation["responses"]) == ("requestBody" in operation), name
        if "requestBody" in operation:
            bodies[name] = sorted(operation["requestBody"]["content"])
    assert {name: media for name, media in bodies.items() if media != ["application/json"]} == {
        "POST /api/boards/meetings/{id}/documents/": ["multipart/form-data"],
        "POST /api/procurement/deliveries/import/": ["multipart/form-data"],
        "POST /api/standards/import/catalogue/": ["multipart/form-data"],
        "POST /api/standards/import/responses/": ["multipart/form-data"],
    }


# Where a service can answer 409: an optimistic-lock ``version``, a workflow state, an idempotency
# key in flight. Written out here, from the services, so a blanket 409 would fail.
CONFLICTS = {
    "POST /api/procurement/demand-signals/",  # a cell filed meanwhile, or a stale version
    "PATCH /api/procurement/demand-signals/{id}/",
    "DELETE /api/procurement/demand-signals/{id}/",
    "PATCH /api/procurement/frameworks/{id}/",
    "POST /api/procurement/frameworks/{id}/amend/",
    "POST /api/procurement/deliveries/",  # Idempotency-Key in flight
    "PATCH /api/pledges/plans/{id}/sections/{commitment}/",
    *(
        f"{method} /api/pledges/plans/{{id}}/entries/{kind}/{suffix}"
        for kind in ("capacityline", "investment", "measure")
        for method, suffix in (("POST", ""), ("PATCH", "{entry_id}/"), ("DELETE", "{entry_id}/"))
    ),
    *(f"POST /api/pledges/plans/{{id}}/{step}/" for step in ("submit", "start-review", "return", "accept")),
    "POST /api/pledges/expenditure-datasets/{id}/records/",
    "PATCH /api/pledges/expenditure-datasets/{id}/records/{record_id}/",
    "DELETE /api/pledges/expenditure-datasets/{id}/records/{record_id}/",
    "POST /api/pledges/expenditure-datasets/{id}/submit/",
    "PATCH /api/boards/meetings/{id}/",  # a stale version
    "POST /api/boards/meetings/{id}/agenda/",  # the agenda changed since its agenda_version
    "DELETE /api/boards/meetings/{id}/agenda/{item_id}/",
    "POST /api/boards/meetings/{id}/agenda/reorder/",
    "PATCH /api/boards/minutes/{id}/",
    "POST /api/boards/minutes/{id}/approve/",  # approved already, or a stale version
    "POST /api/boards/minutes/{id}/correct/",  # a later version follows
    "PATCH /api/boards/actions/{id}/",
    "PATCH /api/boards/recommendations/{id}/",  # past the draft, or a stale version
    "POST /api/boards/recommendations/{id}/move/",  # the workflow's state
    "PATCH /api/boards/risks/{id}/",
    "PATCH /api/standards/domains/{id}/",
    "PATCH /api/standards/standards/{id}/",
    "POST /api/standards/responses/",  # a response recorded meanwhile
    "PATCH /api/standards/responses/{id}/",
    "POST /api/standards/responses/bulk/",  # the stale rows, by edition
    "POST /api/standards/reviews/{id}/start/",
    "POST /api/standards/reviews/{id}/complete/",
    "POST /api/standards/proposals/{id}/decide/",
}


def test_409_only_where_a_version_a_state_or_an_idempotency_key_can_conflict():
    documented = {name for name, *_, operation in operations() if "409" in operation["responses"]}
    assert documented == CONFLICTS


def test_idempotent_operations_document_the_header_and_422():
    with_header = {
        name
        for name, *_, operation in operations()
        if any(
            p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation.get("parameters", [])
        )
    }
    with_422 = {name for name, *_, operation in operations() if "422" in operation["responses"]}
    assert with_header == with_422 == {"POST /api/procurement/deliveries/"}


def test_the_schema_is_the_same_every_time_it_is_generated():
    # The shared error components are copied into each schema: drf-spectacular's enum hook
    # rewrites a registered component in place, which once changed the second schema served.
    first, second = (SchemaGenerator().get_schema(request=None, public=True) for _ in range(2))
    assert first == second


@pytest.fixture
def api(nspa):
    client = APIClient()
    client.force_authenticate(nspa)
    return client


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("name=Acme&country=DEU", "application/x-www-form-urlencoded"),
        (
            '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nAcme\r\n--b--\r\n',
            "multipart/form-data; boundary=b",
        ),
    ],
)
def test_a_form_body_is_refused_with_a_documented_415(api, body, content_type):
    response = api.post("/api/procurement/suppliers/", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert_matches_schema(response, "/api/procurement/suppliers/", "post")


def test_validation_errors_match_the_documented_schema(api):
    framework = make_framework()
    cases = [
        # Field messages, a field named "code" among them.
        ("/api/procurement/items/", {"name": "Shell"}, {"code", "capability_area", "unit"}),
        # Nested objects: a set of messages per line.
        (
            "/api/procurement/call-offs/",
            {
                "framework": framework.pk,
                "nation": "POL",
                "reference": "CO-1",
                "order_date": "2024-06-01",
                "lines": [{"framework_line": 999_999, "quantity": -1}],
            },
            {"lines"},
        ),
        # A body that is not an object at all.
        ("/api/procurement/suppliers/", ["not", "an", "object"], {"non_field_errors"}),
    ]
    for path, body, fields in cases:
        response = api.post(path, body, format="json")
        assert response.status_code == 400, response.content
        assert set(response.json()) == fields
        assert_matches_schema(response, path, "post")
    # The lines' messages are keyed by the line's index, each a field-messages object.
    lines = api.post(cases[1][0], cases[1][1], format="json").json()["lines"]
    assert list(lines) == ["0"]
    assert set(lines["0"]) == {"framework_line", "quantity"}


def test_a_parse_error_matches_the_documented_400(api):
    response = api.post("/api/procurement/suppliers/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert_matches_schema(response, "/api/procurement/suppliers/", "post")


def test_a_refusal_and_a_missing_object_match_the_documented_error(api, owner):
    director = APIClient()
    director.force_authenticate(owner)
    refused = director.post("/api/procurement/suppliers/", {"name": "Acme", "country": "DEU"}, format="json")
    assert refused.status_code == 403
    assert_matches_schema(refused, "/api/procurement/suppliers/", "post")
    missing = api.get("/api/procurement/frameworks/999999/")
    assert missing.status_code == 404
    assert_matches_schema(missing, "/api/procurement/frameworks/{id}/")
    past_the_end = api.get("/api/procurement/frameworks/", {"page": 99})
    assert past_the_end.status_code == 404
    assert_matches_schema(past_the_end, "/api/procurement/frameworks/")
