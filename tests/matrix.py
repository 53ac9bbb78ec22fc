"""The URL matrix's row type and the checks the generator in ``tests/test_url_matrix.py`` runs.

A row is one (route, method) — or one variant of it, such as an empty body and a valid one — and
what every visitor gets::

    Row("procurement-api:supplier-list", "POST", NSPA_WRITE, data={"name": "Acme", "country": "DEU"},
        variant="valid", audit="create")
    Row("procurement-api:supplier-detail", "GET", NOT_PARTNERS, kwargs=pk("api_supplier"),
        queries={"nspa": 4})

Who: ``"anonymous"``, each role in ``ROLES`` (one user each, from ``users_by_role``; the matrix
director is Poland's), and ``"director_other"``, a director of France. The objects of the matrix
are Poland's, so a row on a nation-scoped object names ``director_other``'s status (usually the
404 of a row that does not exist); a row that does not name it expects the director's status,
which says the route does not depend on the nation.

Fields:
- ``expect``: status per who; ``anonymous`` and every role must be named.
- ``kwargs(context) -> dict``: the route's URL arguments; ``query``: a query string (no ``?``).
- ``data``: the body, a dict or ``data(context) -> dict``. JSON on API routes (multipart when it
  holds a file: the upload), a form on pages.
  ``None`` sends no body at all (what the empty-body rows check).
- ``variant``: a name telling two rows of one (route, method) apart.
- ``queries={who: N}``: the exact query count of that reader's GET, pinned at two data sizes (the
  module's ``grow(context)`` adds rows between the two). ``Exempt("why")`` documents a read that is
  not pinned. Every read that answers 200 to somebody must say one or the other.
- ``bug="what is wrong"`` with ``observed={who: status}``: an app bug the row found. ``expect``
  holds the right statuses; the generator asserts the observed ones, so fixing the bug fails the
  row until its ``bug`` goes.
- ``audit``: a write that succeeds (2xx, or a redirect on a page) must leave an audit row: the
  action it names (``"plan.submitted"``), or any action (``True``). ``False``, with a comment, for
  a write that must leave no audit row: one not about a record (the language cookie), or one that
  changes nothing (an empty PATCH). A write without ``audit`` may
  not succeed for anybody; a refused write (4xx) never leaves an audit row. The rows name the
  requester, or ``audit_actor`` (a key of the users) for a write done on someone's behalf.

The matrix runs its rows in order, in one database per visitor: a row that changes state (a
submission, a revoke) comes after the rows that need the earlier state.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File

ROLES = ("director", "nspa", "secretariat", "board_member", "partner", "superuser", "no_role")
OTHER_DIRECTOR = "director_other"
WHO = ("anonymous", *ROLES, OTHER_DIRECTOR)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Exempt:
    """A read whose query count is not pinned, and why."""

    reason: str


@dataclass(frozen=True)
class Row:
    route: str
    method: str
    expect: Mapping[str, int]
    kwargs: Callable[[dict], dict] | None = None
    query: str = ""
    data: Any = None
    variant: str = ""
    queries: Mapping[str, int] | Exempt | None = None
    audit: str | bool | None = None
    grow: Callable[[dict], None] | None = field(default=None, compare=False)
    bug: str = ""
    observed: Mapping[str, int] = field(default_factory=dict)
    # The visitor (a key of the users) the audit rows name when it is not the requester: a signed
    # link in a mail acts for the user it was sent to, whoever follows it.
    audit_actor: str = ""

    def __post_init__(self):
        object.__setattr__(self, "method", self.method.upper())
        assert bool(self.bug) == bool(self.observed), f"{self.key}: a bug names what is observed instead"
        missing = {"anonymous", *ROLES} - set(self.expect)
        unknown = set(self.expect) - set(WHO)
        assert not missing, f"{self.key}: no status for {missing}"
        assert not unknown, f"{self.key}: unknown visitors {unknown}"
        if self.queries is not None and not isinstance(self.queries, Exempt):
            assert self.method == "GET", f"{self.key}: only reads pin their queries"
            for who in self.queries:
                assert self.status(who) == 200, f"{self.key}: {who} pins queries but gets {self.status(who)}"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.route, self.method, self.variant)

    @property
    def id(self) -> str:
        return " ".join(filter(None, [self.method, self.route, self.variant]))

    def status(self, who: str) -> int:
        """The right status, which the generator asserts unless ``bug`` names what happens today."""
        return self.expect.get(who, self.expect["director"]) if who == OTHER_DIRECTOR else self.expect[who]

    def observed_status(self, who: str) -> int:
        if who == OTHER_DIRECTOR and who not in self.observed and who not in self.expect:
            who = "director"
        return self.observed.get(who, self.status(who))

    def body(self, context: dict):
        return self.data(context) if callable(self.data) else self.data


def statuses(anonymous: int, default: int, **who: int) -> dict:
    """``default`` for every role, ``anonymous`` for visitors, and the named exceptions."""
    return {"anonymous": anonymous, **dict.fromkeys(ROLES, default), **who}


def allowed(ok: set[str], denied: int = 403, **others: int) -> dict:
    """200 for the ``ok`` roles (and the superuser), ``denied`` for the other roles, a login
    redirect for anonymous, and the named exceptions."""
    return {
        "anonymous": 302,
        **{role: 200 if role in ok or role == "superuser" else denied for role in ROLES},
        **others,
    }


def as_write(expect: Mapping[str, int], status: int) -> dict:
    """A GET row's statuses for a POST: ``status`` where the page showed (200), the same refusals."""
    return {who: status if code == 200 else code for who, code in expect.items()}


def pk(name: str) -> Callable[[dict], dict]:
    """URL kwargs ``{"pk": context[name].pk}``."""
    return lambda context: {"pk": context[name].pk}


# --- What a response must not contain ---------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def inline_code(html: str) -> list[str]:
    """What the CSP would block on a page: inline scripts, event handlers and styles."""
    found = []
    for label, pattern in (("script", INLINE_SCRIPT), ("handler", INLINE_HANDLER), ("style", INLINE_STYLE)):
        found += [f"inline {label}: {match.group(0)[:80]}" for match in pattern.finditer(html)]
    return found


ID = re.compile(r"""\sid=["']([^"']+)["']""")
ID_REFERENCE = re.compile(
    r"""\s(aria-describedby|aria-labelledby|aria-controls|aria-errormessage)=["']([^"']*)["']"""
)
LABEL_FOR = re.compile(r"""<label\b[^>]*\sfor=["']([^"']+)["']""")


def dangling_references(html: str) -> list[str]:
    """References to element ids that are not on the page: an ``aria-describedby`` naming help or
    an error that was never rendered (Django names ``<id>_helptext`` and ``<id>_error`` on every
    widget with help text or errors), a ``<label for>`` whose control is missing."""
    ids = set(ID.findall(html))
    found = [
        f"{attribute}={target!r}: no such id"
        for attribute, value in ID_REFERENCE.findall(html)
        for target in value.split()
        if target not in ids
    ]
    found += [
        f"<label for={target!r}>: no such id" for target in LABEL_FOR.findall(html) if target not in ids
    ]
    return found


# Text a reader sees, without markup and without what is meant to be machine-shaped: attribute
# values (``datetime=``, ``value=``), code samples, scripts, templates and form input.
UNSEEN = re.compile(
    r"<(script|style|template|code|pre|textarea|select)\b.*?</\1>|<!--.*?-->|<[^>]+>", re.S | re.I
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
OLD_FORMATS = (
    # Zero-padded, as Django's English SHORT_DATE_FORMAT wrote it ("07/09/2024"); "23/5/2026" is
    # a demand signal's name (nation/item/year ids), not a date.
    ("US date", re.compile(r"\b\d{2}/\d{2}/\d{4}\b")),
    (
        "English long date",
        re.compile(rf"\b(?:{MONTHS}|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.? \d{{1,2}}, \d{{4}}"),
    ),
    ("ISO date and time", re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}")),
    ("ISO date", re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")),
    ("money without separators", re.compile(r"(?<![\d,.])\d{5,}\.\d{2}\b")),
)


def old_formats(html: str) -> list[str]:
    """Dates and amounts on a page written the old ways: a US "07/09/2024", "July 1, 2023",
    ISO "2026-12-01 19:28" or "2024-06-01" in running text, money as "5500000000.00". Pages use
    the locale's formats ("1 Dec 2026", "5,500,000,000.00 EUR"); exports and the API keep ISO."""
    text = UNSEEN.sub(" ", html)
    found = []
    for name, pattern in OLD_FORMATS:
        for match in pattern.finditer(text):
            around = " ".join(text[max(match.start() - 50, 0) : match.end() + 20].split())
            found.append(f"{name}: {match.group(0)!r} in {around!r}")
    return found


def assert_no_inline_code(html: str) -> None:
    assert inline_code(html) == []


# --- Which methods a route accepts -------------------------------------------------------------


def accepted_methods(callback) -> set[str]:
    """The methods a resolved view answers with anything but a 405 (HEAD and OPTIONS aside):
    a DRF viewset's action map, a class's handlers, or a ``require_http_methods`` list. A function
    view that names no methods accepts GET and POST."""
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if getattr(callback, "actions", None):
        # DRF adds "head" to the map on the first GET.
        return {method.upper() for method in callback.actions} - {"HEAD", "OPTIONS"}
    if cls is not None:
        return {
            method.upper()
            for method in cls.http_method_names
            if method not in ("head", "options") and hasattr(cls, method)
        }
    view = callback
    while view is not None:
        allowed = inspect.getclosurevars(view).nonlocals.get("request_method_list")
        if allowed is not None:
            return {method.upper() for method in allowed} - {"HEAD", "OPTIONS"}
        view = getattr(view, "__wrapped__", None)
    return {"GET", "POST"}


# --- Requests ----------------------------------------------------------------------------------


def send(client, row: Row, url: str, context: dict):
    """The row's request. API bodies are JSON; page bodies are forms; no ``data``, no body."""
    call = getattr(client, row.method.lower())
    body = row.body(context)
    if row.query:
        url = f"{url}?{row.query}"
    if body is None and url.startswith("/api/") and row.method in WRITE_METHODS:
        # Truly no body: ``client.post(url)`` would send an empty multipart form, which the API
        # (JSON only) refuses with 415 before the view sees the request.
        return client.generic(row.method, url)
    if body is None:
        return call(url)
    if url.startswith("/api/") and any(isinstance(value, File) for value in body.values()):
        return call(url, data=body)  # the file upload: the API's one multipart body
    if url.startswith("/api/"):
        return call(url, data=json.dumps(body), content_type="application/json")
    if row.method == "POST":
        return call(url, data=body)
    raise AssertionError(f"{row.id}: a page takes a form body by POST only")


# --- The API's promise: its OpenAPI schema -----------------------------------------------------


def schema_problems(response, method: str) -> list[str]:
    """What in an API response the OpenAPI schema does not document (status or body)."""
    import jsonschema

    from portal.tests.openapi import _to_json_schema, openapi

    spec = openapi()
    path = response.wsgi_request.path
    # The most literal template first: ``/deliveries/import/`` before ``/deliveries/{id}/``.
    template = next(
        (
            candidate
            for candidate in sorted(spec["paths"], key=lambda candidate: candidate.count("{"))
            if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(candidate)), path)
        ),
        None,
    )
    if template is None:
        return [f"{path} is not in the schema"]
    operation = spec["paths"][template].get(method.lower())
    if operation is None:
        return [f"{method} {template} is not in the schema"]
    # Every status, errors too: a client generated from the schema types only what it documents.
    declared = operation["responses"].get(str(response.status_code))
    if declared is None:
        return [f"{response.status_code} is not documented for {method} {template}"]
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    if media_type and media_type != "application/json":
        # A download (an export, a document): its media type must be one the schema names.
        documented = declared.get("content", {})
        return [] if media_type in documented else [f"{response.status_code} documents no {media_type} body"]
    content = declared.get("content", {}).get("application/json")
    if content is None:
        return [] if not response.content else [f"{response.status_code} documents no JSON body"]
    schema = _to_json_schema(content["schema"], spec["components"]["schemas"])
    if not response.content:
        return []
    try:
        jsonschema.validate(response.json(), schema)
    except jsonschema.ValidationError as error:
        return [f"{response.status_code} body does not match the schema: {error.message[:200]}"]
    return []
