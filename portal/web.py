"""Small helpers that web views share: service errors shown as HTTP errors or on forms."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from portal.exceptions import Forbidden, NotFound


@contextmanager
def scope_errors() -> Iterator[None]:
    """Services' scope errors as the pages' 403 and 404."""
    try:
        yield
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ``ValidationError`` on the form: on the matching field, else at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        field = key.removesuffix("_id")
        form.add_error(field if field in form.fields else None, messages_)
