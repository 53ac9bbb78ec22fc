"""Standards' pages, one module per subject."""

from __future__ import annotations

from django.http import Http404

from portal.web import get_for
from standards import selectors


def domain_filter(request):
    """The domain in ``?domain=`` (an id), or None; 404 for one that does not exist."""
    raw = request.GET.get("domain", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise Http404
    return get_for(request, selectors.domain_list, int(raw))
