"""API throttling: per client address for anonymous calls, per user for signed-in ones.

DRF's own classes copy ``DEFAULT_THROTTLE_RATES`` when they are imported; these read
``settings.API_THROTTLE_RATES`` on every request, so a changed setting takes effect at once. They
also take the client address from ``portal.proxy`` (the rule the login lockout uses), where DRF's
default would trust whatever ``X-Forwarded-For`` a client sends.
"""

from __future__ import annotations

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
