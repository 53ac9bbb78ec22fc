"""Every URL in the urlconf, for every role and for anonymous visitors: the status they get.

A new URL without a row fails ``test_every_url_is_in_the_matrix``: decide who may reach it. Rows
live here for the core, and in ``<app>/tests/url_matrix*.py`` modules for the apps; each such module
exports ``MATRIX`` (same shape as below) and ``build_context(users_by_role) -> dict`` for the
objects its URLs need.
"""

import importlib
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.tests.factories import JobRunFactory

ROOT = Path(__file__).resolve().parent.parent

ROLES = ["director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role"]
SIGNED_IN_OK = dict.fromkeys(ROLES, 200)

# name -> (reverse kwargs factory, method, {who: status})
MATRIX = {
    "home": (None, "get", {"anonymous": 302, **SIGNED_IN_OK}),
    "health": (None, "get", {"anonymous": 200, **SIGNED_IN_OK}),
    "activity": (None, "get", {"anonymous": 302, **SIGNED_IN_OK}),
    "jobs": (None, "get", {"anonymous": 302, **SIGNED_IN_OK}),
    "login": (None, "get", {"anonymous": 200, **dict.fromkeys(ROLES, 302)}),
    # Logging out is a POST; a GET is refused (anonymous visitors are sent to log in first).
    "logout": (None, "get", {"anonymous": 302, **dict.fromkeys(ROLES, 405)}),
    "set_language": (None, "post", {"anonymous": 302, **dict.fromkeys(ROLES, 302)}),
    "api-me": (None, "get", {"anonymous": 401, **SIGNED_IN_OK}),
    "api-schema": (None, "get", {"anonymous": 401, **SIGNED_IN_OK}),
    "api-docs": (None, "get", {"anonymous": 302, **SIGNED_IN_OK}),
    "nation-list": (None, "get", {"anonymous": 401, **SIGNED_IN_OK}),
    # A user without a role is granted nothing, not even the list of nations.
    "nation-detail": (lambda ctx: {"code": "POL"}, "get", {"anonymous": 401, **SIGNED_IN_OK, "no_role": 404}),
    "jobrun-list": (None, "get", {"anonymous": 401, **SIGNED_IN_OK}),
    # The secretariat's job: others get the same 404 as for a job that does not exist.
    "jobrun-detail": (
        lambda ctx: {"pk": ctx["job"].pk},
        "get",
        {"anonymous": 401, **dict.fromkeys(ROLES, 404), "secretariat": 200, "nspa": 200, "superuser": 200},
    ),
}


APP_MATRIX_MODULES = [
    importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
    for path in sorted(ROOT.glob("*/tests/url_matrix*.py"))
]
for module in APP_MATRIX_MODULES:
    duplicated = set(module.MATRIX) & set(MATRIX)
    assert not duplicated, f"{module.__name__} repeats {duplicated}"
    MATRIX.update(module.MATRIX)


def url_names(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin is staff-only and guarded by its own login
            yield from url_names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            if not pattern.name:
                yield f"<unnamed: {pattern.pattern}>"  # every URL needs a name to be in the matrix
            else:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_is_in_the_matrix():
    assert set(url_names()) == set(MATRIX)


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_url_matrix(client, users_by_role, who):
    context = {"job": JobRunFactory(requested_by=users_by_role["secretariat"])}
    for module in APP_MATRIX_MODULES:
        context.update(module.build_context(users_by_role))
    if who != "anonymous":
        client.force_login(users_by_role[who])
    failures = []
    for name, (kwargs, method, expected) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(context) if kwargs else None)
        response = getattr(client, method)(url)
        if response.status_code != expected[who]:
            failures.append(f"{method.upper()} {url}: {response.status_code}, expected {expected[who]}")
    assert failures == []
