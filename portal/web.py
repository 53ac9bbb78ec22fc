"""Small helpers that web views share: service errors shown as HTTP errors or on forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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


def add_service_errors(
    form, error: ValidationError, field_for: Callable[[str], tuple | None] | None = None
) -> None:
    """Put a service's ``ValidationError`` on the form: keyed messages on the matching field (a
    foreign key's ``nation_id`` on ``nation``; ``field_for(key)`` may name another ``(form, field)``),
    the rest (``lines``, ``__all__``...) at the top. The user's input stays in the bound form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages_ in error.message_dict.items():
        target = field_for(key) if field_for else None
        if target is not None:
            target_form, field = target
            target_form.add_error(field, messages_)
            continue
        field = key if key in form.fields else key.removesuffix("_id")
        form.add_error(field if field in form.fields else None, messages_)
