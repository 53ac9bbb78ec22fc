from django.conf import settings

from portal.models import Notification
from portal.navigation import menu_tree
from portal.permissions import VIEW, may


def portal(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "nav": menu_tree(user, _view_name(request)) if authenticated else {"main": [], "user": []},
        # The header's notifications link, for users the rules grant notifications (no query).
        "notifications_enabled": authenticated and may(user, Notification, VIEW),
        "portal_env": settings.DJANGO_ENV,
        "request_id": getattr(request, "request_id", ""),
    }


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""
