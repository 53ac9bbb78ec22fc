"""Property-based API testing from our own OpenAPI schema: no input gives a 500, and every
documented response matches the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from portal.tests.factories import api_token
from portal.tests.openapi import openapi

OPERATIONS = [
    (path, method.upper())
    for path, item in openapi()["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]


@pytest.fixture
def wsgi_app():
    """The real WSGI app, kept from closing the test's database connection after each request
    (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("role", ["director", "nspa"])
@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_no_input_breaks_the_api(path, method, role, users_by_role, wsgi_app):
    # A director is refused most writes; NSPA reaches the write paths and the business rules.
    token = api_token(users_by_role[role])
    operation = schemathesis.openapi.from_dict(openapi())[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(
            app=wsgi_app,
            headers={"Authorization": f"Token {token}"},
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    check()
