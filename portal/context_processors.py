from django.conf import settings

from portal.navigation import menu_for


def portal(request):
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    return {
        "nav_items": menu_for(user) if authenticated else [],
        "portal_env": settings.DJANGO_ENV,
        "request_id": getattr(request, "request_id", ""),
    }
