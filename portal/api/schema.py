"""The API's OpenAPI schema: every operation documents the errors it can return, from one place.

drf-spectacular documents what a view answers on success, and whatever the view declares with
``extend_schema``. ``PortalAutoSchema`` (the API's ``DEFAULT_SCHEMA_CLASS``) adds each error the
API base can answer with, in the shape ``portal.api.errors`` gives it, unless the view declared
that status itself (a conflict's own body, the delivery import's row errors):

- 400, ``ValidationError`` (field messages, ``non_field_errors``, or a parse error's ``detail``):
  on every write, as every write goes through a service that validates, and on every read that
  takes query parameters (filters; a bad page number is a 404, a bad page size is ignored);
- 401, 403 and 429 on every operation: authentication, permissions and throttling are the API's
  defaults (401 carries ``WWW-Authenticate``, 429 ``Retry-After``);
- 404 on a path with parameters (a missing object and one the user may not see are the same 404),
  and on a paginated list (a page past the end);
- 409 and 422 where the handler is ``portal.idempotency.idempotent_action`` (a key still in flight;
  a key used for another body), together with the ``Idempotency-Key`` header. The other 409s (a
  stale ``version``, a workflow state) are the view's to declare, with the body that says what
  changed: only the view knows that its service checks one;
  a view's own 400 on an operation with a body also admits ``ValidationError`` (a body the parser
  cannot read);
- 415 on every operation that takes a body (JSON, or multipart where a file is uploaded).

A list that exports (``portal.api.exports.ExportListMixin``) also documents ``?export=`` and
``?header=``, and its 200 answers CSV and XLSX as well as the JSON page.
"""

from __future__ import annotations

import copy

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from portal import idempotency
from portal.api import exports
from portal.api.serializers import ErrorSerializer

VALIDATION_ERROR = "ValidationError"
THROTTLED = "Throttled"
PAGINATION_PARAMETERS = {"page", "page_size"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
STRING = {"type": "string"}

# A field's messages: a list of strings, or for a nested serializer its own messages per field
# (an object), or per item of a list (a list of objects, {} for an item without errors).
_FIELD_MESSAGES = {
    "anyOf": [
        {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}},
        {"type": "object"},
    ]
}
# A body that is not JSON (or a bad header) is answered with a ``detail`` and a ``code``, as other
# errors are; but "code" and "detail" may also be a field's name (an item has a code).
_MESSAGE_OR_FIELD = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "The request was refused as it is: each field's messages under the field's name, messages "
        "about the request as a whole under `non_field_errors`. A body that is not valid JSON (or an "
        "invalid header) gets a `detail` and a `code` string instead; a field named `detail` or "
        "`code` has its list of messages there."
    ),
    "properties": {
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
        "detail": _MESSAGE_OR_FIELD,
        "code": _MESSAGE_OR_FIELD,
    },
    "additionalProperties": _FIELD_MESSAGES,
    "minProperties": 1,
}
THROTTLED_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": ["throttled"]},
    },
    "required": ["detail", "code"],
}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the errors of the module docstring on every operation."""

    def _handler(self):
        return getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)

    def _is_idempotent(self) -> bool:
        return idempotency.is_idempotent(self._handler())

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if exports.exports(self.view):
            parameters = [*parameters, *exports.PARAMETERS]
        return [*parameters, idempotency.KEY_PARAMETER] if self._is_idempotent() else parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        if exports.exports(self.view) and "200" in responses:
            responses["200"].setdefault("content", {}).update(copy.deepcopy(exports.MEDIA))
        errors = self._errors(operation)
        if "400" in responses and "requestBody" in operation:
            _widen(responses["400"], errors[400])
        for code, response in errors.items():
            responses.setdefault(str(code), response)
        # Status codes in order, so a reader (and a diff) finds them where expected.
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _errors(self, operation: dict) -> dict[int, dict]:
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        validation = self._component(VALIDATION_ERROR, VALIDATION_ERROR_SCHEMA)
        throttled = self._component(THROTTLED, THROTTLED_SCHEMA)
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] in ("query", "header")}
        takes_body = "requestBody" in operation
        errors = {
            401: _json(
                error,
                "Not signed in: no credentials, or a token that is invalid, expired or revoked.",
                {"WWW-Authenticate": {"description": "`Token`: how to sign in.", "schema": STRING}},
            ),
            403: _json(
                error,
                "Signed in, but not allowed to do this: the role has no grant for it, or a session's "
                "write came without its CSRF token.",
            ),
            429: _json(
                throttled,
                "Too many requests: wait the number of seconds in Retry-After.",
                {
                    "Retry-After": {
                        "description": "Seconds to wait before the next request.",
                        "schema": {"type": "integer", "minimum": 1},
                    }
                },
            ),
        }
        if self.method in WRITE_METHODS or query - PAGINATION_PARAMETERS:
            errors[400] = _json(validation, "The request is not valid: what to correct, field by field.")
        if "{" in self.path or (self._is_list_view() and self._get_paginator() is not None):
            errors[404] = _json(
                error,
                "No such object, or one you may not see (the same answer for both); on a list, a "
                "page past the last one.",
            )
        if takes_body:
            media = " or ".join(f"`{media_type}`" for media_type in operation["requestBody"]["content"])
            errors[415] = _json(error, f"The body is not {media}.")
        if self._is_idempotent():
            errors[409] = _json(
                error, f"A request with this {idempotency.HEADER} is still being processed: retry shortly."
            )
            errors[422] = _json(error, f"This {idempotency.HEADER} was already used for a different body.")
        return errors

    def _component(self, name: str, schema: dict) -> dict:
        # A copy: the enum hook rewrites registered schemas in place, and the next schema
        # generated must start from the same text.
        component = ResolvedComponent(name, ResolvedComponent.SCHEMA, copy.deepcopy(schema), name)
        self.registry.register_on_missing(component)
        return component.ref


def _widen(declared: dict, validation: dict) -> None:
    """A view's own 400 (the import's row errors) is what the view answers; the parser answers
    before the view does, with the shared validation error, for a body it cannot read."""
    content = declared.setdefault("content", {}).setdefault("application/json", {})
    own, shared = content.get("schema"), validation["content"]["application/json"]["schema"]
    if own is None:
        content["schema"] = shared
    elif own != shared:
        content["schema"] = {"anyOf": [own, shared]}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    return {**response, "headers": headers} if headers else response
