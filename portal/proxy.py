"""The client's address, for login lockout and API throttling.

Behind the TLS proxy every request arrives from the proxy's own address, so keying on
``REMOTE_ADDR`` would put every client in one bucket (one attacker locks a named user out for
everyone). Each trusted proxy appends the address it received the request from to
``X-Forwarded-For``; entries further left were written by the client and prove nothing.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the client that reached the outermost trusted proxy: the
    ``TRUSTED_PROXY_COUNT``-th ``X-Forwarded-For`` entry from the right when ``BEHIND_TLS_PROXY``
    is on, else ``REMOTE_ADDR`` (without a proxy the header is the client's own claim)."""
    remote_addr = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_TLS_PROXY:
        return remote_addr
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    count = settings.TRUSTED_PROXY_COUNT
    if len(hops) < count:
        # Fewer entries than proxies: the request skipped a proxy; the peer is all we know.
        return remote_addr
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr
