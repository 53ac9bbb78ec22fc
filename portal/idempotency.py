"""``Idempotency-Key`` for API writes: a retried request replays the first response.

The core's mechanism, for any app's API. A view's write handler is decorated with
``@idempotent_action(scope)``: the handler parses the body, calls the service and returns the
response, and runs at most once per (user, scope, key); without the header it simply runs. (The
decorator calls ``idempotent(request, scope=..., perform=...)``, which other code may call too.)
The scope names the operation (``"<app>.<model>.<verb>"``, such as
``"procurement.delivery.create"``) and must not change once clients use it: a new scope forgets
the keys stored under the old one, so a retry would write again. The API's schema
(``portal.api.schema``) documents a decorated handler's header (``KEY_PARAMETER``) and its 409 and
422 by itself. Records are ``portal.models.IdempotencyRecord`` rows; nothing expires them, so a key
is remembered until its user is deleted.

How it holds under retries and races:

- The record is inserted *first*, inside the same transaction as the write it describes, and
  completed with the response before commit. The write and its record therefore commit together
  or not at all: there is never a delivery without its record, nor a record without its delivery.
- Two concurrent requests with the same key: the second one's insert waits on the unique index
  (user, scope, key) until the first commits, then fails; it rolls back its savepoint and replays
  the stored response (or gets 422 if its body differs). It never reaches the write.
- Only successful responses are stored. A request that fails (400 validation, 403, 404, 409)
  rolls back with its record, so the client can correct the body and retry with the same key;
  replaying a stored 400 would force it to invent a new key for what is the same operation.
- The key is per user and per scope: two users, or two endpoints, never share a record.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from portal.exceptions import Conflict, PortalError
from portal.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200
REPLAY_HEADER = "Idempotent-Replayed"
# Visible ASCII only: a key is an opaque token, usually a UUID.
KEY_PATTERN = r"^[\x21-\x7e]{1,200}$"
_KEY_RE = re.compile(KEY_PATTERN)
# A claimed record whose response is not written yet (only ever seen inside its own transaction).
IN_FLIGHT = 0


class InvalidIdempotencyKey(PortalError):
    status_code = 400
    code = "invalid_idempotency_key"


class IdempotencyKeyReused(PortalError):
    status_code = 422
    code = "idempotency_key_reused"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"


# --- Schema: the header of an idempotent operation (``portal.api.schema`` documents it) -------

KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=KEY_PATTERN,
    description=(
        "Makes a retry safe: the same key with the same body replays the first response "
        f"(with `{REPLAY_HEADER}: true`) and creates nothing; the same key with another body "
        "is refused with 422. Failed requests are not remembered: fix the body and retry "
        "with the same key."
    ),
)


# --- The mechanism ------------------------------------------------------------------------------


def request_hash(data) -> str:
    """SHA-256 of the body as canonical JSON (sorted keys, no whitespace), so key order and
    formatting do not make the same request look different."""
    if hasattr(data, "lists"):  # a form-encoded QueryDict: keep repeated keys
        data = dict(data.lists())
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise IdempotencyKeyReused(
            f"This {HEADER} was already used for a different request. Use a new key for a new request."
        )
    if record.status_code == IN_FLIGHT:
        raise IdempotencyKeyInFlight(f"A request with this {HEADER} is still being processed; retry shortly.")
    return Response(record.response, status=record.status_code, headers={REPLAY_HEADER: "true"})


def _find(user, scope: str, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()


def idempotent(request, *, scope: str, perform: Callable[[], Response]) -> Response:
    """Run ``perform`` (which writes and returns the response) at most once per
    (user, ``scope``, Idempotency-Key); without the header it simply runs."""
    key = request.headers.get(HEADER)
    if key is None:
        return perform()
    if not _KEY_RE.match(key):
        raise InvalidIdempotencyKey(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters (a UUID is a good choice)."
        )
    digest = request_hash(request.data)
    existing = _find(request.user, scope, key)
    if existing is not None:
        return _replay(existing, digest)

    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=request.user,
                    scope=scope,
                    key=key,
                    request_hash=digest,
                    status_code=IN_FLIGHT,
                    response={},
                )
        except IntegrityError:
            # A concurrent request with the same key committed first (the insert waited for it).
            winner = _find(request.user, scope, key)
            if winner is None:  # it rolled back after all: nothing to replay, let the client retry
                raise IdempotencyKeyInFlight(
                    f"A request with this {HEADER} was being processed; retry shortly."
                ) from None
            return _replay(winner, digest)
        response = perform()
        if not 200 <= response.status_code < 300:
            # Not stored (see the module docstring): drop the claim with the transaction.
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        # Stored as it is rendered (dates, decimals as JSON gives them), so a replay has the same
        # values. Not always the same bytes: PostgreSQL's jsonb keeps its own key order.
        record.response = json.loads(JSONRenderer().render(response.data))
        record.save(update_fields=["status_code", "response"])
        return response


def idempotent_action(scope: str):
    """Make a view's write handler ``(self, request, *args, **kwargs)`` idempotent under ``scope``
    (see the module docstring); the schema then documents the header, the 409 and the 422."""

    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(self, request, *args, **kwargs):
            return idempotent(request, scope=scope, perform=lambda: handler(self, request, *args, **kwargs))

        wrapper.idempotency_scope = scope
        return wrapper

    return decorate


def is_idempotent(handler) -> bool:
    """Whether a view's handler is decorated with ``idempotent_action``."""
    return getattr(handler, "idempotency_scope", None) is not None
