"""The tests generated from the URL matrix (rows: ``tests/matrix.py``, ``<app>/tests/url_matrix*.py``).

Each ``url_matrix*`` module exports ``ROWS`` (a list of ``tests.matrix.Row``), ``build_context(users)
-> dict`` for the objects its URLs need and, if any of its reads pin their queries, ``grow(context)``
that adds more of what those reads show. From the rows come:

- every (route, method) the urlconf accepts has a row (a new URL or method fails until decided);
- the status every visitor gets, with on every HTML response no inline script, handler or style,
  on every API response a status and body the OpenAPI schema documents, and on every write its
  audit row (or none, when refused);
- the exact query count of every read at two data sizes.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Mapping
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.models import ObjectChange
from tests.matrix import (
    WHO,
    WRITE_METHODS,
    Exempt,
    Row,
    accepted_methods,
    dangling_references,
    inline_code,
    old_formats,
    schema_problems,
    send,
)

ROOT = Path(__file__).resolve().parent.parent

MODULES = [
    importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    for path in sorted(ROOT.glob("*/tests/url_matrix*.py"))
]


def _rows() -> list[Row]:
    rows, seen = [], set()
    for module in MODULES:
        for row in module.ROWS:
            assert row.key not in seen, f"{module.__name__} repeats {row.id}"
            seen.add(row.key)
            rows.append(dataclasses.replace(row, grow=row.grow or getattr(module, "grow", None)))
    return rows


ROWS = _rows()


def build_context(users: dict) -> dict:
    """Every module's objects, and the visitors under ``"users"``."""
    context: dict = {"users": users}
    for module in MODULES:
        objects = module.build_context(users)
        assert not set(objects) & set(context), f"{module.__name__} reuses context keys"
        context.update(objects)
    return context


def routes(patterns=None, namespace=None, prefix=""):
    """(route name, method, path pattern) for every method every URL accepts; Django's admin aside."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin is staff-only and guarded by its own login
            yield from routes(
                pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            if not pattern.name:
                # every URL needs a name to be in the matrix
                yield (f"<unnamed: {pattern.pattern}>", "ANY", prefix + str(pattern.pattern))
                continue
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            for method in accepted_methods(pattern.callback):
                yield (name, method, prefix + str(pattern.pattern))


API_ROUTES = {name for name, _, path in routes() if path.lstrip("^").startswith("api/")}


def url_of(row: Row, context: dict) -> str:
    return reverse(row.route, kwargs=row.kwargs(context) if row.kwargs else None)


def test_every_route_and_method_is_in_the_matrix():
    declared = {(row.route, row.method) for row in ROWS}
    accepted = {(name, method) for name, method, _ in routes()}
    assert sorted(accepted - declared) == [], "accepted but without a row"
    unknown = {route for route, _ in declared} - {route for route, _ in accepted}
    assert sorted(unknown) == [], "rows for routes the urlconf does not have"


def test_every_read_pins_its_query_count_or_says_why_not():
    unpinned = [
        row.id
        for row in ROWS
        if row.method == "GET" and row.queries is None and any(row.status(who) == 200 for who in WHO)
    ]
    assert unpinned == []
    assert [row.id for row in ROWS if isinstance(row.queries, Mapping) and row.grow is None] == []


def test_every_write_that_may_succeed_names_its_audit_row():
    silent = [
        row.id
        for row in ROWS
        if row.method in WRITE_METHODS
        and row.route in API_ROUTES
        and row.audit is None
        and any(200 <= row.status(who) < 300 for who in WHO)
    ]
    assert silent == []


def is_api(response) -> bool:
    return response.wsgi_request.path.startswith("/api/")


def _last_change() -> int:
    return ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _problems(row: Row, response, since: int, user, users: Mapping | None = None) -> list[str]:
    problems = []
    if response.get("Content-Type", "").startswith("text/html") and response.content:
        html = response.content.decode()
        problems += inline_code(html) + dangling_references(html) + old_formats(html)
    if is_api(response) and row.route not in ("api-schema", "api-docs"):
        problems += schema_problems(response, row.method)
    if row.method in WRITE_METHODS:
        changes = list(ObjectChange.objects.filter(pk__gt=since).values_list("action", "actor_username"))
        status = response.status_code
        if status in (301, 302) and response.url.startswith(resolve_url(settings.LOGIN_URL)):
            status = 401  # sent to sign in: refused
        if row.audit is False and changes:
            problems.append(f"audited {changes}, yet the row says this write changes no record")
        elif status >= 400 and changes:
            problems.append(f"refused, yet audited {changes}")
        elif status < 400 and row.audit is None and changes:
            problems.append(f"audited {changes}: name it in the row's audit=")
        elif status < 300 and row.audit is None and is_api(response):
            problems.append("succeeded: a write needs audit=")
        elif status < 400 and row.audit:
            if not changes:
                problems.append(f"succeeded ({status}) without an audit row")
            elif isinstance(row.audit, str) and row.audit not in {action for action, _ in changes}:
                problems.append(f"audited {changes}, expected {row.audit!r}")
            elif row.audit_actor and {actor for _, actor in changes} != {
                users[row.audit_actor].get_username()
            }:
                problems.append(f"audit rows name {changes}, not {row.audit_actor}")
            elif (
                not row.audit_actor
                and user is not None
                and {actor for _, actor in changes} != {user.get_username()}
            ):
                problems.append(f"audit rows name {changes}, not the requester")
    return problems


@pytest.mark.parametrize("who", WHO)
def test_url_matrix(client, matrix_users, who):
    context = build_context(matrix_users)
    user = None if who == "anonymous" else matrix_users[who]
    if user is not None:
        client.force_login(user)
    failures = []
    for row in ROWS:
        url = url_of(row, context)
        since = _last_change()
        response = send(client, row, url, context)
        where = f"{row.id} {url}{'?' + row.query if row.query else ''}"
        if response.status_code != row.observed_status(who):
            failures.append(f"{where}: {response.status_code}, expected {row.observed_status(who)}")
            continue
        failures += [f"{where}: {problem}" for problem in _problems(row, response, since, user, matrix_users)]
        if user is not None and "_auth_user_id" not in client.session:
            client.force_login(user)  # after signing out
    assert not failures, "\n".join(failures)


PINNED = [
    pytest.param(row, who, count, id=f"{row.id} {who}")
    for row in ROWS
    if isinstance(row.queries, Mapping)
    for who, count in row.queries.items()
]


@pytest.mark.parametrize(("row", "who", "count"), PINNED)
def test_query_count_is_the_same_at_two_sizes(client, matrix_users, row, who, count):
    context = build_context(matrix_users)
    if who != "anonymous":
        client.force_login(matrix_users[who])
    url = url_of(row, context)
    with CaptureQueriesContext(connection) as small:
        before = send(client, row, url, context)
    row.grow(context)
    with CaptureQueriesContext(connection) as large:
        after = send(client, row, url, context)
    assert (before.status_code, after.status_code) == (200, 200)
    sql = "\n".join(query["sql"][:200] for query in large.captured_queries)
    assert (len(small), len(large)) == (count, count), f"at two sizes; after growing:\n{sql}"
    if row.route.endswith("-list"):
        assert len(after.content) > len(before.content), "grow() added nothing this list shows"


def test_exemptions_say_why():
    assert all(row.queries.reason.strip() for row in ROWS if isinstance(row.queries, Exempt))
