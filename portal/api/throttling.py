"""API throttling: per client address for anonymous calls, per user for signed-in ones.

DRF's own classes copy ``DEFAULT_THROTTLE_RATES`` when they are imported; these read
``settings.API_THROTTLE_RATES`` on every request, so a changed setting takes effect at once. They
also take the client address from ``portal.proxy`` (the rule the login lockout uses), where DRF's
default would trust whatever ``X-Forwarded-For`` a client sends.
"""

from __future__ import annotations

import copy

from django.conf import settings
from rest_framework import throttling

from portal.proxy import client_ip


class _PortalRate:
    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATES[self.scope]

    def get_ident(self, request) -> str:
        return client_ip(request) or ""


class AnonRateThrottle(_PortalRate, throttling.AnonRateThrottle):
    """Anonymous callers, by client address."""


class UserRateThrottle(_PortalRate, throttling.UserRateThrottle):
    """Signed-in callers, by user id (anonymous ones by address, as in DRF)."""


THROTTLED_COMPONENT = "Throttled"


def document_throttling(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation may answer 429 with ``Retry-After``,
    since the throttle classes are the API's defaults."""
    result.setdefault("components", {}).setdefault("schemas", {})[THROTTLED_COMPONENT] = {
        "type": "object",
        "properties": {
            "detail": {"type": "string"},
            "code": {"type": "string", "enum": ["throttled"]},
        },
        "required": ["detail", "code"],
    }
    response = {
        "description": "Too many requests: wait the number of seconds in Retry-After.",
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before the next request.",
                "schema": {"type": "integer", "minimum": 1},
            }
        },
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{THROTTLED_COMPONENT}"}}},
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in {"get", "put", "post", "patch", "delete", "head", "options", "trace"}:
                operation.setdefault("responses", {})["429"] = copy.deepcopy(response)
    return result
