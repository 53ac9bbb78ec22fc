"""Classes of hostile input that used to reach a 500, tried on every route of the URL matrix:

- a format suffix (``/plans/1.json``) on every route, with every method;
- JSON nested far too deep, to every API route that takes a body;
- a NUL byte in every parameter: every filter and form field of every page, every query
  parameter and every body field of every API operation.

Each answer must be a 4xx (or the page itself), never a 500, and a refused write writes nothing.
"""

from __future__ import annotations

import json

import pytest
from django import forms

from portal.models import ObjectChange
from portal.tests.openapi import openapi
from tests.test_url_matrix import ROWS, build_context, url_of

pytestmark = pytest.mark.django_db

NUL = "nul\x00byte"
# Parameters views read straight from the query string, besides their filter and form fields.
QUERY_NAMES = [
    "nation",
    "page",
    "sort",
    "export",
    "format",
    "dataset",
    "cycle",
    "from",
    "to",
    "year",
    "item",
    "q",
]
WRITE_METHODS = ("post", "put", "patch")


@pytest.fixture
def routes(matrix_users):
    """Every route of the matrix, reversed with the objects its first row uses: (name, url)."""
    context = build_context(matrix_users)
    first = {}
    for row in ROWS:
        first.setdefault(row.route, row)
    return [(name, url_of(row, context)) for name, row in first.items()]


def _is_api(url: str) -> bool:
    return url.startswith("/api/")


def test_a_format_suffix_on_any_route_is_never_a_500(client, routes, users_by_role):
    client.force_login(users_by_role["superuser"])
    tried = 0
    for name, url in routes:
        for suffixed in (url.rstrip("/") + ".json", url.rstrip("/") + ".json/", url + ".api"):
            for method in ("get", "post", "put", "patch", "delete"):
                if method == "get":
                    response = client.get(suffixed)
                else:
                    response = getattr(client, method)(suffixed, data="{}", content_type="application/json")
                assert response.status_code < 500, (name, method, suffixed)
                if _is_api(url):
                    # Suffixes are off: the API has no such route.
                    assert response.status_code in {404, 405}, (name, method, suffixed, response.status_code)
                tried += 1
    assert tried > 300


def _deep_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def _deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "body",
    [_deep_list(100_000), _deep_object(50_000), _deep_list(40)],
    ids=["100k-nested-lists", "50k-nested-objects", "40-nested-lists"],
)
def test_json_nested_too_deep_is_a_400_on_every_api_write(client, routes, users_by_role, body):
    client.force_login(users_by_role["superuser"])
    for name, url in routes:
        if _is_api(url):
            for method in WRITE_METHODS:
                response = getattr(client, method)(url, data=body, content_type="application/json")
                assert response.status_code < 500, (name, method, url)
    # Every operation that takes a JSON body refuses this one, with the reason, and writes nothing.
    # (Actions that take no body, such as creating a token, may have answered above.)
    before = ObjectChange.objects.count()
    parsed = 0
    for path, method, operation in _api_operations():
        url = _filled(path, routes)
        if method not in WRITE_METHODS or url is None or not _json_body_schema(operation):
            continue
        response = getattr(client, method)(url, data=body, content_type="application/json")
        assert response.status_code == 400, (path, method, response.status_code)
        assert "nested deeper" in response.json()["detail"], (path, method)
        parsed += 1
    assert parsed >= 15
    assert ObjectChange.objects.count() == before


def _form_fields(response) -> list[str]:
    """The names of the fields a page's filter or form takes, from its template context."""
    names: list[str] = []
    for key in ("filter", "form"):
        value = response.context.get(key) if response.context is not None else None
        if value is None:
            continue
        form = value.form if hasattr(value, "form") and not isinstance(value, forms.BaseForm) else value
        if isinstance(form, forms.BaseForm):
            names += [form.add_prefix(field) for field in form.fields]
    return names


@pytest.mark.parametrize("who", ["superuser", "nspa", "director", "secretariat"])
def test_a_nul_byte_in_any_field_of_any_page_is_never_a_500(client, routes, users_by_role, who):
    client.force_login(users_by_role[who])
    before = ObjectChange.objects.count()
    fields_tried = 0
    for name, url in routes:
        if _is_api(url) or name in {"logout", "set_language"}:
            continue
        page = client.get(url)
        assert page.status_code < 500, (name, url)
        if page.status_code != 200:
            continue
        fields = _form_fields(page)
        # Every field alone (a filter with one bad value), all of them at once, and the parameters
        # some views read without a form.
        for query in [{field: NUL} for field in fields] + [
            dict.fromkeys(fields, NUL),
            dict.fromkeys(QUERY_NAMES, NUL),
        ]:
            assert client.get(url, query).status_code < 500, (name, url, query)
            fields_tried += 1
        if fields:
            response = client.post(url, dict.fromkeys(fields, NUL))
            assert response.status_code < 500, (name, url)
            assert response.status_code != 302 or "login" not in response.get("Location", ""), (name, url)
    assert fields_tried > 50
    assert ObjectChange.objects.count() == before


def _api_operations():
    for path, item in openapi()["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def _filled(path: str, routes) -> str | None:
    """The concrete URL of a schema path, from the matrix's reversed routes (same shape)."""
    pattern = path.split("/")
    for _name, url in routes:
        parts = url.split("/")
        if len(parts) == len(pattern) and all(
            p.startswith("{") or p == u for p, u in zip(pattern, parts, strict=True)
        ):
            return url
    return None


def _json_body_schema(operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref")
    return openapi()["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def _nul_body(operation: dict) -> dict:
    return dict.fromkeys(_json_body_schema(operation).get("properties", {}), NUL)


@pytest.mark.parametrize("who", ["superuser", "nspa"])
def test_a_nul_byte_in_any_api_parameter_is_never_a_500(client, routes, users_by_role, who):
    client.force_login(users_by_role[who])
    before = ObjectChange.objects.count()
    operations = 0
    for path, method, operation in _api_operations():
        url = _filled(path, routes)
        if url is None:
            continue
        params = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]
        for query in [{p: NUL} for p in params] + [dict.fromkeys(params, NUL)]:
            response = client.get(url, query) if method == "get" else None
            if response is not None:
                assert response.status_code < 500, (path, query)
        body = _nul_body(operation)
        if method in WRITE_METHODS and body:  # an action that takes no body has nothing to refuse
            response = getattr(client, method)(url, data=json.dumps(body), content_type="application/json")
            assert response.status_code < 500, (path, method)
            assert response.status_code >= 400, (path, method, response.status_code)
        operations += 1
    assert operations > 40
    assert ObjectChange.objects.count() == before
