"""The one router every app's API registers its viewsets on."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter


class PortalRouter(DefaultRouter):
    """Routes with a trailing slash, no browsable root view and no format suffixes.

    The API speaks only JSON, so ``/plans/1.json`` adds nothing; and DRF passes a suffix on as a
    ``format`` keyword that overridden handlers and custom actions do not take, which was a 500.
    Such a URL is now simply not a route: 404.
    """

    include_root_view = False
    include_format_suffixes = False

    def __init__(self, **kwargs):
        kwargs.setdefault("trailing_slash", True)
        super().__init__(**kwargs)
