"""Request id, login enforcement and no-store caching of private responses."""

from __future__ import annotations

import re
import uuid
import zoneinfo

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.utils import timezone
from django.utils.cache import patch_cache_control

from portal.request_context import request_id_var

# Accept a caller's id (load balancer, API client) only if it is short and plain, so it is safe to log.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIDMiddleware:
    """Give every request an id, keep it for the audit trail and logs, return it as X-Request-ID."""

    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[self.header] = request_id
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Anonymous browsers go to the login page. The JSON API is left to DRF, which answers 401/403
    in JSON instead of redirecting."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "cls", None) is not None and hasattr(view_func.cls, "authentication_classes"):
            # A DRF view: it authenticates itself (session or token) and answers in JSON.
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response that may hold non-public data: the API,
    downloads (exports, PDFs) and any page for a signed-in user, so that neither a shared cache
    nor the browser's disk keeps a copy. Static files never get here (WhiteNoise answers them
    first); the login page and ``/health`` are public."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response
        user = getattr(request, "user", None)
        if (
            request.path_info.startswith("/api/")
            or response.get("Content-Disposition", "").lower().startswith("attachment")
            or (user is not None and user.is_authenticated)
        ):
            patch_cache_control(response, no_store=True)
        return response


class TimeZoneMiddleware:
    """Shows times in the signed-in user's time zone (``User.time_zone``; UTC when they chose
    none). The date formats name the zone, so a time is never read in the wrong one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        if zone:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
